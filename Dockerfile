# Production image: migrations, then uvicorn with several workers behind a load balancer.
# The app itself decides which X-Forwarded-For to believe (COWORKING_TRUSTED_PROXIES), so
# uvicorn's own proxy-header rewriting is off. Headers over 16 KiB are refused: h11 enforces
# that limit (httptools, uvicorn's default when installed, has none).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN useradd --create-home --uid 10001 coworking

COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .

COPY alembic.ini ./
COPY alembic ./alembic

USER coworking
ENV COWORKING_ENV=production \
    WEB_CONCURRENCY=4
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"

CMD ["sh", "-c", "alembic upgrade head && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY} --no-access-log --no-proxy-headers --http h11 --h11-max-incomplete-event-size 16384"]
