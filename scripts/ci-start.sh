#!/usr/bin/env bash
# Start lambda-emulator in the background for a CI job, wait until it serves, and say where.
# The GitHub Action (action.yml) runs this; any other CI can too:
#
#   eval "$(bash scripts/ci-start.sh --seed 7)"   # sets LAMBDA_EMULATOR_URL, _API_KEY, _PID
#
# Arguments are extra `serve` flags; every LAMBDA_EMULATOR_* setting applies as usual. Without
# LAMBDA_EMULATOR_PORT it takes a free port (--port 0) and learns it from the ready file.
# Knobs: LAMBDA_EMULATOR_EXE (default lambda-emulator), WAIT (seconds, default 30),
# LOG_FILE (default $RUNNER_TEMP or /tmp, lambda-emulator.log), READY_FILE.
# Prints `export LAMBDA_EMULATOR_URL=… LAMBDA_EMULATOR_API_KEY=… LAMBDA_EMULATOR_PID=…` and,
# under GitHub Actions, writes url, api-key and pid to $GITHUB_OUTPUT. Exit 1 (with the
# emulator's log) if it does not become healthy in time.
set -euo pipefail
EXE=${LAMBDA_EMULATOR_EXE:-lambda-emulator}
DIR=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
LOG=${LOG_FILE:-$DIR/lambda-emulator.log}
READY=${READY_FILE:-$DIR/lambda-emulator-ready.$$.json}
WAIT=${WAIT:-30}
command -v "$EXE" >/dev/null 2>&1 || { echo "ci-start: $EXE not found (pip install lambda-emulator)" >&2; exit 1; }
rm -f "$READY"
port=()
[ -n "${LAMBDA_EMULATOR_PORT:-}" ] || port=(--port 0)
nohup "$EXE" serve "${port[@]}" --ready-file "$READY" "$@" >"$LOG" 2>&1 </dev/null &
PID=$!
if ! "$EXE" health --ready-file "$READY" --wait "$WAIT" >/dev/null 2>&1; then
  echo "ci-start: lambda-emulator did not become healthy within ${WAIT}s; its log ($LOG):" >&2
  cat "$LOG" >&2
  kill "$PID" 2>/dev/null || true
  exit 1
fi
URL=$(sed -n 's/.*"url": *"\([^"]*\)".*/\1/p' "$READY")
KEY=$(sed -n 's/^  API key  *//p' "$LOG" | head -1)
[ -n "$URL" ] && [ -n "$KEY" ] || { echo "ci-start: no URL or key in $READY / $LOG" >&2; exit 1; }
printf 'export LAMBDA_EMULATOR_URL=%q LAMBDA_EMULATOR_API_KEY=%q LAMBDA_EMULATOR_PID=%q\n' \
  "$URL" "$KEY" "$PID"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  { echo "url=$URL"; echo "api-key=$KEY"; echo "pid=$PID"; echo "log-file=$LOG"; } >>"$GITHUB_OUTPUT"
fi
