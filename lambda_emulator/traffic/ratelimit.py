"""Per-account rate limiting on the emulator clock, by the account's plan.

The windows live in ``rt.traffic`` (in-process, like a real front end's counters): a restart or a
reset starts every account afresh. The arithmetic is ``core.ratelimit``.
"""

from __future__ import annotations

from collections.abc import Callable

from lambda_emulator.core.ratelimit import Decision, Limits, Window, check, preview
from lambda_emulator.runtime import Runtime
from lambda_emulator.traffic.refusals import refusal

__all__ = ["admit", "limits_for", "peek"]

_DEFAULT_PLAN = "professional"


def limits_for(rt: Runtime, plan: str) -> Limits:
    cache = rt.traffic.plan_limits
    limits = cache.get(plan)
    if limits is None:
        table = rt.catalog.plans.get(plan) or rt.catalog.plans[_DEFAULT_PLAN]
        rate = table["rate_limit"]
        limits = cache[plan] = Limits(int(rate["requests_per_hour"]), int(rate["burst"]))
    return limits


def _limits_of(rt: Runtime, account_id: str) -> Limits:
    account = rt.store.get("accounts", account_id)
    return limits_for(rt, account["plan"] if account else _DEFAULT_PLAN)


def admit(rt: Runtime, account_id: str) -> Decision | None:
    """Count one request of ``account_id``; its headers, ``None`` when limits are off, or 429."""
    seen = _step(rt, account_id, check)
    if seen is None:
        return None
    limits, decision = seen
    if decision.allowed:
        return decision
    raise refusal(limits, decision, decision.retry_after)


def peek(rt: Runtime, account_id: str) -> tuple[Limits, Decision] | None:
    """The account's limits and what its next request would meet, counting nothing (``None``
    when limits are off): for answers that never reached the limiter but must carry its
    headers, like an injected error."""
    return _step(rt, account_id, preview)


def _step(
    rt: Runtime,
    account_id: str,
    arithmetic: Callable[[Window | None, float, Limits], tuple[Window, Decision]],
) -> tuple[Limits, Decision] | None:
    """One step of the account's window by ``arithmetic`` (count, or only look)."""
    if not rt.rate_limits_on:
        return None
    limits = _limits_of(rt, account_id)
    windows = rt.traffic.rate_windows
    window, decision = arithmetic(windows.get(account_id), rt.clock.epoch(), limits)
    windows[account_id] = window
    return limits, decision
