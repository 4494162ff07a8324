# Rassegna as a container: `docker compose up -d` (compose.yaml) or
#   docker build -t rassegna . && docker run -d --env-file .env -v rassegna-data:/data rassegna
# The same steps as a manual install (pip install of pyproject.toml); CI does not build it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# What the package is built from: its metadata and its two packages, nothing else.
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
# The PostgreSQL driver too, so one image serves both databases.
RUN pip install '.[postgres]'

# A dedicated user without a shell owns the data volume; the code stays root's, read-only to it.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin rassegna \
    && mkdir /data && chown rassegna:rassegna /data
USER rassegna
VOLUME ["/data"]

# SQLite in the volume unless .env names a PostgreSQL URL. /healthz and /metrics listen inside
# the container only; publish the port (and a webhook) through a reverse proxy if needed.
ENV RASSEGNA_DATABASE_URL=sqlite:////data/rassegna.db \
    RASSEGNA_LISTEN=127.0.0.1:8080

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=8)"]

CMD ["rassegna", "run"]
