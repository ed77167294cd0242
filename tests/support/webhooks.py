"""Webhook subscriptions over the API: subscribing and pinging."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.envelope import ok

SECRET = "your-webhook-secret"


def subscribe(
    client: httpx.Client, url: str, events: list[str] | None = None, secret: str = SECRET
) -> dict[str, Any]:
    body = {"url": url, "events": events or ["instance.created"], "secret": secret}
    data: dict[str, Any] = ok(client.post("/v1/webhooks", json=body), 201)
    return data


def ping(client: httpx.Client, webhook_id: str) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.post(f"/v1/webhooks/{webhook_id}/ping"), 202)
    return data
