# Tangram's image: the build steps are CI's (`make install`, .ci/run): a venv at /app/.venv with the
# project installed from pyproject.toml. docs/deployment.md, "Docker".
FROM python:3.11-slim-bookworm

# make: the Makefile's install target; pango: weasyprint (PDFs of print templates and dashboards);
# fonts-wqy-zenhei: the Chinese font PDFs are rendered with; postgresql-client: pg_dump / pg_restore
# for `tangram backup` and `tangram restore` (its major version must be the server's or newer).
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends make libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-zenhei \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml Makefile README.md ./
COPY engine engine
COPY runtime runtime
COPY builder_ui builder_ui
COPY migrations migrations
COPY apps apps
COPY schemas schemas
RUN make install PYTHON=python3

RUN useradd --system --home-dir /data --create-home tangram && mkdir -p /data/files && chown -R tangram /data
USER tangram
ENV PATH=/app/.venv/bin:$PATH \
    TANGRAM_DATA_DIR=/data \
    TANGRAM_HOST=0.0.0.0 \
    TANGRAM_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["tangram", "serve"]
