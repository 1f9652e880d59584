# syntax=docker/dockerfile:1
# Build: docker build -t studybot .
# Run:   docker run --env-file .env -v studybot-data:/data studybot
# Pages: docker run --env-file .env -e WEB_PORT=8080 -p 127.0.0.1:8080:8080 -v studybot-data:/data studybot
#        (with PAGE_SECRET in .env and a reverse proxy in front: docs/deploying.md). No WEB_PORT, no port.
# The image installs the package exactly as the README does (pip, from pyproject.toml, at the versions
# in constraints.txt that the tests passed with), in a venv.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
COPY migrations ./migrations
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt '.[postgres]'

FROM python:3.11-slim
# /app/data is /data: a .env copied from .env.example (DATABASE_URL=...///data/studybot.db and
# HEARTBEAT_PATH=data/heartbeat.json, relative to /app) lands in the volume like the defaults below.
RUN useradd --create-home --uid 10001 studybot && mkdir /data /app && chown studybot /data && ln -s /data /app/data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY roadmap.yaml ./
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/studybot.db \
    HEARTBEAT_PATH=/data/heartbeat.json \
    ROADMAP_PATH=/app/roadmap.yaml \
    WEB_HOST=0.0.0.0
USER studybot
VOLUME ["/data"]
# `docker stop` sends SIGTERM and waits 10 s: the bot stops its scheduler, lets sends in flight
# finish, closes the gateway and the database well within that.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["studybot", "health"]
CMD ["studybot", "run"]
