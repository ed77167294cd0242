"""Hostile input over a real server: every refusal is an envelope 4xx naming what is wrong, and
nothing of it reaches the state (the exported tables are compared before and after).

What the HTTP parser (httptools under uvicorn) refuses before the app runs cannot be an envelope;
``test_what_the_http_parser_refuses_first`` pins exactly which requests those are.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from lambda_emulator.app import API_OPERATIONS
from lambda_emulator.http.validation import SchemaSet
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.keys import KEY
from tests.support.state import changed, tables

AUTH = {b"Authorization": b"Bearer " + KEY.encode()}
JSON = {b"Content-Type": b"application/json"}
INSTANCE = b'{"name":"web","instance_type":"compute-2x","region":"us-west-1","image":"ubuntu-22.04"'


@dataclass
class Case:
    """One hostile request and the refusal it must get."""

    name: str
    method: str
    target: str  # path and query, sent as is (no normalisation by the client)
    body: bytes | None = None
    headers: dict[bytes, bytes] = field(default_factory=dict)
    status: int = 400
    code: str = "invalid_request"
    field: str | None = None


def _nested(depth: int) -> bytes:
    return b'{"name":' + b"[" * depth + b"]" * depth + b"}"


CASES = [
    # Sizes
    Case(
        "oversized header",
        "GET",
        "/v1/instances",
        headers={b"X-Pad": b"a" * 20_000},
        field="headers",
    ),
    Case(
        "many headers",
        "GET",
        "/v1/instances",
        headers={f"X-H{i}".encode(): b"v" * 100 for i in range(200)},
        field="headers",
    ),
    Case("long query string", "GET", "/v1/instances?name=" + "a" * 10_000, field="url"),
    Case("long path id", "GET", "/v1/instances/" + "a" * 10_000, field="url"),
    Case(
        "huge body",
        "POST",
        "/v1/instances",
        body=b'{"name":"' + b"a" * 2_000_000 + b'"}',
        status=413,
        code="payload_too_large",
    ),
    Case("deeply nested body", "POST", "/v1/instances", body=_nested(100_000), field="body"),
    Case("nested past the limit", "POST", "/v1/instances", body=_nested(40), field="body"),
    Case(
        "overlong name",
        "POST",
        "/v1/instances",
        body=INSTANCE.replace(b'"web"', b'"' + b"n" * 300 + b'"') + b"}",
        field="name",
    ),
    Case(
        "overlong unknown field name",
        "POST",
        "/v1/instances",
        body=INSTANCE + b',"' + b"k" * 100_000 + b'":1}',
        field=None,
    ),
    # Encodings
    Case(
        "invalid UTF-8 body",
        "POST",
        "/v1/instances",
        body=INSTANCE.replace(b'"web"', b'"\xff\xfe"') + b"}",
        field="body",
    ),
    Case(
        "raw NUL in body",
        "POST",
        "/v1/instances",
        body=INSTANCE.replace(b'"web"', b'"a\x00b"') + b"}",
        field="body",
    ),
    Case(
        "escaped NUL in name",
        "POST",
        "/v1/instances",
        body=INSTANCE.replace(b'"web"', b'"a\\u0000b"') + b"}",
        field="name",
    ),
    Case(
        "UTF-8 BOM", "POST", "/v1/instances", body=b"\xef\xbb\xbf" + INSTANCE + b"}", field="body"
    ),
    Case(
        "duplicate keys", "POST", "/v1/instances", body=INSTANCE + b',"name":"other"}', field="name"
    ),
    Case("not JSON at all", "POST", "/v1/instances", body=b"<xml/>", field="body"),
    Case(
        "form body with a JSON type",
        "POST",
        "/v1/instances",
        body=b"name=web&region=x",
        field="body",
    ),
    Case(
        "text/plain",
        "POST",
        "/v1/instances",
        body=INSTANCE + b"}",
        headers={b"Content-Type": b"text/plain"},
        status=415,
        code="unsupported_media_type",
    ),
    # Numbers
    Case(
        "1e309",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":1e309,"region":"us-west-1"}',
        field="body",
    ),
    Case("-1e309", "POST", "/_emulator/clock/advance", body=b'{"seconds":-1e309}', field="body"),
    Case(
        "NaN",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":NaN,"region":"us-west-1"}',
        field="body",
    ),
    Case(
        "-0",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":-0,"region":"us-west-1"}',
        field="size_gb",
    ),
    Case(
        "huge int",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":1' + b"0" * 5000 + b',"region":"us-west-1"}',
        field="body",
    ),
    Case(
        "big int",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":1' + b"0" * 400 + b',"region":"us-west-1"}',
        field="size_gb",
    ),
    Case(
        "fractional int",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":10.5,"region":"us-west-1"}',
        field="size_gb",
    ),
    Case("huge int in the query", "GET", "/v1/instances?page=1" + "0" * 5000, field="page"),
    Case(
        "1e309 in the query",
        "GET",
        "/v1/billing/estimate?instance_type=compute-4x&hours=1e309",
        field="hours",
    ),
    Case(
        "year 0 in UTC", "GET", "/v1/billing/usage?start=0001-01-01T00:00:00%2B01:00", field="start"
    ),
    Case(
        "year 10000 in UTC", "GET", "/v1/billing/usage?end=9999-12-31T23:59:59-01:00", field="end"
    ),
    # Wrong JSON types
    Case("array body", "POST", "/v1/instances", body=b"[1,2]", field="body"),
    Case("string body", "POST", "/v1/instances", body=b'"web"', field="body"),
    Case(
        "number as name",
        "POST",
        "/v1/instances",
        body=INSTANCE.replace(b'"web"', b"12") + b"}",
        field="name",
    ),
    Case(
        "object as region",
        "POST",
        "/v1/instances",
        body=INSTANCE.replace(b'"us-west-1"', b'{"a":1}') + b"}",
        field="region",
    ),
    Case(
        "string as size",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":"10","region":"us-west-1"}',
        field="size_gb",
    ),
    Case(
        "bool as size",
        "POST",
        "/v1/volumes",
        body=b'{"name":"v","size_gb":true,"region":"us-west-1"}',
        field="size_gb",
    ),
    Case(
        "null as events",
        "POST",
        "/v1/webhooks",
        body=b'{"url":"http://127.0.0.1:9/h","events":null,"secret":"abcdefghijkl"}',
        field="events",
    ),
    Case(
        "object as tag value",
        "POST",
        "/v1/instances",
        body=INSTANCE + b',"tags":{"a":{"b":1}}}',
        field="tags.a",
    ),
    Case(
        "string as permissions",
        "POST",
        "/v1/account/api-keys",
        body=b'{"name":"k","permissions":"*"}',
        field="permissions",
    ),
    Case(
        "string as seconds",
        "POST",
        "/_emulator/clock/advance",
        body=b'{"seconds":"60"}',
        field="seconds",
    ),
    Case(
        "NUL in a webhook URL",
        "POST",
        "/v1/webhooks",
        body=b'{"url":"http://127.0.0.1:9/a\\u0000b","events":["*"],"secret":"abcdefghijkl"}',
        field="url",
    ),
    # Queries
    Case("repeated param", "GET", "/v1/instances?limit=1&limit=2", field="limit"),
    Case("NUL param name", "GET", "/v1/instances?%00=1", field="\x00"),
    Case("invalid UTF-8 in the query", "GET", "/v1/instances?status=%FF%FE", field="status"),
    Case("limit out of range", "GET", "/v1/instances?limit=101", field="limit"),
    # Path ids
    Case("dot-dot", "GET", "/v1/instances/../account", status=404, code="not_found"),
    Case(
        "encoded dot-dot", "GET", "/v1/instances/%2e%2e", status=404, code="not_found", field="id"
    ),
    Case(
        "encoded dot-dot to the control plane",
        "DELETE",
        "/v1/instances/%2e%2e/%2e%2e/_emulator/state",
        status=404,
        code="not_found",
    ),
    Case("encoded NUL", "DELETE", "/v1/volumes/vol_%00", status=404, code="not_found", field="id"),
    Case("encoded slash", "DELETE", "/v1/volumes/vol_a%2Fb", status=404, code="not_found"),
    Case(
        "emoji id",
        "POST",
        "/v1/instances/inst_%F0%9F%98%80/stop",
        status=404,
        code="not_found",
        field="id",
    ),
    Case(
        "invalid UTF-8 id",
        "DELETE",
        "/v1/snapshots/snap_%FF",
        status=404,
        code="not_found",
        field="id",
    ),
    Case(
        "unicode lookalike id",
        "GET",
        "/v1/instances/%D1%96nst_x",
        status=404,
        code="not_found",
        field="id",
    ),
    # Keys and headers
    Case(
        "invalid UTF-8 key",
        "GET",
        "/v1/instances",
        headers={b"Authorization": b"Bearer \xff\xfe"},
        status=401,
        code="authentication_failed",
    ),
    Case(
        "key with a NUL escape",
        "GET",
        "/v1/instances?api_key=%00",
        headers={b"Authorization": b""},
        status=401,
        code="authentication_failed",
    ),
]


def _send(emu: EmulatorHandle, case: Case) -> httpx.Response:
    """Send exactly ``case``: http.client neither normalises ``..`` nor re-encodes the target
    (httpx would resolve ``/v1/instances/../account`` before sending it)."""
    headers = {**AUTH, **(JSON if case.body is not None else {}), **case.headers}
    headers = {k: v for k, v in headers.items() if v}
    parts = urlsplit(emu.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest(case.method, case.target, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        if case.body is not None:
            conn.putheader(b"Content-Length", str(len(case.body)).encode())
        conn.endheaders(case.body)
        answer = conn.getresponse()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=answer.read())
    finally:
        conn.close()


@pytest.fixture
def populated(lambda_emulator: EmulatorHandle) -> Iterator[EmulatorHandle]:
    """Some state to leave untouched: an instance, a volume, a webhook."""
    with lambda_emulator.client() as client:
        ok(
            client.post(
                "/v1/instances",
                json={
                    "name": "web",
                    "instance_type": "compute-2x",
                    "region": "us-west-1",
                    "image": "ubuntu-22.04",
                },
            ),
            201,
        )
        ok(
            client.post("/v1/volumes", json={"name": "v", "size_gb": 10, "region": "us-west-1"}),
            201,
        )
        ok(
            client.post(
                "/v1/webhooks",
                json={"url": "http://127.0.0.1:9/h", "events": ["*"], "secret": "abcdefghijkl"},
            ),
            201,
        )
    yield lambda_emulator


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_input_is_an_envelope_4xx_and_changes_nothing(
    populated: EmulatorHandle, case: Case
) -> None:
    before = tables(populated)
    response = _send(populated, case)
    error = err(response, case.status, case.code)
    if case.field is not None:
        assert error["details"]["field"] == case.field, error
    # An error never echoes megabytes back.
    assert len(response.content) < 4096, len(response.content)
    assert changed(before, tables(populated)) == {}


def test_unicode_and_emoji_names_are_accepted_and_round_trip(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    """Not hostile in itself: names are Unicode text (control characters are refused)."""
    name = "web-😀-λ-名前-\u202e"
    created = ok(
        client.post(
            "/v1/instances",
            json={
                "name": name,
                "instance_type": "compute-2x",
                "region": "us-west-1",
                "image": "ubuntu-22.04",
            },
        ),
        201,
    )
    assert created["name"] == name
    assert ok(client.get(f"/v1/instances/{created['id']}"))["name"] == name
    assert ok(client.get("/v1/instances", params={"name": name}))[0]["id"] == created["id"]


def _raw_http(url: str, request: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80)) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("name", "request_bytes"),
    [
        (
            "request target of 64 KiB",
            b"GET /v1/instances?x=" + b"a" * 65_520 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        ),
        (
            "control character in a header value",
            b"GET /v1/instances HTTP/1.1\r\nHost: x\r\nX-API-Key: \x01\r\n\r\n",
        ),
        ("not HTTP", b"HELLO\r\n\r\n"),
    ],
)
def test_what_the_http_parser_refuses_first(
    populated: EmulatorHandle, name: str, request_bytes: bytes
) -> None:
    """httptools refuses these before the app runs: uvicorn answers a plain-text 400 (no
    envelope, no request id) and closes the connection. State is untouched all the same."""
    before = tables(populated)
    answer = _raw_http(populated.url, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert body == b"Invalid HTTP request received."
    assert changed(before, tables(populated)) == {}


def test_just_under_the_limits_is_served(client: httpx.Client) -> None:
    """The limits are where the docs say: 8 KiB of URL and 16 KiB of headers pass."""
    target = "/v1/instances?name=" + "a" * (8192 - len("/v1/instances?name="))
    assert client.get(target).status_code == 200
    pad = 16 * 1024 - 400
    assert client.get("/v1/instances", headers={"X-Pad": "a" * pad}).status_code == 200
    err(client.get(target + "a"), 400, "invalid_request")


#: A valid body per operation with one, so that a single wrong field is the only problem.
VALID: dict[str, dict[str, Any]] = {
    "updateAccount": {"name": "Acme"},
    "createApiKey": {"name": "k"},
    "createInstance": {
        "name": "web",
        "instance_type": "compute-2x",
        "region": "us-west-1",
        "image": "ubuntu-22.04",
    },
    "updateInstance": {"name": "web"},
    "resizeInstance": {"instance_type": "compute-4x"},
    "createVolume": {"name": "v", "size_gb": 10, "region": "us-west-1"},
    "attachVolume": {"instance_id": "inst_x"},
    "resizeVolume": {"size_gb": 20},
    "createSnapshot": {"volume_id": "vol_x"},
    "restoreSnapshot": {"name": "r"},
    "createFirewallRule": {
        "direction": "inbound",
        "protocol": "tcp",
        "ports": "22",
        "cidr": "0.0.0.0/0",
    },
    "createVpn": {"name": "office", "region": "us-west-1"},
    "createWebhook": {"url": "http://127.0.0.1:9/h", "events": ["*"], "secret": "abcdefghijkl"},
    "updateWebhook": {"status": "disabled"},
}

#: One value of every JSON type, plus the awkward ones.
WRONG_VALUES: list[Any] = [None, True, 0, -1, 2**70, 1.5, "", "x" * 5000, [], [None], {}, {"a": []}]


def _wrong_bodies() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    schemas = SchemaSet()
    out = []
    for op in API_OPERATIONS:
        if not op.body:
            continue
        assert op.operation_id in VALID, f"{op.operation_id}: add a valid body to VALID"
        validator = schemas.validator(op.body)
        valid = VALID[op.operation_id]
        assert not list(validator.iter_errors(valid)), op.operation_id
        path = "/v1" + op.path.replace("{id}", "x_missing")
        for prop in sorted(schemas.resolve(op.body).get("properties", {})):
            for value in WRONG_VALUES:
                body = {**valid, prop: value}
                if any(list(e.absolute_path)[:1] == [prop] for e in validator.iter_errors(body)):
                    out.append((op.operation_id, op.method, path, prop, body))
    return out


def test_wrong_json_types_in_every_body_field_are_400_naming_the_field(
    populated: EmulatorHandle,
) -> None:
    """Generated from the operation table and the schemas: every property of every request
    body, given values of the wrong type or out of range, is refused before any handler runs."""
    cases = _wrong_bodies()
    assert len(cases) > 200
    # Hundreds of requests within one frozen second: past any plan's burst.
    populated.control("PUT", "rate-limits", json={"enabled": False})
    before = tables(populated)
    failures = []
    with populated.client() as client:
        for operation_id, method, path, prop, body in cases:
            response = client.request(method, path, json=body)
            payload = response.json()
            error = payload.get("error") or {}
            field = str((error.get("details") or {}).get("field", ""))
            if (
                response.status_code != 400
                or error.get("code") != "invalid_request"
                or not (field == prop or field.startswith(prop + "."))
                or len(response.content) > 4096
            ):
                failures.append((operation_id, prop, body[prop], response.status_code, error))
    assert failures == [], failures[:5]
    assert changed(before, tables(populated)) == {}


HOSTILE_QUERY_VALUES = [
    "",
    " ",
    "-1",
    "-0",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "1" + "0" * 5000,
    "true",
    "[]",
    "{}",
    "\x00",
    "../../etc/passwd",
    "😀",
    "x" * 4000,
    "2026-13-45T99:99:99Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
]


def test_hostile_values_in_every_query_parameter_never_break_the_server(
    populated: EmulatorHandle,
) -> None:
    """Generated from the operation table: every query parameter of every operation, given
    each hostile value, answers an envelope below 500, and changes nothing."""
    schemas = SchemaSet()
    populated.control("PUT", "rate-limits", json={"enabled": False})
    before = tables(populated)
    failures = []
    sent = 0
    with populated.client() as client:
        instance = client.get("/v1/instances").json()["data"][0]["id"]
        for op in API_OPERATIONS:
            if not op.query or op.operation_id == "streamMetrics":
                continue
            path = "/v1" + op.path.replace("{id}", instance).replace("{delivery_id}", "dlv_x")
            for name in sorted(schemas.resolve(op.query).get("properties", {})):
                for value in HOSTILE_QUERY_VALUES:
                    response = client.request(op.method, path, params={name: value})
                    sent += 1
                    payload = response.json()
                    if response.status_code >= 500 or "success" not in payload:
                        failures.append((op.operation_id, name, value[:40], payload))
                    elif len(response.content) > 8192:
                        failures.append((op.operation_id, name, value[:40], "echoed too much"))
    assert sent > 300
    assert failures == [], failures[:5]
    assert changed(before, tables(populated)) == {}


HOSTILE_IDS = [
    "%2e%2e",
    "..%2f..%2f_emulator%2fstate",
    "%00",
    "inst_%00",
    "%F0%9F%98%80",
    "%FF%FE",
    "%20",
    "a" * 2000,
    "inst_" + "%C3%A9" * 50,
    "%25",
    "%3Cscript%3E",
]


def test_hostile_ids_on_every_operation_are_404(populated: EmulatorHandle) -> None:
    """Generated from the operation table: every ``{id}`` operation, given hostile ids (sent
    verbatim, never normalised), is a 404 envelope, or a 400 when the body is refused first."""
    populated.control("PUT", "rate-limits", json={"enabled": False})
    before = tables(populated)
    failures = []
    for op in API_OPERATIONS:
        if "{" not in op.path or op.operation_id == "streamMetrics":
            continue
        for hostile in HOSTILE_IDS:
            target = "/v1" + op.path.replace("{id}", hostile).replace("{delivery_id}", hostile)
            body = b"{}" if op.method in ("POST", "PATCH") else None
            response = _send(populated, Case("id", op.method, target, body=body))
            payload = response.json()
            if response.status_code not in (400, 404) or payload.get("success") is not False:
                failures.append((op.operation_id, hostile[:30], response.status_code, payload))
    assert failures == [], failures[:5]
    assert changed(before, tables(populated)) == {}
