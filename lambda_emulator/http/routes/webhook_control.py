"""``/_emulator/webhooks``: every account's deliveries, redelivery, the sender's settings, and
a drain that waits until everything due has been attempted."""

from __future__ import annotations

from typing import Any

from lambda_emulator.engine import delivery_log
from lambda_emulator.errors import ServiceUnavailable
from lambda_emulator.http.declare import CONTROL, Call, Result

__all__ = ["OPERATIONS"]

S = "webhooks.json#/$defs/"


def list_deliveries(call: Call) -> Any:
    return delivery_log.page_of_deliveries(call.rt, call.query.get("account_id"), call.query)


def get_delivery(call: Call) -> Any:
    return delivery_log.delivery_view(delivery_log.get_delivery(call.rt, call.params["id"]))


def redeliver(call: Call) -> Any:
    doc = delivery_log.redeliver(call.rt, call.params["id"])
    return Result(delivery_log.delivery_view(doc), status=202)


def get_config(call: Call) -> Any:
    return delivery_log.delivery_config(call.rt)


def set_config(call: Call) -> Any:
    body = call.body
    if "timeout_seconds" in body:
        call.rt.overrides.webhook_timeout = float(body["timeout_seconds"])
    if "retry_schedule" in body:
        call.rt.overrides.webhook_retry_schedule = tuple(float(s) for s in body["retry_schedule"])
    return delivery_log.delivery_config(call.rt)


def drain(call: Call) -> Any:
    queue = call.rt.deliveries
    drainer = queue.drainer
    if drainer is None:
        raise ServiceUnavailable("The webhook sender is not running")
    timeout = float(call.body.get("timeout_seconds", 10))
    rt = call.rt

    async def wait() -> dict[str, Any]:
        drained = await drainer(timeout)
        waiting = sum(
            1 for d in delivery_log.list_deliveries(rt, status="pending") if d.get("job_id")
        )
        return {
            "drained": drained,
            "queued": len(queue.ready),
            "in_flight": len(queue.in_flight),
            "waiting_for_retry": waiting,
        }

    return wait()


op = CONTROL


OPERATIONS = [
    op(
        "GET",
        "/webhooks/deliveries",
        "emulatorListDeliveries",
        "List webhook deliveries of every account",
        list_deliveries,
        query=S + "ControlDeliveryListQuery",
        response=S + "Delivery",
        listing=True,
    ),
    op(
        "GET",
        "/webhooks/deliveries/{id}",
        "emulatorGetDelivery",
        "Get one delivery with every attempt",
        get_delivery,
        response=S + "Delivery",
    ),
    op(
        "POST",
        "/webhooks/deliveries/{id}/redeliver",
        "emulatorRedeliver",
        "Send a finished delivery's event again, as a new delivery",
        redeliver,
        response=S + "Delivery",
        status=202,
    ),
    op(
        "GET",
        "/webhooks/config",
        "emulatorWebhookConfig",
        "Read the delivery timeout and retry schedule",
        get_config,
        response=S + "DeliveryConfig",
    ),
    op(
        "PUT",
        "/webhooks/config",
        "emulatorSetWebhookConfig",
        "Change the delivery timeout or retry schedule until the next reset",
        set_config,
        body=S + "DeliveryConfigUpdate",
        response=S + "DeliveryConfig",
    ),
    op(
        "POST",
        "/webhooks/drain",
        "emulatorDrainWebhooks",
        "Wait until every delivery that is due has been attempted",
        drain,
        body=S + "Drain",
        response=S + "DrainResult",
    ),
]
