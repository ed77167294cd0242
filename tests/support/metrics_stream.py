"""The WebSocket URL of an instance's metrics stream on a running emulator."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from lambda_emulator.testing.pytest_plugin import EmulatorHandle


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
