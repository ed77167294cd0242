"""Every operation the platform's API document lists is served and described.

The table is the reference's endpoint list, copied as data: if an operation is missing from
``/v1/openapi.json``, or its route answers a route-level 404 or 405, this fails.
"""

from __future__ import annotations

import re

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle

REFERENCE = """
POST /v1/instances
GET /v1/instances
GET /v1/instances/:id
PATCH /v1/instances/:id
DELETE /v1/instances/:id
POST /v1/instances/:id/start
POST /v1/instances/:id/stop
POST /v1/instances/:id/restart
POST /v1/instances/:id/resize
POST /v1/volumes
GET /v1/volumes
GET /v1/volumes/:id
DELETE /v1/volumes/:id
POST /v1/volumes/:id/attach
POST /v1/volumes/:id/detach
POST /v1/volumes/:id/resize
POST /v1/snapshots
GET /v1/snapshots
GET /v1/snapshots/:id
DELETE /v1/snapshots/:id
POST /v1/snapshots/:id/restore
GET /v1/instances/:id/network
POST /v1/firewall/rules
GET /v1/firewall/rules
DELETE /v1/firewall/rules/:id
POST /v1/vpn
GET /v1/vpn
GET /v1/instances/:id/metrics
GET /v1/instances/:id/metrics/stream
GET /v1/billing/usage
GET /v1/billing/invoices
GET /v1/billing/invoices/:id
GET /v1/billing/estimate
GET /v1/account
PATCH /v1/account
GET /v1/account/quota
POST /v1/account/api-keys
GET /v1/account/api-keys
DELETE /v1/account/api-keys/:id
POST /v1/webhooks
"""
ENDPOINTS = [tuple(line.split()) for line in REFERENCE.strip().splitlines()]
#: The stream is a WebSocket: it is not an OpenAPI operation (its plain-GET answer is).
NOT_IN_OPENAPI = {("GET", "/v1/instances/:id/metrics/stream")}


def test_the_table_has_every_operation_of_the_reference() -> None:
    assert len(ENDPOINTS) == 40 and len(set(ENDPOINTS)) == 40


@pytest.fixture(scope="module")
def document(_lambda_emulator_server: object) -> dict[str, object]:
    url = _lambda_emulator_server.url  # type: ignore[attr-defined]
    with httpx.Client(base_url=url) as raw:
        doc: dict[str, object] = raw.get("/v1/openapi.json").json()
    return doc


@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=lambda v: v)
def test_listed_in_openapi(document: dict[str, object], method: str, path: str) -> None:
    if (method, path) in NOT_IN_OPENAPI:
        return
    templated = re.sub(r":(\w+)", r"{\1}", path.removeprefix("/v1"))
    paths = document["paths"]
    assert isinstance(paths, dict)
    assert templated in paths, f"{method} {path} is missing from /v1/openapi.json"
    assert method.lower() in paths[templated], f"{method} {path} is missing"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS, ids=lambda v: v)
def test_routed(lambda_emulator: EmulatorHandle, method: str, path: str) -> None:
    with lambda_emulator.client() as client:
        response = client.request(
            method, path.replace(":id", "x_unknown"), content=b"{}" if method != "GET" else None
        )
    payload = response.json()
    assert response.status_code != 405, payload
    if response.status_code == 404:
        # a 404 must be about the resource, never "no such endpoint"
        assert "No such endpoint" not in payload["error"]["message"], payload
