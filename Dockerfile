# syntax=docker/dockerfile:1
# Build: docker build -t studybot .
# Run:   docker run --env-file .env -v studybot-data:/data studybot

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY migrations ./migrations
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 studybot && mkdir /data && chown studybot /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY roadmap.yaml ./
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/studybot.db \
    ROADMAP_PATH=/app/roadmap.yaml
USER studybot
VOLUME ["/data"]
CMD ["studybot", "run"]
