"""``/_emulator/requests``: the journal of recent API requests, for tests to assert on."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import CONTROL, Call

__all__ = ["OPERATIONS"]

S = "traffic.json#/$defs/"


def list_requests(call: Call) -> Any:
    return call.rt.traffic.journal.select(**call.query)


op = CONTROL

OPERATIONS = [
    op(
        "GET",
        "/requests",
        "emulatorListRequests",
        "Recent API requests (the journal), oldest first",
        list_requests,
        query=S + "JournalQuery",
        response=S + "JournalEntry",
        listing=True,
    ),
    op.clear(
        "/requests",
        "emulatorClearRequests",
        "Empty the journal",
        lambda call: call.rt.traffic.journal.clear(),
    ),
]
