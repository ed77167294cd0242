"""Security checks over a real server (SPEC §2): another account's resources are invisible
(404, never 403 or 200) on every operation that names one, lists never leak them, and a body naming
them is a 404 with ``details.field``. The matrix is built from the app's operation table, so an
endpoint with an ``{id}`` added later is covered or fails loudly here.

Missing/unknown/revoked keys and missing permissions (read-only keys included) are in
``test_permission_matrix.py``; hostile input is in ``test_hostile_input.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from lambda_emulator.app import API_OPERATIONS
from lambda_emulator.http.operations import Operation
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.metrics_stream import stream_url
from tests.support.resources import instant
from tests.support.state import changed, tables

#: Which resource of account A stands in for each path parameter, by the path's shape.
PATH_RESOURCES = {
    "/account/api-keys/{id}": "api_key",
    "/instances/{id}": "instance",
    "/volumes/{id}": "volume",
    "/snapshots/{id}": "snapshot",
    "/firewall/rules/{id}": "firewall_rule",
    "/vpn/{id}": "vpn",
    "/billing/invoices/{id}": "invoice",
    "/webhooks/{id}": "webhook",
    "{delivery_id}": "delivery",
}

#: A body that passes validation, so the ownership check (not the schema) decides the answer.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "updateInstance": {"name": "renamed"},
    "resizeInstance": {"instance_type": "compute-4x"},
    "attachVolume": {"instance_id": "<B:instance>"},
    "resizeVolume": {"size_gb": 500},
    "restoreSnapshot": {"name": "restored"},
    "updateWebhook": {"status": "disabled"},
}

ID_OPERATIONS = [op for op in API_OPERATIONS if "{" in op.path]


@dataclass
class World:
    """Two accounts: A owns one of everything, B owns an instance of its own."""

    a: httpx.Client
    b: httpx.Client
    ids: dict[str, str]
    b_instance: str
    b_key: str


@pytest.fixture
def world(lambda_emulator: EmulatorHandle, client: httpx.Client) -> Iterator[World]:
    instant(lambda_emulator)
    a = client
    instance = ok(
        a.post(
            "/v1/instances",
            json={
                "name": "a-web",
                "instance_type": "compute-2x",
                "region": "us-west-1",
                "image": "ubuntu-22.04",
            },
        ),
        201,
    )
    volume = ok(
        a.post("/v1/volumes", json={"name": "a-data", "size_gb": 100, "region": "us-west-1"}), 201
    )
    lambda_emulator.advance(600)
    snapshot = ok(a.post("/v1/snapshots", json={"volume_id": volume["id"], "name": "a-snap"}), 201)
    rule = ok(
        a.post(
            "/v1/firewall/rules",
            json={"direction": "inbound", "protocol": "tcp", "ports": "22", "cidr": "0.0.0.0/0"},
        ),
        201,
    )
    vpn = ok(a.post("/v1/vpn", json={"name": "a-office", "region": "us-west-1"}), 201)
    receiver = lambda_emulator.webhook_receiver()
    hook = ok(
        a.post(
            "/v1/webhooks",
            json={"url": receiver.url, "events": ["instance.created"], "secret": "s3cret-a"},
        ),
        201,
    )
    delivery = ok(a.post(f"/v1/webhooks/{hook['id']}/ping"), 202)
    receiver.wait_for("webhook.ping", timeout=5)
    lambda_emulator.drain_webhooks()  # the attempt is recorded before state is compared
    assert ok(a.get(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}"))["status"] == (
        "succeeded"
    )
    key = ok(a.post("/v1/account/api-keys", json={"name": "a-key"}), 201)
    lambda_emulator.advance(3600)
    invoices = ok(a.get("/v1/billing/invoices"))
    assert invoices, "account A has no invoice to probe with"
    ids = {
        "instance": instance["id"],
        "volume": volume["id"],
        "snapshot": snapshot["id"],
        "firewall_rule": rule["id"],
        "vpn": vpn["id"],
        "webhook": hook["id"],
        "delivery": delivery["id"],
        "api_key": key["id"],
        "invoice": invoices[0]["id"],
    }
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as b:
        mine = ok(
            b.post(
                "/v1/instances",
                json={
                    "name": "b-web",
                    "instance_type": "compute-2x",
                    "region": "us-west-1",
                    "image": "ubuntu-22.04",
                },
            ),
            201,
        )
        lambda_emulator.advance(600)
        yield World(a=a, b=b, ids=ids, b_instance=mine["id"], b_key=other.api_key)


def _path_for(op: Operation, world: World) -> str:
    path = op.path
    for shape, resource in PATH_RESOURCES.items():
        placeholder = "{delivery_id}" if shape == "{delivery_id}" else "{id}"
        if shape == "{delivery_id}":
            path = path.replace(placeholder, world.ids[resource])
        elif op.path.startswith(shape):
            path = path.replace(placeholder, world.ids[resource], 1)
    assert "{" not in path, f"{op.operation_id}: no resource of A stands in for {path}"
    return "/v1" + path


def _body(op: Operation, world: World) -> bytes | None:
    if op.method not in ("POST", "PATCH", "PUT"):
        return None
    body = json.loads(
        json.dumps(VALID_BODIES.get(op.operation_id, {})).replace("<B:instance>", world.b_instance)
    )
    return json.dumps(body).encode()


def test_every_operation_naming_an_id_is_covered() -> None:
    shapes = [shape for shape in PATH_RESOURCES if shape != "{delivery_id}"]
    for op in ID_OPERATIONS:
        assert any(op.path.startswith(s) for s in shapes), f"{op.path}: add it to PATH_RESOURCES"


def test_another_accounts_resource_is_404_on_every_operation(
    lambda_emulator: EmulatorHandle, world: World
) -> None:
    before = tables(lambda_emulator)
    answers: dict[str, int] = {}
    for op in ID_OPERATIONS:
        if op.operation_id == "streamMetrics":
            continue  # a WebSocket: below
        path = _path_for(op, world)
        response = world.b.request(op.method, path, content=_body(op, world))
        answers[f"{op.method} {path}"] = response.status_code
        if response.status_code == 404:
            error = err(response, 404, "not_found")
            assert not re.search(r"acct_", json.dumps(error)), error
    wrong = {k: v for k, v in answers.items() if v != 404}
    assert not wrong, f"B reached A's resources: {wrong}"
    # Nothing B tried changed A's world.
    assert changed(before, tables(lambda_emulator)) == {}
    # And A still sees everything as it was.
    for collection, resource in [
        ("instances", "instance"),
        ("volumes", "volume"),
        ("snapshots", "snapshot"),
        ("vpn", "vpn"),
        ("webhooks", "webhook"),
        ("billing/invoices", "invoice"),
    ]:
        ok(world.a.get(f"/v1/{collection}/{world.ids[resource]}"))


def test_lists_never_show_another_accounts_resources(world: World) -> None:
    leaked = []
    for op in API_OPERATIONS:
        if op.method != "GET" or "{" in op.path or not op.listing:
            continue
        text = world.b.get("/v1" + op.path).text
        leaked += [f"{op.path}: {rid}" for rid in world.ids.values() if rid in text]
    # Views that aggregate: usage, the network info of B's own instance (A's rule applies to
    # every instance of A, and must not reach B's), the account.
    for view in (
        "/v1/billing/usage",
        f"/v1/instances/{world.b_instance}/network",
        "/v1/account",
        "/v1/account/quota",
    ):
        text = world.b.get(view).text
        leaked += [f"{view}: {rid}" for rid in world.ids.values() if rid in text]
    assert not leaked, leaked
    # The account and quota views count only B's own resources.
    quota = ok(world.b.get("/v1/account/quota"))["quotas"]
    assert quota["instances"]["used"] == 1
    assert ok(world.b.get("/v1/account/api-keys"))[0]["id"] != world.ids["api_key"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/volumes/{B:volume}/attach", {"instance_id": "{A:instance}"}, "instance_id"),
        ("/v1/snapshots", {"volume_id": "{A:volume}"}, "volume_id"),
        (
            "/v1/firewall/rules",
            {
                "direction": "inbound",
                "protocol": "tcp",
                "ports": "22",
                "cidr": "0.0.0.0/0",
                "instance_id": "{A:instance}",
            },
            "instance_id",
        ),
    ],
)
def test_a_body_naming_another_accounts_resource_is_404_with_the_field(
    lambda_emulator: EmulatorHandle, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    b_volume = ok(
        world.b.post("/v1/volumes", json={"name": "b-data", "size_gb": 10, "region": "us-west-1"}),
        201,
    )
    lambda_emulator.advance(600)
    text = json.dumps(body).replace("{A:instance}", world.ids["instance"])
    text = text.replace("{A:volume}", world.ids["volume"])
    before = tables(lambda_emulator)
    response = world.b.post(path.replace("{B:volume}", b_volume["id"]), content=text.encode())
    error = err(response, 404, "not_found")
    assert error["details"]["field"] == field
    assert changed(before, tables(lambda_emulator)) == {}


def test_the_metrics_stream_of_another_accounts_instance_is_closed_as_not_found(
    lambda_emulator: EmulatorHandle, world: World
) -> None:
    url = stream_url(lambda_emulator, world.ids["instance"], api_key=world.b_key)
    with connect(url) as ws:
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
        assert ws.close_code == 4404


def test_a_read_only_key_reads_but_every_write_names_its_permission(
    lambda_emulator: EmulatorHandle, world: World
) -> None:
    """With real resources (the matrix uses missing ids): reads answer 200, writes 403."""
    readonly = ok(
        world.a.post(
            "/v1/account/api-keys",
            json={"name": "ro", "permissions": [f"{a}:read" for a in _areas()]},
        ),
        201,
    )
    before = tables(lambda_emulator)
    with lambda_emulator.client(readonly["key"]) as ro:
        for op in API_OPERATIONS:
            if op.operation_id == "streamMetrics":
                continue
            path = _path_for(op, world) if "{" in op.path else "/v1" + op.path
            response = ro.request(op.method, path, content=_body(op, world))
            if op.permission and op.permission.endswith(":read"):
                assert response.status_code != 403, (op.operation_id, response.json())
            else:
                error = err(response, 403, "forbidden")
                assert error["details"]["permission"] == op.permission
                assert op.permission in error["message"]
    assert changed(before, tables(lambda_emulator)) == {}


def _areas() -> list[str]:
    from lambda_emulator.core.permissions import AREAS

    return list(AREAS)


def test_an_idempotency_key_is_scoped_to_its_account(world: World) -> None:
    """The same key and body from B must create B's own resource, never replay A's answer."""
    body = {"name": "same", "size_gb": 10, "region": "us-west-1"}
    headers = {"Idempotency-Key": "shared-key-1"}
    mine = ok(world.a.post("/v1/volumes", json=body, headers=headers), 201)
    theirs_response = world.b.post("/v1/volumes", json=body, headers=headers)
    theirs = ok(theirs_response, 201)
    assert "idempotent-replayed" not in theirs_response.headers
    assert theirs["id"] != mine["id"]
    err(world.b.get(f"/v1/volumes/{mine['id']}"), 404, "not_found")


def test_webhooks_see_only_their_own_accounts_events(
    lambda_emulator: EmulatorHandle, world: World
) -> None:
    receiver = lambda_emulator.webhook_receiver()
    hook = ok(
        world.b.post(
            "/v1/webhooks",
            json={"url": receiver.url, "events": ["*"], "secret": "b-secret-123456"},
        ),
        201,
    )
    ok(
        world.a.post(
            "/v1/instances",
            json={
                "name": "a-second",
                "instance_type": "compute-2x",
                "region": "us-west-1",
                "image": "ubuntu-22.04",
            },
        ),
        201,
    )
    ok(world.a.post(f"/v1/instances/{world.ids['instance']}/stop"))
    lambda_emulator.advance(600)
    # Then one event of B's own, as a marker that delivery works and has caught up.
    ok(world.b.post(f"/v1/instances/{world.b_instance}/stop"))
    lambda_emulator.advance(600)
    receiver.wait_for("instance.stopped", timeout=5)
    deliveries = ok(world.b.get(f"/v1/webhooks/{hook['id']}/deliveries", params={"limit": 100}))
    assert deliveries, "B's own event was not delivered"
    assert receiver.deliveries
    for got in receiver.deliveries:
        assert world.ids["instance"].encode() not in got.raw_body, got.raw_body[:300]
        assert b"a-second" not in got.raw_body
        assert world.b_instance.encode() in got.raw_body or got.event_type == "webhook.ping"
