"""``/_emulator/state``: export the whole state, or replace it with a checked document."""

from __future__ import annotations

from typing import Any

from lambda_emulator.engine import state_documents as state
from lambda_emulator.http.declare import CONTROL, Call
from lambda_emulator.http.validation import check_state_tables

__all__ = ["OPERATIONS"]

S = "traffic.json#/$defs/"
#: A state document may be far larger than an API request body.
STATE_BODY_LIMIT = 512 * 1024 * 1024


def export_state(call: Call) -> Any:
    return state.export_state(call.rt)


def import_state(call: Call) -> Any:
    def check(tables: dict[str, Any]) -> None:
        check_state_tables(call.schemas, tables)

    return {"imported": True, "tables": state.import_state(call.rt, call.body, check)}


op = CONTROL

OPERATIONS = [
    op(
        "GET",
        "/state",
        "emulatorExportState",
        "Export the whole state",
        export_state,
        response=S + "StateDocument",
    ),
    op(
        "PUT",
        "/state",
        "emulatorImportState",
        "Replace the whole state",
        import_state,
        body=S + "StateImport",
        response=S + "StateImported",
        transactional=False,
        max_body_bytes=STATE_BODY_LIMIT,
    ),
]
