"""Webhook subscriptions: create, read, update, delete, and a test ping.

What happens to the events a subscription selects (the delivery log, retries, the sender's side)
is ``engine.delivery_log``.
"""

from __future__ import annotations

import json
from typing import Any

from lambda_emulator.core import webhooks as core
from lambda_emulator.core.pagination import Page, page_of
from lambda_emulator.engine import quotas, webhook_secrets
from lambda_emulator.engine.delivery_log import PING, WEBHOOKS, cancel_pending, new_delivery
from lambda_emulator.engine.events import emit
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import InvalidRequest, NotFound
from lambda_emulator.package_data import data_dir
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "create_webhook",
    "delete_webhook",
    "event_catalogue",
    "get_webhook",
    "list_webhooks",
    "ping",
    "update_webhook",
    "webhook_view",
]


# the catalogue ----------------------------------------------------------------------------------
#: What the API shows of a stored document: the properties of its response schema.
webhook_view = PublicView("webhooks.json#/$defs/Webhook")


def event_catalogue(rt: Runtime) -> list[str]:
    """Every event type, from ``schemas/events.json`` (``$defs.EventType.enum``)."""
    cached = rt.tools.event_types
    if cached is None:
        document = json.loads((data_dir("schemas") / "events.json").read_text(encoding="utf-8"))
        cached = tuple(str(name) for name in document["$defs"]["EventType"]["enum"])
        rt.tools.event_types = cached
    return list(cached)


# subscriptions ----------------------------------------------------------------------------------
def _check_url(url: str) -> None:
    problem = core.url_problem(url)
    if problem:
        raise InvalidRequest(
            f"Invalid webhook url: it {problem}",
            {"field": "url", "value": url, "constraint": problem},
        )


def _check_events(rt: Runtime, events: list[str]) -> None:
    catalogue = event_catalogue(rt)
    unknown = core.invalid_patterns(events, catalogue)
    if unknown:
        raise InvalidRequest(
            f"Unknown event type(s): {', '.join(unknown)}",
            {
                "field": "events",
                "value": unknown,
                "allowed_values": [*catalogue, "*", "<resource>.*"],
            },
        )


def create_webhook(rt: Runtime, account_id: str, body: dict[str, Any]) -> Doc:
    _check_url(body["url"])
    _check_events(rt, body["events"])
    quotas.check_quota(rt, account_id, "webhooks")
    now = rt.timestamp()
    doc: Doc = {
        "id": rt.new_id("wh"),
        "account_id": account_id,
        "url": body["url"],
        "events": list(body["events"]),
        "status": "active",
        "description": body.get("description"),
        "secret_encrypted": webhook_secrets.encrypt(rt, body["secret"]),
        "created_at": now,
        "updated_at": now,
    }
    rt.store.put(WEBHOOKS, doc)
    return doc


def get_webhook(rt: Runtime, account_id: str, webhook_id: str) -> Doc:
    doc = rt.store.get(WEBHOOKS, webhook_id)
    if doc is None or doc["account_id"] != account_id:
        raise NotFound(f"Webhook '{webhook_id}' not found", {"field": "id", "value": webhook_id})
    return doc


def list_webhooks(rt: Runtime, account_id: str, query: dict[str, Any]) -> Page:
    return page_of(
        rt.store.find(WEBHOOKS, account_id), query, filters=("status",), view=webhook_view
    )


def update_webhook(rt: Runtime, account_id: str, webhook_id: str, body: dict[str, Any]) -> Doc:
    doc = dict(get_webhook(rt, account_id, webhook_id))
    if "url" in body:
        _check_url(body["url"])
        doc["url"] = body["url"]
    if "events" in body:
        _check_events(rt, body["events"])
        doc["events"] = list(body["events"])
    if "secret" in body:
        doc["secret_encrypted"] = webhook_secrets.encrypt(rt, body["secret"])
    for name in ("description", "status"):
        if name in body:
            doc[name] = body[name]
    doc["updated_at"] = rt.timestamp()
    rt.store.put(WEBHOOKS, doc)
    return doc


def delete_webhook(rt: Runtime, account_id: str, webhook_id: str) -> Doc:
    """Remove the subscription; its pending deliveries are cancelled, its log is kept."""
    doc = get_webhook(rt, account_id, webhook_id)
    now = rt.timestamp()
    cancel_pending(rt, account_id, webhook_id)
    rt.store.delete(WEBHOOKS, webhook_id)
    return dict(doc, status="deleted", updated_at=now)


def ping(rt: Runtime, account_id: str, webhook_id: str) -> Doc:
    """Emit a ``webhook.ping`` event and deliver it to this subscription only (even disabled)."""
    webhook = get_webhook(rt, account_id, webhook_id)
    event = emit(
        rt,
        account_id,
        PING,
        {"webhook_id": webhook["id"], "url": webhook["url"], "events": list(webhook["events"])},
    )
    return new_delivery(rt, webhook, event, None)
