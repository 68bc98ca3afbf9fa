# MTG Tracker image: `docker build -t mtg-tracker .` (see docs/OPERATIONS.md, "Deploy").
# Two stages: the build stage has pip and a compiler-free venv built from the hashed lock file; the
# runtime stage copies only that venv, so no build tooling ships.
# The base is pinned to an exact patch tag (not a floating `3.11-slim`) so that a rebuild of the same
# commit gets the same interpreter; bump it deliberately.

FROM python:3.11.11-slim-bookworm AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Dependencies first, from the lock file with hashes: this layer is cached until the lock changes, and
# a tampered or substituted download fails the build.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
COPY migrations ./migrations
# --no-deps: every dependency came from the lock above; the wheel only adds our own code (and the
# migrations, packaged as mtg_tracker/_migrations).
RUN pip install --no-deps .

FROM python:3.11.11-slim-bookworm AS runtime

# pg_dump/pg_restore for `mtg-tracker backup` on PostgreSQL; they must be at least the server's major
# version (15 here: deploy/ runs PostgreSQL 15). --no-install-recommends keeps the image small.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15=15.* \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid so that Kubernetes' runAsNonRoot can verify it without resolving a name.
RUN groupadd --system --gid 10001 mtg \
    && useradd --system --uid 10001 --gid mtg --home-dir /var/lib/mtg-tracker --create-home mtg

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MTG_DATA_DIR=/var/lib/mtg-tracker \
    WEB_CONCURRENCY=2

USER 10001:10001
WORKDIR /var/lib/mtg-tracker
EXPOSE 8000

# Liveness only (/health touches nothing external): an orchestrator uses /ready for traffic decisions.
# Python's own urllib, since the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]

# Workers come from WEB_CONCURRENCY (read by `serve --workers`).
CMD ["mtg-tracker", "serve", "--host", "0.0.0.0", "--port", "8000"]
