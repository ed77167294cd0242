"""The event outbox: every change of state appends one event, ready for webhook delivery."""

from __future__ import annotations

from typing import Any

from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = ["EVENTS", "emit", "list_events"]

EVENTS = "events"


def emit(rt: Runtime, account_id: str, event_type: str, data: dict[str, Any]) -> Doc:
    event = {
        "id": rt.new_id("evt"),
        "seq": rt.next_seq("event"),
        "account_id": account_id,
        "type": event_type,
        "timestamp": rt.timestamp(),
        "data": data,
    }
    rt.store.put(EVENTS, event)
    for listener in rt.event_listeners:
        listener(rt, event)
    return event


def list_events(rt: Runtime, account_id: str) -> list[Doc]:
    return sorted(rt.store.find(EVENTS, account_id), key=lambda e: int(e["seq"]))
