"""``/_emulator``: fault injection, the request journal, state export/import, rate-limit switch."""

from __future__ import annotations

from typing import Any

from lambda_emulator.engine import state_documents as state
from lambda_emulator.http.operations import Call, Operation, Result
from lambda_emulator.http.validation import SchemaSet
from lambda_emulator.traffic import ratelimit

__all__ = ["OPERATIONS"]

S = "traffic.json#/$defs/"
TAG = "Emulator control"
#: Every table of a state document, each stored document checked against its schema.
STORED_TABLES = "state.json#/$defs/Tables"
#: A state document may be far larger than an API request body.
STATE_BODY_LIMIT = 512 * 1024 * 1024


def create_fault(call: Call) -> Any:
    return Result(call.rt.traffic.faults.add(call.body, call.rt.timestamp()).view(), status=201)


def list_faults(call: Call) -> Any:
    return [f.view() for f in call.rt.traffic.faults.rules]


def get_fault(call: Call) -> Any:
    return call.rt.traffic.faults.get(call.params["id"]).view()


def delete_fault(call: Call) -> Any:
    return call.rt.traffic.faults.delete(call.params["id"]).view()


def clear_faults(call: Call) -> Any:
    return {"deleted": call.rt.traffic.faults.clear()}


def list_requests(call: Call) -> Any:
    return call.rt.traffic.journal.select(**call.query)


def clear_requests(call: Call) -> Any:
    return {"deleted": call.rt.traffic.journal.clear()}


def export_state(call: Call) -> Any:
    return state.export_state(call.rt)


def check_tables(schemas: SchemaSet, tables: dict[str, Any]) -> None:
    """Every stored document of ``tables`` against ``state.json``; a refusal names the field.

    The compiled check clears a good document in one pass. For a bad one, the slow explaining
    validator runs only on the first failing document (not on a state of 100 000 documents,
    which takes it many seconds)."""
    if schemas.prepare(STORED_TABLES)(tables):
        return
    for name, rows in tables.items():
        table_ref = f"{STORED_TABLES}/properties/{name}"
        try:
            schemas.resolve(table_ref)
        except LookupError:
            schemas.check_at(STORED_TABLES, {name: rows}, "tables")  # an unknown table
            continue
        fits = schemas.prepare(table_ref + "/additionalProperties")
        for doc_id, doc in rows.items():
            if not fits(doc):
                where = f"tables.{name}.{doc_id}"
                schemas.check_at(table_ref + "/additionalProperties", doc, where)
    schemas.check_at(STORED_TABLES, tables, "tables")


def import_state(call: Call) -> Any:
    def check(tables: dict[str, Any]) -> None:
        check_tables(call.schemas, tables)

    return {"imported": True, "tables": state.import_state(call.rt, call.body, check)}


def _rate_limits(call: Call) -> dict[str, Any]:
    rt = call.rt
    plans = {}
    for plan in rt.catalog.plans:
        limits = ratelimit.limits_for(rt, plan)
        plans[plan] = {"requests_per_hour": limits.per_hour, "burst": limits.burst}
    return {"enabled": rt.rate_limits_on, "plans": plans}


def get_rate_limits(call: Call) -> Any:
    return _rate_limits(call)


def set_rate_limits(call: Call) -> Any:
    call.rt.overrides.rate_limits = bool(call.body["enabled"])
    call.rt.traffic.rate_windows.clear()
    return _rate_limits(call)


def _op(method: str, path: str, name: str, summary: str, handler: Any, **kw: Any) -> Operation:
    return Operation(method, path, name, summary, TAG, handler, authenticated=False, **kw)


OPERATIONS = [
    _op(
        "POST",
        "/faults",
        "emulatorCreateFault",
        "Inject errors or latency into matching requests",
        create_fault,
        body=S + "FaultCreate",
        response=S + "Fault",
        status=201,
    ),
    _op(
        "GET",
        "/faults",
        "emulatorListFaults",
        "List fault rules",
        list_faults,
        response=S + "Fault",
        listing=True,
    ),
    _op(
        "DELETE",
        "/faults",
        "emulatorClearFaults",
        "Delete every fault rule",
        clear_faults,
        response=S + "Cleared",
    ),
    _op(
        "GET",
        "/faults/{id}",
        "emulatorGetFault",
        "Get a fault rule",
        get_fault,
        response=S + "Fault",
    ),
    _op(
        "DELETE",
        "/faults/{id}",
        "emulatorDeleteFault",
        "Delete a fault rule",
        delete_fault,
        response=S + "Fault",
    ),
    _op(
        "GET",
        "/requests",
        "emulatorListRequests",
        "Recent API requests (the journal), oldest first",
        list_requests,
        query=S + "JournalQuery",
        response=S + "JournalEntry",
        listing=True,
    ),
    _op(
        "DELETE",
        "/requests",
        "emulatorClearRequests",
        "Empty the journal",
        clear_requests,
        response=S + "Cleared",
    ),
    _op(
        "GET",
        "/state",
        "emulatorExportState",
        "Export the whole state",
        export_state,
        response=S + "StateDocument",
    ),
    _op(
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
    _op(
        "GET",
        "/rate-limits",
        "emulatorRateLimits",
        "Rate limits per plan and whether they are enforced",
        get_rate_limits,
        response=S + "RateLimits",
    ),
    _op(
        "PUT",
        "/rate-limits",
        "emulatorSetRateLimits",
        "Switch rate limiting on or off until reset",
        set_rate_limits,
        body=S + "RateLimitsUpdate",
        response=S + "RateLimits",
    ),
]
