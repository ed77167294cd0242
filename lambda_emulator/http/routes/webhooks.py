"""``/v1/webhooks``: subscriptions, a test ping, and each subscription's delivery log."""

from __future__ import annotations

from typing import Any

from lambda_emulator.engine import delivery_log
from lambda_emulator.errors import NotFound
from lambda_emulator.http.declare import Call, OperationFamily, Result
from lambda_emulator.resources import webhooks

__all__ = ["OPERATIONS"]

S = "webhooks.json#/$defs/"
TAG = "Webhooks"


def ping_webhook(call: Call) -> Any:
    doc = webhooks.ping(call.rt, call.account_id, call.params["id"])
    return Result(delivery_log.delivery_view(doc), status=202)


def list_webhook_deliveries(call: Call) -> Any:
    webhook = webhooks.get_webhook(call.rt, call.account_id, call.params["id"])
    return delivery_log.page_of_deliveries(
        call.rt, call.account_id, call.query, webhook_id=webhook["id"]
    )


def _owned_delivery(call: Call) -> dict[str, Any]:
    """The path's delivery, if it belongs to the path's webhook of the caller's account."""
    webhook = webhooks.get_webhook(call.rt, call.account_id, call.params["id"])
    delivery_id = call.params["delivery_id"]
    doc = delivery_log.get_delivery(call.rt, delivery_id, call.account_id)
    if doc["webhook_id"] != webhook["id"]:
        raise NotFound(
            f"Delivery '{delivery_id}' not found for webhook '{webhook['id']}'",
            {"field": "delivery_id", "value": delivery_id},
        )
    return doc


def get_webhook_delivery(call: Call) -> Any:
    return delivery_log.delivery_view(_owned_delivery(call))


def redeliver(call: Call) -> Any:
    original = _owned_delivery(call)
    doc = delivery_log.redeliver(call.rt, original["id"], call.account_id)
    return Result(delivery_log.delivery_view(doc), status=202)


op = OperationFamily(tag=TAG, read="webhooks:read", write="webhooks:write")


OPERATIONS = [
    *op.collection(
        "/webhooks",
        S,
        "Webhook",
        webhooks.webhook_view,
        create=webhooks.create_webhook,
        page=webhooks.list_webhooks,
        get=webhooks.get_webhook,
        update=webhooks.update_webhook,
        delete=webhooks.delete_webhook,
    ),
    op(
        "POST",
        "/webhooks/{id}/ping",
        "pingWebhook",
        "Ping Webhook",
        ping_webhook,
        response=S + "Delivery",
        status=202,
    ),
    op(
        "GET",
        "/webhooks/{id}/deliveries",
        "listWebhookDeliveries",
        "List Webhook Deliveries",
        list_webhook_deliveries,
        query=S + "DeliveryListQuery",
        response=S + "Delivery",
        listing=True,
    ),
    op(
        "GET",
        "/webhooks/{id}/deliveries/{delivery_id}",
        "getWebhookDelivery",
        "Get Webhook Delivery",
        get_webhook_delivery,
        response=S + "Delivery",
    ),
    op(
        "POST",
        "/webhooks/{id}/deliveries/{delivery_id}/redeliver",
        "redeliverWebhookDelivery",
        "Redeliver Webhook Delivery",
        redeliver,
        response=S + "Delivery",
        status=202,
    ),
]
