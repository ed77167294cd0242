# Lambda Emulator as a container: `docker run -p 8787:8787 lambda-emulator`.
# Stage 1 builds the wheel and installs it with its dependencies into a virtual environment;
# stage 2 is the same Debian base with only Python and that environment, run as a numeric
# non-root user. Every setting is a LAMBDA_EMULATOR_* variable (see docs/docker.md).

FROM debian:bookworm-slim AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3=3.11.2-1+b1 python3-venv=3.11.2-1+b1 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
# An index mirror and a CA bundle for TLS-intercepting proxies can be handed in at build time:
#   --build-arg PIP_INDEX_URL=... --secret id=pip_cert,src=/path/to/ca.pem
ARG PIP_INDEX_URL=""
ARG PIP_TRUSTED_HOST=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DEFAULT_TIMEOUT=120
WORKDIR /src
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY fixtures ./fixtures
COPY lambda_emulator ./lambda_emulator
RUN --mount=type=secret,id=pip_cert \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi; \
    if [ -z "$PIP_INDEX_URL" ]; then unset PIP_INDEX_URL; fi; \
    if [ -z "$PIP_TRUSTED_HOST" ]; then unset PIP_TRUSTED_HOST; fi; \
    python3 -m venv /opt/lambda-emulator \
    && /opt/lambda-emulator/bin/pip wheel --no-deps --wheel-dir /dist . \
    && /opt/lambda-emulator/bin/pip install /dist/*.whl \
    && /opt/lambda-emulator/bin/pip uninstall --yes pip setuptools \
    && /opt/lambda-emulator/bin/lambda-emulator --version

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3=3.11.2-1+b1 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && groupadd --system --gid 10001 emulator \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin emulator \
    && mkdir /data \
    && chown 10001:10001 /data
COPY --from=build /opt/lambda-emulator /opt/lambda-emulator
ENV PATH=/opt/lambda-emulator/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LAMBDA_EMULATOR_HOST=0.0.0.0 \
    LAMBDA_EMULATOR_PORT=8787 \
    LAMBDA_EMULATOR_STATE_FILE=/data/state.json \
    LAMBDA_EMULATOR_TLS_DIR=/data/tls
# The state file (and its .wal journal) lives here; mount a named volume to keep it.
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8787
# uvicorn drains connections and the state is flushed on SIGTERM (docker stop).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["lambda-emulator", "health"]
ENTRYPOINT ["lambda-emulator"]
CMD ["serve"]
