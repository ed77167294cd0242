"""Usage, invoices and estimates, computed from the ``meters`` table only.

Invoices follow the calendar month (UTC). The current month's invoice is a ``draft`` whose line
items are computed live on every read; a job scheduled at each month end finalises every
account's invoice for the month that just closed (status ``open``, line items frozen, due
``PAYMENT_TERMS`` later) and schedules the next month end. On the due date the emulated card on
file is charged and the invoice becomes ``paid``; an invoice for 0.00 is ``paid`` at once.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from lambda_emulator.core import billing as core
from lambda_emulator.core.pagination import Page, page_of
from lambda_emulator.core.timefmt import format_time, parse_time
from lambda_emulator.engine.meters import METERS
from lambda_emulator.errors import InvalidRequest, NotFound
from lambda_emulator.resources.accounts import ACCOUNTS
from lambda_emulator.runtime import JobHandler, Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "INVOICES",
    "JOB_HANDLERS",
    "MONTH_END_JOB",
    "PAYMENT_TERMS",
    "bootstrap",
    "estimate_view",
    "get_invoice",
    "list_invoices",
    "price_book",
    "statement",
    "usage_view",
]

INVOICES = "invoices"
MONTH_END_JOB = "billing.month_end"
INVOICE_DUE_JOB = "billing.invoice_due"
#: How long after a month closes its invoice is due (and charged).
PAYMENT_TERMS = timedelta(days=14)


def price_book(rt: Runtime) -> core.PriceBook:
    book = rt.tools.price_book
    if book is None:
        prices = rt.catalog.prices
        book = core.PriceBook(
            currency=rt.catalog.currency,
            hourly={name: rt.catalog.hourly_price(name) for name in rt.catalog.instance_types},
            volume_gb_month=Decimal(str(prices["volume_gb_month"])),
            snapshot_gb_month=Decimal(str(prices["snapshot_gb_month"])),
            hours_per_month=int(prices["hours_per_month"]),
        )
        rt.tools.price_book = book
    return book


def _ms(epoch: float) -> int:
    return round(epoch * 1000)


def _quantity(value: int | float | str) -> int | Decimal:
    return value if isinstance(value, int) else Decimal(str(value))


def _spans(rt: Runtime, account_id: str, start: float, end: float) -> list[core.MeterSpan]:
    """The account's meters that overlap ``[start, end)`` (epoch seconds)."""
    spans = []
    for m in rt.store.find(METERS, account_id):
        began, ended = m["started_at"], m["ended_at"]
        if began >= end or (ended is not None and ended <= start):
            continue
        spans.append(
            core.MeterSpan(
                m["resource_id"],
                m["resource_type"],
                m["description"],
                m["sku"],
                _quantity(m["quantity"]),
                round(began * 1000),
                None if ended is None else round(ended * 1000),
            )
        )
    return spans


def statement(rt: Runtime, account_id: str, start: datetime, end: datetime) -> core.Statement:
    """What ``account_id`` was charged for between ``start`` and ``end`` (never past now)."""
    start_ms = _ms(start.timestamp())
    end_ms = min(_ms(end.timestamp()), _ms(rt.clock.epoch()))
    spans = _spans(rt, account_id, start_ms / 1000, end_ms / 1000)
    return core.usage(spans, start_ms, end_ms, price_book(rt))


def _money(stmt: core.Statement) -> dict[str, Any]:
    return {
        "currency": stmt.currency,
        "total": core.money_text(stmt.total),
        "line_items": [item.view() for item in stmt.line_items],
    }


def _time(query: dict[str, Any], name: str) -> datetime | None:
    text = query.get(name)
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise InvalidRequest(
            f"'{name}' is not an RFC 3339 time",
            {"field": name, "value": text, "constraint": "RFC 3339 time with a zone"},
        ) from None


def usage_view(rt: Runtime, account_id: str, query: dict[str, Any]) -> dict[str, Any]:
    now = rt.now()
    end = _time(query, "end") or now
    start = _time(query, "start") or core.month_start(min(end, now))
    if start >= end:
        raise InvalidRequest(
            "'start' must be before 'end'",
            {"field": "start", "value": format_time(start), "constraint": "< end"},
        )
    stmt = statement(rt, account_id, start, end)
    return {
        "period_start": format_time(start),
        "period_end": format_time(end),
        "as_of": format_time(now),
        **_money(stmt),
    }


# invoices ----------------------------------------------------------------------------------
def _draft_for(rt: Runtime, account_id: str, period_start: str) -> Doc | None:
    for doc in rt.store.find(INVOICES, account_id):
        if doc["period_start"] == period_start:
            return doc
    return None


def _new_invoice(rt: Runtime, account_id: str, start: datetime) -> Doc:
    doc: Doc = {
        "id": rt.new_id("inv"),
        "account_id": account_id,
        "period_start": format_time(start),
        "period_end": format_time(core.next_month_start(start)),
        "status": "draft",
        "currency": rt.catalog.currency,
        "total": None,
        "line_items": None,
        "created_at": rt.timestamp(),
        "issued_at": None,
        "due_at": None,
        "paid_at": None,
    }
    rt.store.put(INVOICES, doc)
    return doc


def ensure_draft(rt: Runtime, account_id: str) -> Doc:
    """The current month's draft for the account, created the first time anyone needs it."""
    start = core.month_start(rt.now())
    return _draft_for(rt, account_id, format_time(start)) or _new_invoice(rt, account_id, start)


def invoice_view(rt: Runtime, doc: Doc) -> dict[str, Any]:
    view = {k: v for k, v in doc.items() if k != "account_id"}
    if doc["status"] == "draft":
        stmt = statement(
            rt, doc["account_id"], parse_time(doc["period_start"]), parse_time(doc["period_end"])
        )
        view.update(_money(stmt))
    return view


def list_invoices(rt: Runtime, account_id: str, query: dict[str, Any]) -> Page:
    ensure_draft(rt, account_id)
    views = [invoice_view(rt, doc) for doc in rt.store.find(INVOICES, account_id)]
    return page_of(views, query, filters=("status",), sort="period_start", order="desc")


def get_invoice(rt: Runtime, account_id: str, invoice_id: str) -> dict[str, Any]:
    ensure_draft(rt, account_id)
    doc = rt.store.get(INVOICES, invoice_id)
    if doc is None or doc["account_id"] != account_id:
        raise NotFound(f"Invoice '{invoice_id}' not found", {"field": "id", "value": invoice_id})
    return invoice_view(rt, doc)


def bootstrap(rt: Runtime) -> None:
    """Schedule the next month end unless it is already queued (start-up, reset, restore)."""
    if rt.jobs_where(MONTH_END_JOB):
        return
    with rt.transaction():
        due = core.next_month_start(rt.now())
        rt.schedule(MONTH_END_JOB, due.timestamp(), {"period_end": format_time(due)})


def _close_month(rt: Runtime, job: Doc) -> None:
    """Finalise every account's invoice for the month ending at the job's due time."""
    end = parse_time(job["payload"]["period_end"])
    start = core.month_start(end - timedelta(seconds=1))
    issued = format_time(end)
    for account in sorted(rt.store.all(ACCOUNTS), key=lambda a: (a["created_at"], a["id"])):
        if parse_time(account["created_at"]) >= end:
            continue
        doc = _draft_for(rt, account["id"], format_time(start))
        if doc is None:
            doc = _new_invoice(rt, account["id"], start)
        if doc["status"] != "draft":
            continue
        stmt = statement(rt, account["id"], start, end)
        due = end + PAYMENT_TERMS
        final = dict(
            doc,
            status="open" if stmt.total > 0 else "paid",
            issued_at=issued,
            due_at=format_time(due),
            paid_at=None if stmt.total > 0 else issued,
            **_money(stmt),
        )
        rt.store.put(INVOICES, final)
        if stmt.total > 0:
            rt.schedule(INVOICE_DUE_JOB, due.timestamp(), {"invoice_id": doc["id"]})
    following = core.next_month_start(end)
    rt.schedule(MONTH_END_JOB, following.timestamp(), {"period_end": format_time(following)})


def _charge(rt: Runtime, job: Doc) -> None:
    """The due date: the emulated card on file is charged and the invoice is paid."""
    doc = rt.store.get(INVOICES, job["payload"]["invoice_id"])
    if doc is not None and doc["status"] == "open":
        rt.store.put(INVOICES, dict(doc, status="paid", paid_at=rt.timestamp()))


JOB_HANDLERS: dict[str, JobHandler] = {MONTH_END_JOB: _close_month, INVOICE_DUE_JOB: _charge}


# estimates ---------------------------------------------------------------------------------
def estimate_view(rt: Runtime, query: dict[str, Any]) -> dict[str, Any]:
    instance_type = query["instance_type"]
    rt.catalog.require("instance_type", instance_type)
    raw_hours = query.get("hours", price_book(rt).hours_per_month)
    if isinstance(raw_hours, float) and not math.isfinite(raw_hours):
        raise InvalidRequest(
            "'hours' must be a finite number",
            {"field": "hours", "value": str(raw_hours), "constraint": "finite number"},
        )
    hours = Decimal(repr(raw_hours)) if isinstance(raw_hours, float) else Decimal(raw_hours)
    count = int(query.get("count", 1))
    volume = int(query.get("volume_size_gb", 0))
    snapshot = int(query.get("snapshot_size_gb", 0))
    stmt = core.estimate(
        price_book(rt),
        instance_type=instance_type,
        count=count,
        hours=hours,
        volume_size_gb=volume,
        snapshot_size_gb=snapshot,
    )
    return {
        "instance_type": instance_type,
        "count": count,
        "hours": core.decimal_text(hours),
        "volume_size_gb": volume,
        "snapshot_size_gb": snapshot,
        **_money(stmt),
    }
