#!/usr/bin/env bash
# The dashboard's browser tests drive Debian's Chromium at /usr/bin/chromium (Playwright's own
# browser download is not used). Install it where it is missing and we may (root with apt-get);
# otherwise say what to do, and the browser tests will fail with the same advice.
set -euo pipefail
chromium="${LAMBDA_EMULATOR_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium for the dashboard's browser tests (apt-get install -y chromium)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium >/dev/null 2>&1 || {
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  }
  exit 0
fi
echo "make test: the dashboard's browser tests need Chromium at $chromium" \
  "(on Debian/Ubuntu: sudo apt-get install chromium; or set LAMBDA_EMULATOR_CHROMIUM)" >&2
