#!/usr/bin/env bash
# Smoke test of a running emulator at $URL (default http://127.0.0.1:8787) with curl, as a user
# would: the default key by both headers, create an API key and use it, and the error envelope.
# Used by `make docker-check` against the container; works against `make serve` too.
#   URL=http://127.0.0.1:8787 bash scripts/smoke.sh
set -euo pipefail
URL=${URL:-http://127.0.0.1:8787}
KEY=${LAMBDA_EMULATOR_API_KEY:-λ_sk_1234567890abcdef}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

# call NAME EXPECTED_STATUS curl-args...: the body goes to $TMP/NAME.json, headers to .headers
call() {
  local name=$1 expected=$2; shift 2
  local status
  status=$(curl -sS -m 10 -o "$TMP/$name.json" -D "$TMP/$name.headers" -w '%{http_code}' "$@") \
    || fail "$name: curl failed"
  [ "$status" = "$expected" ] || fail "$name: HTTP $status, expected $expected: $(cat "$TMP/$name.json")"
}

# envelope NAME PYTHON_EXPR: check the success/error envelope and evaluate EXPR on it (p = body)
envelope() {
  python3 - "$TMP/$1.json" "$TMP/$1.headers" "$2" <<'PY' || fail "$1: $(cat "$TMP/$1.json")"
import json, sys
body_path, headers_path, expr = sys.argv[1:4]
p = json.load(open(body_path, encoding="utf-8"))
headers = {}
for line in open(headers_path, encoding="utf-8", errors="replace"):
    if ":" in line:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
assert set(p) >= {"success", "metadata"}, "not an envelope"
assert p["metadata"]["request_id"] == headers.get("x-request-id"), "request id mismatch"
assert p["metadata"]["timestamp"].endswith("Z"), "timestamp not in UTC"
assert headers.get("content-type", "").startswith("application/json"), "not JSON"
assert eval(expr, {"p": p}), f"check failed: {expr}"
if len(sys.argv) > 4:
    print(sys.argv[4])
PY
}

call account 200 -H "Authorization: Bearer $KEY" "$URL/v1/account"
envelope account 'p["success"] is True and p["data"]["id"].startswith("acct_")'
call account_x 200 -H "X-API-Key: $KEY" "$URL/v1/account"
envelope account_x 'p["success"] is True and p["data"]["plan"] == "professional"'

NAME="smoke-$(date +%s)"
call create 201 -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"name\": \"$NAME\"}" "$URL/v1/account/api-keys"
envelope create "p['success'] is True and p['data']['name'] == '$NAME' and p['data']['key'].startswith('λ_sk_')"
NEW_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["key"])' "$TMP/create.json")
call with_new 200 -H "Authorization: Bearer $NEW_KEY" "$URL/v1/account"
envelope with_new 'p["success"] is True'
call listed 200 -H "Authorization: Bearer $KEY" "$URL/v1/account/api-keys"
envelope listed "'$NAME' in [k['name'] for k in p['data']] and all('key' not in k for k in p['data'])"

call no_key 401 "$URL/v1/account"
envelope no_key 'p["success"] is False and p["error"]["code"] == "authentication_failed"'
call unknown 404 -H "Authorization: Bearer $KEY" "$URL/v1/no-such-thing"
envelope unknown 'p["success"] is False and p["error"]["code"] == "not_found"'
call openapi 200 "$URL/v1/openapi.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["openapi"].startswith("3.1"), d["openapi"]' \
  "$TMP/openapi.json" || fail "openapi: not an OpenAPI 3.1 document"

echo "smoke: OK ($URL: account, X-API-Key, key created and used, 401 and 404 envelopes, OpenAPI)"
