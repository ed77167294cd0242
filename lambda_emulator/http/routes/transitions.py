"""``/_emulator/transitions``: how lifecycle transitions complete (realistic, instant, manual)."""

from __future__ import annotations

from typing import Any

from lambda_emulator.engine import transitions
from lambda_emulator.http.declare import CONTROL, Call

__all__ = ["OPERATIONS"]

S = "transitions.json#/$defs/"


def get(call: Call) -> Any:
    return transitions.config(call.rt)


def put(call: Call) -> Any:
    body = call.body
    return transitions.set_config(call.rt, body["mode"], body.get("durations"), body.get("reads"))


op = CONTROL

OPERATIONS = [
    op(
        "GET",
        "/transitions",
        "emulatorGetTransitions",
        "Read the transition mode and durations",
        get,
        response=S + "Transitions",
    ),
    op(
        "PUT",
        "/transitions",
        "emulatorSetTransitions",
        "Set the transition mode, durations and manual read count (until reset)",
        put,
        body=S + "TransitionsUpdate",
        response=S + "Transitions",
    ),
]
