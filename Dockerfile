# iil-lms: one image that migrates the database, then serves the app with uvicorn workers.
#   docker build -t iil-lms .
#   docker run -p 8000:8000 -v iil-data:/data -e IIL_SECRET_KEY=... iil-lms
#   docker run --rm -v iil-data:/data iil-lms demo        (any iil-lms subcommand)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    IIL_DATA_DIR=/data \
    WORKERS=2

# WeasyPrint's libraries and the fonts PDFs use for Latin, Urdu (Nastaliq) and Devanagari.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 iil \
    && mkdir /data && chown iil:iil /data

# The settings find templates/, static/, curricula/, migrations/ and alembic.ini at the
# project root, so the project lives in /app and is installed in place.
WORKDIR /app
COPY . /app
RUN pip install -e /app \
    && python -m compileall -q /app/src \
    && if ls src/iil_lms/locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
        pybabel -q compile -d src/iil_lms/locale -D messages; \
    fi

USER iil
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# No arguments: apply migrations, then serve. With arguments: run that iil-lms subcommand.
# Behind a reverse proxy, set FORWARDED_ALLOW_IPS to the proxy's address.
ENTRYPOINT ["/bin/sh", "-c", "if [ \"$#\" -gt 0 ]; then exec iil-lms \"$@\"; fi; iil-lms migrate && exec iil-lms serve --host 0.0.0.0 --port 8000 --workers \"${WORKERS:-2}\" --forwarded-allow-ips \"${FORWARDED_ALLOW_IPS:-127.0.0.1}\"", "iil-lms"]
