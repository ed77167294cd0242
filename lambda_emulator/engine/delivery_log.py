"""The webhook delivery log: one record per delivery with its attempts, and what the sender
calls to prepare an attempt and record its outcome.

A new event (``engine.events.emit``) reaches ``queue_deliveries`` inside its transaction; it
records one ``pending`` delivery per matching active subscription and puts its id on the
runtime's ``DeliveryQueue``. The sender (``lambda_emulator.engine.sender``, in the app's lifespan)
takes ids off the queue, POSTs, and calls ``record_attempt``: a failure schedules a
``webhook.retry`` job on the emulator clock, whose handler puts the id back on the queue.

Everything a delivery needs is in the store (the delivery, its event, its subscription), and the
queue is only a wake-up list: ``pending_unscheduled`` finds what a stopped emulator left queued
or in flight, so a restart from a state file sends it again (at least once). Subscriptions
themselves are ``resources.webhooks``; the queue is ``engine.delivery_queue`` and the sender
``engine.sender``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambda_emulator.core import webhooks as core
from lambda_emulator.core.pagination import Page, page_of
from lambda_emulator.core.timefmt import format_time, from_epoch
from lambda_emulator.engine import webhook_secrets
from lambda_emulator.engine.events import EVENTS
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import Conflict, NotFound
from lambda_emulator.runtime import JOBS, JobHandler, Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "DELIVERIES",
    "JOB_HANDLERS",
    "PING",
    "RETRY_JOB",
    "WEBHOOKS",
    "Outgoing",
    "cancel_pending",
    "delivery_config",
    "delivery_view",
    "get_delivery",
    "list_deliveries",
    "new_delivery",
    "on_reset",
    "page_of_deliveries",
    "pending_unscheduled",
    "prepare",
    "queue_deliveries",
    "record_attempt",
    "redeliver",
]

WEBHOOKS = "webhooks"
DELIVERIES = "webhook_deliveries"
RETRY_JOB = "webhook.retry"
PING = "webhook.ping"


# the in-process queue ---------------------------------------------------------------------------
#: What the API shows of a stored document: the properties of its response schema.
delivery_view = PublicView("webhooks.json#/$defs/Delivery")


def on_reset(rt: Runtime) -> None:
    """Reset hook: what was queued or in flight belongs to the state that was just dropped;
    pending deliveries in the new state (a ``--fixtures`` document) are queued."""
    queue = rt.deliveries
    queue.clear()
    for delivery_id in pending_unscheduled(rt):
        queue.push(delivery_id)


# the delivery log -------------------------------------------------------------------------------
def delivery_config(rt: Runtime) -> dict[str, Any]:
    schedule = list(rt.webhook_retry_schedule)
    return {
        "timeout_seconds": rt.webhook_timeout,
        "retry_schedule": schedule,
        "max_attempts": core.max_attempts(schedule),
    }


def new_delivery(rt: Runtime, webhook: Doc, event: Doc, redelivery_of: str | None) -> Doc:
    now = rt.timestamp()
    doc: Doc = {
        "id": rt.new_id("dlv"),
        "account_id": webhook["account_id"],
        "webhook_id": webhook["id"],
        "event_id": event["id"],
        "event_type": event["type"],
        "status": "pending",
        "attempt_count": 0,
        "max_attempts": delivery_config(rt)["max_attempts"],
        "next_attempt_at": now,
        "last_error": None,
        "redelivery_of": redelivery_of,
        "attempts": [],
        "created_at": now,
        "updated_at": now,
        "completed_at": None,
        "job_id": None,
    }
    rt.store.put(DELIVERIES, doc)
    rt.deliveries.push(doc["id"])
    return doc


def queue_deliveries(rt: Runtime, event: Doc) -> None:
    """Event listener: one delivery per active subscription of the account that selects it.

    Pings are never broadcast: ``ping`` delivers them to the one subscription asked for.
    """
    if event["type"] == PING:
        return
    for webhook in sorted(rt.store.find(WEBHOOKS, event["account_id"]), key=_creation):
        if webhook["status"] == "active" and core.matches(webhook["events"], event["type"]):
            new_delivery(rt, webhook, event, None)


def _creation(doc: Doc) -> tuple[str, str]:
    return (str(doc["created_at"]), str(doc["id"]))


def get_delivery(rt: Runtime, delivery_id: str, account_id: str | None = None) -> Doc:
    doc = rt.store.get(DELIVERIES, delivery_id)
    if doc is None or (account_id is not None and doc["account_id"] != account_id):
        raise NotFound(f"Delivery '{delivery_id}' not found", {"field": "id", "value": delivery_id})
    return doc


def list_deliveries(rt: Runtime, account_id: str | None = None, **filters: str | None) -> list[Doc]:
    """Deliveries oldest first, optionally of one account, filtered by equality on fields."""
    rows = rt.store.find(DELIVERIES, account_id) if account_id else rt.store.all(DELIVERIES)
    wanted = {k: v for k, v in filters.items() if v is not None}
    return [d for d in rows if all(d.get(k) == v for k, v in wanted.items())]


def page_of_deliveries(
    rt: Runtime, account_id: str | None, query: dict[str, Any], webhook_id: str | None = None
) -> Page:
    """A page of the delivery log (one account's, or every account's for the control plane),
    filtered by the query's ``webhook_id``, ``status``, ``event_type`` and ``event_id``."""
    rows = list_deliveries(
        rt,
        account_id,
        webhook_id=webhook_id or query.get("webhook_id"),
        status=query.get("status"),
        event_type=query.get("event_type"),
        event_id=query.get("event_id"),
    )
    return page_of((delivery_view(d) for d in rows), query)


def redeliver(rt: Runtime, delivery_id: str, account_id: str | None = None) -> Doc:
    """A new delivery of the same event to the same subscription (same event id)."""
    original = get_delivery(rt, delivery_id, account_id)
    if original["status"] == "pending":
        raise Conflict(
            f"Delivery '{delivery_id}' is still pending; its next attempt is at "
            f"{original['next_attempt_at']} (advance the clock to hurry it)",
            {"status": original["status"], "next_attempt_at": original["next_attempt_at"]},
        )
    webhook = rt.store.get(WEBHOOKS, original["webhook_id"])
    if webhook is None:
        raise Conflict(
            f"Webhook '{original['webhook_id']}' was deleted; there is nowhere to redeliver to",
            {"field": "webhook_id", "value": original["webhook_id"], "status": "deleted"},
        )
    event = rt.store.get(EVENTS, original["event_id"])
    if event is None:
        raise Conflict(
            f"Event '{original['event_id']}' is no longer stored",
            {"field": "event_id", "value": original["event_id"]},
        )
    return new_delivery(rt, webhook, event, original["id"])


# what the sender calls --------------------------------------------------------------------------
@dataclass(frozen=True)
class Outgoing:
    """One attempt, ready to send: where, which bytes, which headers."""

    delivery_id: str
    attempt: int
    url: str
    body: bytes
    headers: dict[str, str]
    timeout: float
    generation: int
    #: Set when the attempt cannot even be made (an unreadable secret): recorded as failed.
    error: str | None = None


def prepare(rt: Runtime, delivery_id: str, user_agent: str) -> Outgoing | None:
    """The next attempt of a pending delivery, or None if it is no longer pending or is
    waiting for its retry job (which clears ``job_id`` when it falls due)."""
    delivery = rt.store.get(DELIVERIES, delivery_id)
    if delivery is None or delivery["status"] != "pending" or _has_retry_job(rt, delivery):
        return None
    webhook = rt.store.get(WEBHOOKS, delivery["webhook_id"])
    event = rt.store.get(EVENTS, delivery["event_id"])
    if webhook is None or event is None:
        return None
    attempt = int(delivery["attempt_count"]) + 1
    common = {
        "delivery_id": delivery_id,
        "attempt": attempt,
        "url": webhook["url"],
        "timeout": rt.webhook_timeout,
        "generation": rt.deliveries.generation,
    }
    try:
        secret = webhook_secrets.decrypt(rt, webhook["secret_encrypted"])
    except webhook_secrets.SecretUnreadable as exc:
        return Outgoing(body=b"", headers={}, error=str(exc), **common)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": user_agent,
        "X-Lambda-Event": event["type"],
        "X-Lambda-Delivery": delivery_id,
        "X-Lambda-Attempt": str(attempt),
    }
    body = core.build_body(event, secret)
    headers["X-Lambda-Signature"] = core.sign(secret, body)
    return Outgoing(body=body, headers=headers, **common)


def record_attempt(
    rt: Runtime,
    out: Outgoing,
    *,
    at: str,
    status_code: int | None,
    latency_ms: float,
    error: str | None,
    response_body: str | None,
) -> Doc | None:
    """Log one attempt; then the delivery succeeded, waits for a retry job, or failed."""
    delivery = rt.store.get(DELIVERIES, out.delivery_id)
    if delivery is None or delivery["status"] != "pending":
        return None
    succeeded = error is None and status_code is not None and core.is_success(status_code)
    if not succeeded and error is None:
        error = f"the receiver answered HTTP {status_code}"
    attempt = {
        "attempt": out.attempt,
        "at": at,
        "url": out.url,
        "status_code": status_code,
        "latency_ms": round(latency_ms, 3),
        "succeeded": succeeded,
        "error": error,
        "response_body": response_body,
    }
    now = rt.timestamp()
    doc = dict(
        delivery,
        attempts=[*delivery["attempts"], attempt],
        attempt_count=out.attempt,
        last_error=error,
        updated_at=now,
        job_id=None,
        next_attempt_at=None,
    )
    schedule = delivery_config(rt)["retry_schedule"]
    doc["max_attempts"] = core.max_attempts(schedule)
    delay = None if succeeded else core.retry_delay(schedule, out.attempt)
    if succeeded:
        doc.update(status="succeeded", completed_at=now)
    elif delay is None:
        doc.update(status="failed", completed_at=now)
    else:
        due = rt.clock.epoch() + delay
        doc["job_id"] = rt.schedule(RETRY_JOB, due, {"delivery_id": out.delivery_id})
        doc["next_attempt_at"] = format_time(from_epoch(due))
    rt.store.put(DELIVERIES, doc)
    return doc


def _has_retry_job(rt: Runtime, delivery: Doc) -> bool:
    job_id = delivery.get("job_id")
    return isinstance(job_id, str) and rt.store.get(JOBS, job_id) is not None


def _cancel_job(rt: Runtime, delivery: Doc) -> None:
    if delivery.get("job_id"):
        rt.cancel(delivery["job_id"])


def _retry(rt: Runtime, job: Doc) -> None:
    """Job handler: a retry fell due on the emulator clock; hand it to the sender."""
    delivery = rt.store.get(DELIVERIES, job["payload"]["delivery_id"])
    if delivery is None or delivery["status"] != "pending":
        return
    rt.store.put(DELIVERIES, dict(delivery, job_id=None))
    rt.deliveries.push(delivery["id"])


def pending_unscheduled(rt: Runtime) -> list[str]:
    """Pending deliveries with no retry job: queued or in flight when the emulator stopped."""
    rows = [
        d
        for d in rt.store.all(DELIVERIES)
        if d["status"] == "pending" and not _has_retry_job(rt, d)
    ]
    rows.sort(key=_creation)
    return [d["id"] for d in rows]


JOB_HANDLERS: dict[str, JobHandler] = {RETRY_JOB: _retry}


def cancel_pending(rt: Runtime, account_id: str, webhook_id: str) -> None:
    """A deleted subscription's pending deliveries are cancelled; its log is kept."""
    now = rt.timestamp()
    for delivery in rt.store.find(DELIVERIES, account_id):
        if delivery["webhook_id"] == webhook_id and delivery["status"] == "pending":
            _cancel_job(rt, delivery)
            rt.store.put(
                DELIVERIES,
                dict(
                    delivery,
                    status="cancelled",
                    next_attempt_at=None,
                    job_id=None,
                    last_error="the webhook was deleted",
                    updated_at=now,
                    completed_at=now,
                ),
            )
