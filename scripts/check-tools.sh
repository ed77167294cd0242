#!/usr/bin/env bash
# The test suite drives real curl, node and npm (the SDK generators in tests/contract); say clearly what is missing instead of failing later.
missing=()
command -v curl >/dev/null 2>&1 || missing+=("curl")
command -v node >/dev/null 2>&1 || missing+=("node")
[ -x /usr/bin/chromium ] || missing+=("chromium")
command -v npm >/dev/null 2>&1 || missing+=("npm")
if [ ${#missing[@]} -gt 0 ]; then
  echo "make test needs: ${missing[*]} (on Debian/Ubuntu: sudo apt-get install ${missing[*]/node/nodejs})" >&2
  exit 1
fi
