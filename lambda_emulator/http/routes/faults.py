"""``/_emulator/faults``: rules that make matching API requests fail or slow down."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import CONTROL, Call, Result

__all__ = ["OPERATIONS"]

S = "traffic.json#/$defs/"


def create_fault(call: Call) -> Any:
    return Result(call.rt.traffic.faults.add(call.body, call.rt.timestamp()).view(), status=201)


def list_faults(call: Call) -> Any:
    return [f.view() for f in call.rt.traffic.faults.rules]


def get_fault(call: Call) -> Any:
    return call.rt.traffic.faults.get(call.params["id"]).view()


def delete_fault(call: Call) -> Any:
    return call.rt.traffic.faults.delete(call.params["id"]).view()


op = CONTROL

OPERATIONS = [
    op(
        "POST",
        "/faults",
        "emulatorCreateFault",
        "Inject errors or latency into matching requests",
        create_fault,
        body=S + "FaultCreate",
        response=S + "Fault",
        status=201,
    ),
    op(
        "GET",
        "/faults",
        "emulatorListFaults",
        "List fault rules",
        list_faults,
        response=S + "Fault",
        listing=True,
    ),
    op.clear(
        "/faults",
        "emulatorClearFaults",
        "Delete every fault rule",
        lambda call: call.rt.traffic.faults.clear(),
    ),
    op(
        "GET",
        "/faults/{id}",
        "emulatorGetFault",
        "Get a fault rule",
        get_fault,
        response=S + "Fault",
    ),
    op(
        "DELETE",
        "/faults/{id}",
        "emulatorDeleteFault",
        "Delete a fault rule",
        delete_fault,
        response=S + "Fault",
    ),
]
