"""Compute resources created over the API in a known state: an instance, one running or
stopped, an available volume, a power action; and the times the tests advance by."""

from __future__ import annotations

from typing import Any

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import ok

INSTANCE_BODY: dict[str, Any] = {
    "name": "web-1",
    "instance_type": "compute-2x",
    "region": "us-west-1",
    "image": "ubuntu-22.04",
}
#: Long enough for any transitional state to finish with the default durations.
SETTLE = 600
HOUR = 3600


def instant(emulator: EmulatorHandle) -> None:
    """Transitions complete at once, so running time starts exactly at the request."""
    emulator.control("PUT", "transitions", json={"mode": "instant"})


def create_instance(
    client: httpx.Client,
    name: str = INSTANCE_BODY["name"],
    instance_type: str = INSTANCE_BODY["instance_type"],
    **overrides: Any,
) -> dict[str, Any]:
    """``POST /v1/instances`` with ``INSTANCE_BODY`` and the changes given; the new instance."""
    body = {**INSTANCE_BODY, "name": name, "instance_type": instance_type, **overrides}
    data: dict[str, Any] = ok(client.post("/v1/instances", json=body), 201)
    return data


def action(client: httpx.Client, instance_id: str, verb: str) -> dict[str, Any]:
    """``POST /v1/instances/{id}/{verb}`` (start, stop, reboot); the instance."""
    result: dict[str, Any] = ok(client.post(f"/v1/instances/{instance_id}/{verb}"))
    return result


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
