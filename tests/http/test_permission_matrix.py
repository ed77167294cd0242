"""Every operation of the API against every kind of caller (SPEC §2).

The matrix is built from the app's own operation table, so an endpoint added later is covered
without touching this file.
"""

from __future__ import annotations

import re

import httpx
import pytest

from lambda_emulator.app import API_OPERATIONS
from lambda_emulator.core.permissions import AREAS
from lambda_emulator.http.operations import Operation
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok

OPERATIONS = [op for op in API_OPERATIONS if op.authenticated]


def concrete(op: Operation) -> str:
    return "/v1" + re.sub(r"{[^}]+}", "x_missing", op.path)


def call(client: httpx.Client, op: Operation) -> httpx.Response:
    body = b"{}" if op.method in ("POST", "PATCH", "PUT") else None
    return client.request(op.method, concrete(op), content=body)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.operation_id)
def test_no_unknown_or_revoked_key_gets_in(
    lambda_emulator: EmulatorHandle, client: httpx.Client, op: Operation
) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as anonymous:
        assert "Missing" in err(call(anonymous, op), 401, "authentication_failed")["message"]
    with lambda_emulator.client("λ_sk_unknownkey0000000") as unknown:
        assert "Unknown" in err(call(unknown, op), 401, "authentication_failed")["message"]
    created = ok(client.post("/v1/account/api-keys", json={"name": "doomed"}), 201)
    ok(client.delete(f"/v1/account/api-keys/{created['id']}"))
    with lambda_emulator.client(created["key"]) as revoked:
        assert "revoked" in err(call(revoked, op), 401, "authentication_failed")["message"]


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.operation_id)
def test_permissions_are_checked_before_anything_else(
    lambda_emulator: EmulatorHandle, client: httpx.Client, op: Operation
) -> None:
    assert op.permission, f"{op.operation_id} names no permission"
    area, _, level = op.permission.partition(":")
    others = [f"{a}:write" for a in AREAS if a != area]
    readonly = [f"{a}:read" for a in AREAS]
    cases = [(others, False), (readonly, level == "read"), ([f"{area}:{level}"], True)]
    for permissions, allowed in cases:
        made = ok(
            client.post(
                "/v1/account/api-keys", json={"name": "scoped", "permissions": permissions}
            ),
            201,
        )
        with lambda_emulator.client(made["key"]) as scoped:
            response = call(scoped, op)
        if allowed:
            assert response.status_code not in (401, 403), response.json()
        else:
            error = err(response, 403, "forbidden")
            assert error["details"]["permission"] == op.permission
        ok(client.delete(f"/v1/account/api-keys/{made['id']}"))


@pytest.mark.parametrize(
    "op", [op for op in OPERATIONS if "{" in op.path], ids=lambda op: op.operation_id
)
def test_an_unknown_id_is_404_not_403(client: httpx.Client, op: Operation) -> None:
    response = call(client, op)
    assert response.status_code in (400, 404), response.json()
    if response.status_code == 404:
        assert response.json()["error"]["code"] == "not_found"
