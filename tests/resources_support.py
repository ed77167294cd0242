"""Helpers for the compute-resource tests: creating resources in a known state, reading the
event outbox and the meters of the fixture's server, checking events against the catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from lambda_emulator.http.validation import SCHEMA_BASE, SchemaSet
from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.conftest import ok

INSTANCE_BODY: dict[str, Any] = {
    "name": "web-1",
    "instance_type": "compute-2x",
    "region": "us-west-1",
    "image": "ubuntu-22.04",
}
#: Long enough for any transitional state to finish with the default durations.
SETTLE = 600


@pytest.fixture
def runtime(
    lambda_emulator: EmulatorHandle, _lambda_emulator_server: EmulatorThread
) -> Iterator[Runtime]:
    """The fixture server's runtime, to read the event outbox and the meters."""
    yield _lambda_emulator_server.runtime


def create_instance(client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(
        client.post("/v1/instances", json={**INSTANCE_BODY, **overrides}), 201
    )
    return data


def running_instance(emu: EmulatorHandle, client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    created = create_instance(client, **overrides)
    emu.advance(SETTLE)
    data: dict[str, Any] = ok(client.get(f"/v1/instances/{created['id']}"))
    assert data["status"] == "running"
    return data


def stopped_instance(emu: EmulatorHandle, client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    instance = running_instance(emu, client, **overrides)
    ok(client.post(f"/v1/instances/{instance['id']}/stop"))
    emu.advance(SETTLE)
    data: dict[str, Any] = ok(client.get(f"/v1/instances/{instance['id']}"))
    assert data["status"] == "stopped"
    return data


def available_volume(emu: EmulatorHandle, client: httpx.Client, **overrides: Any) -> dict[str, Any]:
    body = {"name": "data", "size_gb": 100, "region": "us-west-1", **overrides}
    created = ok(client.post("/v1/volumes", json=body), 201)
    assert created["status"] == "creating"
    emu.advance(SETTLE)
    data: dict[str, Any] = ok(client.get(f"/v1/volumes/{created['id']}"))
    assert data["status"] == "available"
    return data


def events(rt: Runtime, *, prefix: str = "") -> list[dict[str, Any]]:
    found = [e for e in rt.store.all("events") if e["type"].startswith(prefix)]
    return sorted(found, key=lambda e: int(e["seq"]))


def event_types(rt: Runtime, *, prefix: str = "", resource_id: str | None = None) -> list[str]:
    return [
        e["type"]
        for e in events(rt, prefix=prefix)
        if resource_id is None or resource_id in json.dumps(e["data"])
    ]


def meters_of(rt: Runtime, resource_id: str) -> list[dict[str, Any]]:
    found = [m for m in rt.store.all("meters") if m["resource_id"] == resource_id]
    return sorted(found, key=lambda m: (m["started_at"], m["id"]))


_SCHEMAS = SchemaSet()
_EVENT = Draft202012Validator(
    {"$ref": SCHEMA_BASE + "events.json#/$defs/Event"}, registry=_SCHEMAS.registry
)


def assert_events_match_catalogue(rt: Runtime) -> None:
    """Every event in the outbox is in the catalogue with data of its documented shape."""
    for event in events(rt):
        public = {k: event[k] for k in ("id", "type", "timestamp", "data")}
        errors = list(_EVENT.iter_errors(public))
        assert not errors, (event, [e.message for e in errors])
