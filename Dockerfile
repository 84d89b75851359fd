# Mesocare in a container: non-root, the database on a volume, healthy only while it delivers.
#   docker compose up -d --build        (compose.yaml beside this file)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/app/.venv/bin:$PATH \
    DATABASE_PATH=/data/mesocare.db \
    MPLCONFIGDIR=/tmp/matplotlib

RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin mesocare

WORKDIR /app
# The locked versions only, each file checked against its hash (as ./scripts/install does).
COPY requirements.txt ./
RUN python -m venv .venv \
    && .venv/bin/pip install --require-hashes --no-deps -r requirements.txt
COPY bot/ bot/
COPY care/ care/
COPY jobs/ jobs/
RUN python -m compileall -q bot care jobs \
    && mkdir -m 700 /data && chown mesocare:mesocare /data

USER mesocare
VOLUME ["/data"]
# Healthy while the sender's heartbeat (/data/mesocare.db.heartbeat) is fresh and every check
# passes; the check also asks Telegram for the bot's name, so not too often.
HEALTHCHECK --start-period=60s --interval=2m --timeout=60s --retries=3 \
    CMD ["python", "-m", "bot", "check", "--live"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
