# syntax=docker/dockerfile:1
# The CJeune API: `docker build -t cjeune .`, then see docs/operations.md for the settings.

# --- build: the locked dependencies and the project, into /app/.venv ------------------------
FROM python:3.11-slim AS build

# The uv version that wrote uv.lock; override with --build-arg UV_VERSION=... to move it.
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"

# Use the image's own Python (never download one), compile bytecode at build time, and copy
# files out of the cache mount rather than hard-linking to it.
ENV UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when the lock file changes.
# README.md is there because pyproject.toml names it as the readme, which hatchling reads.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

# Then the code, and the project itself. `uv sync` installs it editable: a .pth file puts
# /app on sys.path, which is also how `migrations/` (not one of the wheel's packages) is
# found by `cjeune migrate`. The runtime stage therefore keeps the same /app paths.
COPY server/ server/
COPY infra/ infra/
COPY models/ models/
COPY domain/ domain/
COPY resolvers/ resolvers/
COPY schema/ schema/
COPY search/ search/
COPY push/ push/
COPY workers/ workers/
COPY migrations/ migrations/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
    && python -m compileall -q server infra models domain resolvers schema search push workers migrations

# --- runtime: the venv and the code, run by an unprivileged user ----------------------------
FROM python:3.11-slim AS runtime

RUN groupadd --gid 10001 cjeune \
    && useradd --uid 10001 --gid cjeune --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin cjeune

# Owned by root and read-only for the service: it writes nothing in /app.
COPY --from=build /app /app

# What the service writes besides PostgreSQL goes to CJEUNE_DATA_DIR: the uploaded images
# (media/) and the payment batches' SEPA and accounting files (finance/). A volume of its
# own, owned by the service's user: mount a persistent one, shared by every API and worker
# container, and back it up with the database (docs/operations.md, Backups).
RUN install -d -o cjeune -g cjeune -m 0750 /var/lib/cjeune
VOLUME /var/lib/cjeune

ENV ENVIRONMENT=production \
    CJEUNE_DATA_DIR=/var/lib/cjeune \
    VIRTUAL_ENV=/app/.venv \
    PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /app
USER cjeune:cjeune
EXPOSE 8000

# Liveness only (/healthz does not touch the database); slim images have no curl.
# The start period covers the migrations `cjeune serve` applies before it listens.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# `cjeune serve` refuses to start in production with the development SECRET_KEY or SQLite:
# pass SECRET_KEY and DATABASE_URL (and the rest, see docs/operations.md) at run time.
CMD ["cjeune", "serve", "--host", "0.0.0.0", "--port", "8000"]
