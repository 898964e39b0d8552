# syntax=docker/dockerfile:1
# The web, worker and beat image: same image, three commands (infra/terraform/modules/ecs).
#   web:    (default) gunicorn -c saas_platform/gunicorn.conf.py
#   worker: celery -A saas_platform worker --loglevel INFO
#   beat:   celery -A saas_platform beat --loglevel INFO   (exactly one task)
#   deploy: python manage.py migrate  (one-off task, direct database connection)
# Linted by hadolint (make lint-infra); not built here: no base image can be pulled on this
# machine. Python 3.11 on Debian bookworm, as in development.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
# The project itself: its versions are bounded in pyproject.toml, not here.
# hadolint ignore=DL3013
RUN pip install ".[prod]"
COPY . .
# Static files collected (and compressed by WhiteNoise) at build time. Settings need these
# variables to load; nothing is contacted and none of these values reach the image's runtime.
RUN DEBUG=0 SECRET_KEY=collectstatic-only \
    FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXJlYWwta2V5 \
    DATABASE_URL=postgres://build@127.0.0.1:1/build REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q /app

FROM ${PYTHON_IMAGE} AS runtime
# WeasyPrint (Pango, HarfBuzz with its subsetter for embedded fonts) and the CJK fonts of
# pages and PDFs (fonts-noto-cjk: Noto Sans and Serif CJK), as infra/system-deps.sh does.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && fc-cache -f
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=saas_platform.settings DEBUG=0 PORT=8000
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=app:app /app /app
WORKDIR /app
# The printed agreement's serif font, cut once to GB 2312 (agreements/print_font.py): every
# worker then embeds ~100 KB instead of the whole CJK font. Settings only need to load.
ENV PRINT_FONT_DIR=/app/.fonts
RUN DEBUG=0 SECRET_KEY=build-only \
    FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXJlYWwta2V5 \
    DATABASE_URL=postgres://build@127.0.0.1:1/build REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py build_print_font \
    && chown -R app:app /app/.fonts
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=4).status != 200)"]
CMD ["gunicorn", "-c", "saas_platform/gunicorn.conf.py"]
