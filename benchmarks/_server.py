"""The real API (`cjeune serve`) in a subprocess of its own session, and signing in to it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    __typename
    ... on AuthPayload { accessToken }
    ... on UserError { code message }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`cjeune serve`, or with `asgi_app` the same uvicorn serving another ASGI app."""

    def __init__(
        self,
        port: int,
        workers: int,
        env: dict[str, str],
        log_path: Path,
        asgi_app: str | None = None,
    ) -> None:
        self.port, self.workers, self.env, self.log_path = port, workers, env, log_path
        self.asgi_app = asgi_app
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.asgi_app:
            command = [sys.executable, "-m", "uvicorn", self.asgi_app, "--no-access-log"]
        else:
            command = [str(Path(sys.executable).with_name("cjeune")), "serve"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        self._log = self.log_path.open("wb")
        # A session of its own: stop() signals the supervisor and its workers together.
        self.process = subprocess.Popen(  # noqa: S603 - our own entry point
            command,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Until /readyz answers 200 several times in a row (every worker is up)."""
        deadline = time.monotonic() + timeout
        in_a_row = 0
        while in_a_row < 10 * self.workers:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server was not ready in {timeout:.0f} s")
            try:
                ok = httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                ok = False
            in_a_row = in_a_row + 1 if ok else 0
            time.sleep(0.05 if ok else 0.2)

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor), for profiling."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) != self.process.pid:
                continue
            command = (entry / "cmdline").read_bytes()
            if b"spawn_main" in command:  # not multiprocessing's resource tracker
                found.append(int(entry.name))
        return sorted(found)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()


async def sign_in_all(url: str, emails: list[str], password: str) -> dict[str, str]:
    """One access token per cashier (Argon2 verification: a few at a time)."""
    gate = asyncio.Semaphore(4)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def one(email: str) -> tuple[str, str]:
            async with gate:
                response = await client.post(
                    "/graphql",
                    json={"query": LOGIN, "variables": {"email": email, "password": password}},
                )
            payload = response.json()["data"]["login"]
            if payload["__typename"] != "AuthPayload":
                raise RuntimeError(f"login refused for {email}: {payload}")
            return email, payload["accessToken"]

        return dict(await asyncio.gather(*(one(e) for e in emails)))
