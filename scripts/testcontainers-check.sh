#!/usr/bin/env bash
# Run the Testcontainers module's check against a built image through podman's Docker-compatible
# API (`podman system service`). Called by `make docker-check` after the image is built; Ryuk
# (Testcontainers' reaper image) cannot be pulled here, so it is disabled and the test removes
# its own container. These checks may themselves run inside a container, where Testcontainers
# would look for a gateway through an inspect field podman's API does not return; the engine is
# local, so TESTCONTAINERS_CONNECTION_MODE=docker_host (mapped ports on this machine) is right.
#   IMAGE=localhost/lambda-emulator:check bash scripts/testcontainers-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/lambda-emulator:check}
PY=${PY:-.venv/bin/python}
command -v podman >/dev/null || { echo "testcontainers-check: podman is needed" >&2; exit 1; }
"$PY" -c 'import testcontainers' 2>/dev/null || { echo "testcontainers-check: pip install -e '.[dev]' first" >&2; exit 1; }
RUN=$(mktemp -d)
SOCK="$RUN/podman.sock"
podman system service --time=0 "unix://$SOCK" >"$RUN/service.log" 2>&1 &
SERVICE=$!
trap 'kill "$SERVICE" 2>/dev/null || true; rm -rf "$RUN"' EXIT
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || { echo "testcontainers-check: podman service did not start" >&2; cat "$RUN/service.log" >&2; exit 1; }
DOCKER_HOST="unix://$SOCK" TESTCONTAINERS_RYUK_DISABLED=true LAMBDA_EMULATOR_IMAGE="$IMAGE" \
  TESTCONTAINERS_CONNECTION_MODE=${TESTCONTAINERS_CONNECTION_MODE:-docker_host} \
  "$PY" -m pytest -q -p no:cacheprovider -n 0 tests/container/check_testcontainers.py
