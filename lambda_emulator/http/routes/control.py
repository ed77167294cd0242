"""``/_emulator``: the control plane a test uses to steer the emulator (no API key)."""

from __future__ import annotations

from typing import Any

from lambda_emulator import __version__
from lambda_emulator.engine import world as control
from lambda_emulator.errors import ServiceUnavailable
from lambda_emulator.http.declare import CONTROL, Call, Result
from lambda_emulator.resources import accounts, onboarding

__all__ = ["OPERATIONS"]

S = "control.json#/$defs/"


def health(call: Call) -> Any:
    rt = call.rt
    if not rt.ready:
        raise ServiceUnavailable("The emulator is still starting")
    return control.health_view(rt, __version__)


def reset(call: Call) -> Any:
    control.reset(call.rt)
    return {"reset": True, "now": call.rt.timestamp()}


def get_clock(call: Call) -> Any:
    return control.clock_view(call.rt)


def set_speed(call: Call) -> Any:
    call.rt.clock.set_speed(float(call.body["speed"]))
    return control.clock_view(call.rt)


def advance_clock(call: Call) -> Any:
    ran = call.rt.advance(float(call.body["seconds"]))
    return control.clock_view(call.rt, jobs_run=ran)


def create_account(call: Call) -> Any:
    account, _, secret = onboarding.create_account(
        call.rt, call.body.get("plan", "professional"), call.body.get("name")
    )
    return Result({"account": accounts.account_view(account), "api_key": secret}, status=201)


def set_plan(call: Call) -> Any:
    return accounts.account_view(accounts.set_plan(call.rt, call.params["id"], call.body["plan"]))


op = CONTROL


OPERATIONS = [
    op("GET", "/health", "emulatorHealth", "Health and readiness", health, response=S + "Health"),
    op(
        "POST",
        "/reset",
        "emulatorReset",
        "Reset to the fixtures and start-up flags",
        reset,
        response=S + "Reset",
        transactional=False,
    ),
    op(
        "GET", "/clock", "emulatorClock", "Read the emulator clock", get_clock, response=S + "Clock"
    ),
    op(
        "PUT",
        "/clock",
        "emulatorClockSpeed",
        "Set the clock's speed until the next reset",
        set_speed,
        body=S + "ClockSpeed",
        response=S + "Clock",
    ),
    op(
        "POST",
        "/clock/advance",
        "emulatorClockAdvance",
        "Advance the clock",
        advance_clock,
        body=S + "ClockAdvance",
        response=S + "Clock",
    ),
    op(
        "POST",
        "/accounts",
        "emulatorCreateAccount",
        "Create an account and its key",
        create_account,
        body=S + "AccountCreate",
        response=S + "AccountCreated",
        status=201,
    ),
    op(
        "PATCH",
        "/accounts/{id}",
        "emulatorSetPlan",
        "Change an account's plan",
        set_plan,
        body=S + "AccountPlan",
        response="account.json#/$defs/Account",
    ),
]
