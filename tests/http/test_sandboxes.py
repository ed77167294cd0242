"""Sandboxes (SPEC §12) over a real server: each one a world of its own, routed by its key,
steered through its own control plane under ``/_emulator/sandboxes/{id}/…``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from lambda_emulator.testing.webhook_receiver import WebhookReceiver
from tests.support.envelope import err, ok
from tests.support.resources import INSTANCE_BODY


def auth(key: str) -> dict[str, bytes]:
    return {"Authorization": f"Bearer {key}".encode()}


class World:
    """One sandbox as a client sees it: its id, its key, and its control plane."""

    def __init__(self, emulator: EmulatorHandle, created: dict[str, Any]) -> None:
        self.id: str = created["id"]
        self.key: str = created["api_key"]
        self.account_id: str = created["account"]["id"]
        self.api = httpx.Client(base_url=emulator.url, headers=auth(self.key), timeout=10)
        self.control = httpx.Client(
            base_url=f"{emulator.url}/_emulator/sandboxes/{self.id}", timeout=10
        )

    def close(self) -> None:
        self.api.close()
        self.control.close()


@pytest.fixture
def root(lambda_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=lambda_emulator.url, timeout=10) as client:
        yield client
        client.delete("/_emulator/sandboxes")


@pytest.fixture
def new_world(lambda_emulator: EmulatorHandle, root: httpx.Client) -> Iterator[Any]:
    worlds: list[World] = []

    def make(**body: Any) -> World:
        created = ok(root.post("/_emulator/sandboxes", json=body), 201)
        world = World(lambda_emulator, created)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.close()


def test_a_new_sandbox_has_its_own_account_key_and_clock(root: httpx.Client) -> None:
    created = ok(
        root.post(
            "/_emulator/sandboxes",
            json={"name": "ci-job-7", "plan": "free", "start_time": "2030-05-01T12:00:00Z"},
        ),
        201,
    )
    assert created["id"].startswith("sbx_") and created["name"] == "ci-job-7"
    assert created["api_key"].startswith("λ_sk_")
    assert created["account"]["plan"] == "free"
    assert created["clock"] == {"now": "2030-05-01T12:00:00Z", "speed": 0.0}
    account = ok(root.get("/v1/account", headers=auth(created["api_key"])))
    assert account["id"] == created["account"]["id"]
    shown = ok(root.get(f"/_emulator/sandboxes/{created['id']}"))
    assert "api_key" not in shown and shown["account"]["id"] == account["id"]
    listed = root.get("/_emulator/sandboxes").json()
    assert {s["id"] for s in listed["data"]} == {"sbx_default", created["id"]}
    assert listed["pagination"]["total_items"] == 2


def test_resources_clock_and_control_plane_are_per_sandbox(new_world: Any) -> None:
    a, b = new_world(), new_world()
    made = ok(a.api.post("/v1/instances", json=INSTANCE_BODY), 201)
    assert made["status"] == "pending"
    assert ok(b.api.get("/v1/instances")) == []
    err(b.api.get(f"/v1/instances/{made['id']}"), 404, "not_found")
    before_b = ok(b.control.get("/clock"))["now"]
    advanced = ok(a.control.post("/clock/advance", json={"seconds": 3600}))
    assert advanced["jobs_run"] >= 1
    assert ok(a.api.get(f"/v1/instances/{made['id']}"))["status"] == "running"
    assert ok(b.control.get("/clock"))["now"] == before_b
    ok(b.control.put("/transitions", json={"mode": "instant"}))
    assert ok(a.control.get("/transitions"))["mode"] == "realistic"
    ok(b.control.post("/faults", json={"path": "/v1/*", "status": 503}), 201)
    ok(a.api.get("/v1/account"))
    err(b.api.get("/v1/account"), 503, "service_unavailable")
    assert [r["path"] for r in ok(a.control.get("/requests"))] == [
        "/v1/instances",
        f"/v1/instances/{made['id']}",
        "/v1/account",
    ]
    assert ok(b.control.post("/reset"))["reset"] is True
    assert ok(a.api.get(f"/v1/instances/{made['id']}"))["status"] == "running"
    assert ok(b.api.get("/v1/account"))["id"] == b.account_id  # reset keeps its account and key


def test_reset_returns_a_sandbox_to_how_it_was_created(new_world: Any) -> None:
    world = new_world(transitions="instant", start_time="2031-01-01T00:00:00Z")
    ok(world.api.post("/v1/instances", json=INSTANCE_BODY), 201)
    ok(world.control.put("/transitions", json={"mode": "manual"}))
    ok(world.control.post("/clock/advance", json={"seconds": 90}))
    ok(world.control.post("/reset"))
    assert ok(world.api.get("/v1/instances")) == []
    assert ok(world.control.get("/transitions"))["mode"] == "instant"
    assert ok(world.control.get("/clock"))["now"] == "2031-01-01T00:00:00Z"


def test_ids_never_collide_across_sandboxes_even_with_one_seed(new_world: Any) -> None:
    a, b = new_world(seed=42), new_world(seed=42)
    first = ok(a.api.post("/v1/instances", json=INSTANCE_BODY), 201)
    second = ok(b.api.post("/v1/instances", json=INSTANCE_BODY), 201)
    assert first["id"] != second["id"]
    assert a.account_id != b.account_id


def test_deleting_a_sandbox_revokes_its_keys(root: httpx.Client, new_world: Any) -> None:
    world = new_world()
    ok(world.api.post("/v1/instances", json=INSTANCE_BODY), 201)
    gone = ok(root.delete(f"/_emulator/sandboxes/{world.id}"))
    assert gone["id"] == world.id
    err(world.api.get("/v1/instances"), 401, "authentication_failed")
    err(root.get(f"/_emulator/sandboxes/{world.id}"), 404, "not_found")
    err(world.control.post("/reset"), 404, "not_found")


def test_the_default_sandbox_stays(root: httpx.Client, new_world: Any) -> None:
    new_world(), new_world()
    err(root.delete("/_emulator/sandboxes/sbx_default"), 409, "conflict")
    assert ok(root.delete("/_emulator/sandboxes"))["deleted"] == 2
    assert [s["id"] for s in ok(root.get("/_emulator/sandboxes"))] == ["sbx_default"]
    assert ok(root.get("/_emulator/sandboxes/sbx_default/clock"))["speed"] == 0.0


def test_bad_sandbox_requests_are_refused_in_the_envelope(root: httpx.Client) -> None:
    bad_plan = err(root.post("/_emulator/sandboxes", json={"plan": "gold"}), 400, "invalid_request")
    assert bad_plan["details"]["field"] == "plan"
    err(root.post("/_emulator/sandboxes", json={"color": "red"}), 400, "invalid_request")
    err(root.post("/_emulator/sandboxes", json={"speed": -1}), 400, "invalid_request")
    err(root.get("/_emulator/sandboxes/sbx_nosuchthing/faults"), 404, "not_found")
    assert [s["id"] for s in ok(root.get("/_emulator/sandboxes"))] == ["sbx_default"]


def test_state_exports_and_imports_per_sandbox(new_world: Any) -> None:
    a, b = new_world(), new_world()
    made = ok(
        a.api.post("/v1/volumes", json={"name": "d", "size_gb": 10, "region": "us-east-1"}), 201
    )
    exported = ok(a.control.get("/state"))
    assert made["id"] in exported["tables"]["volumes"]
    ok(b.control.put("/state", json=exported))
    assert made["id"] in ok(b.control.get("/state"))["tables"]["volumes"]
    # the imported key digests do not take a's key away from a
    assert ok(a.api.get("/v1/volumes"))[0]["id"] == made["id"]
    err(b.api.get("/v1/volumes"), 401, "authentication_failed")  # b's own key was replaced
    other = ok(b.control.post("/accounts", json={"plan": "free"}), 201)
    assert ok(b.api.get("/v1/account", headers=auth(other["api_key"])))["plan"] == "free"


def test_webhooks_are_delivered_per_sandbox(new_world: Any) -> None:
    a, b = new_world(transitions="instant"), new_world(transitions="instant")
    with WebhookReceiver() as to_a, WebhookReceiver() as to_b:
        for world, receiver in ((a, to_a), (b, to_b)):
            ok(
                world.api.post(
                    "/v1/webhooks",
                    json={
                        "url": receiver.url,
                        "events": ["instance.*"],
                        "secret": "sandbox-secret",
                    },
                ),
                201,
            )
        ok(a.api.post("/v1/instances", json=INSTANCE_BODY), 201)
        ok(a.control.post("/webhooks/drain", json={"timeout_seconds": 5}))
        ok(b.control.post("/webhooks/drain", json={"timeout_seconds": 5}))
        assert sorted(d.event_type or "" for d in to_a.deliveries) == [
            "instance.created",
            "instance.pending",
        ]
        assert to_b.deliveries == []
    assert len(ok(a.control.get("/webhooks/deliveries"))) == 2
    assert ok(b.control.get("/webhooks/deliveries")) == []
