"""Helpers for the monitoring and billing tests: instances on an instant clock, stream URLs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.conftest import ok

HOUR = 3600


def instant(emulator: EmulatorHandle) -> None:
    """Transitions complete at once, so running time starts exactly at the request."""
    emulator.control("PUT", "transitions", json={"mode": "instant"})


def create_instance(
    client: httpx.Client, name: str = "web-1", instance_type: str = "compute-4x"
) -> dict[str, Any]:
    body = {
        "name": name,
        "instance_type": instance_type,
        "region": "us-west-1",
        "image": "ubuntu-22.04",
    }
    instance: dict[str, Any] = ok(client.post("/v1/instances", json=body), 201)
    return instance


def action(client: httpx.Client, instance_id: str, verb: str) -> dict[str, Any]:
    result: dict[str, Any] = ok(client.post(f"/v1/instances/{instance_id}/{verb}"))
    return result


def stream_url(
    emulator: EmulatorHandle,
    instance_id: str,
    *,
    version: str = "v1",
    api_key: str | None = None,
    **params: Any,
) -> str:
    base = emulator.url.replace("http://", "ws://").replace("https://", "wss://")
    query = dict(params)
    if api_key is not None:
        query["api_key"] = api_key
    text = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
    url = f"{base}/{version}/instances/{instance_id}/metrics/stream"
    return f"{url}?{text}" if text else url


def wire(key: str) -> str:
    """The key as the ``websockets`` client must be given it: its UTF-8 bytes as Latin-1 text
    (the library writes header values as ISO-8859-1 and refuses other characters)."""
    return key.encode("utf-8").decode("latin-1")


def auth_header(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {wire(key)}"}
