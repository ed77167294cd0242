"""``/_emulator/requests``: the journal of recent API requests, for tests to assert on."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily

__all__ = ["OPERATIONS"]

S = "traffic.json#/$defs/"
TAG = "Emulator control"


def list_requests(call: Call) -> Any:
    return call.rt.traffic.journal.select(**call.query)


def clear_requests(call: Call) -> Any:
    return {"deleted": call.rt.traffic.journal.clear()}


op = OperationFamily(tag=TAG, authenticated=False)

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
    op(
        "DELETE",
        "/requests",
        "emulatorClearRequests",
        "Empty the journal",
        clear_requests,
        response=S + "Cleared",
    ),
]
