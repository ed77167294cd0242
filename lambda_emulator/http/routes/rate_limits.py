"""``/_emulator/rate-limits``: the plans' limits, and the switch that turns them off."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import CONTROL, Call
from lambda_emulator.traffic import ratelimit

__all__ = ["OPERATIONS"]

S = "traffic.json#/$defs/"


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


op = CONTROL

OPERATIONS = [
    op(
        "GET",
        "/rate-limits",
        "emulatorRateLimits",
        "Rate limits per plan and whether they are enforced",
        get_rate_limits,
        response=S + "RateLimits",
    ),
    op(
        "PUT",
        "/rate-limits",
        "emulatorSetRateLimits",
        "Switch rate limiting on or off until reset",
        set_rate_limits,
        body=S + "RateLimitsUpdate",
        response=S + "RateLimits",
    ),
]
