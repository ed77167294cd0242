"""Rate-limit arithmetic: an hourly fixed window and a one-second burst window, per account.

The hourly window is aligned to the hour of the emulator clock (10:00:00–11:00:00), so
``X-RateLimit-Reset`` is the epoch second at which it ends. The burst is the most requests
allowed within any one clock second (the same fixed-window idea at a one-second grain). A
refused request is not counted: a client that backs off and retries is not punished twice.

Pure: the caller passes ``now`` (emulator epoch seconds) and keeps the returned ``Window``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["HOUR", "Decision", "Limits", "Window", "check"]

HOUR = 3600


@dataclass(frozen=True)
class Limits:
    per_hour: int
    burst: int


@dataclass(frozen=True)
class Window:
    """What has been counted for one account: the current hour and the current second."""

    hour_start: int
    hour_count: int
    second: int
    second_count: int


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    #: Epoch seconds at which the hourly window ends.
    reset: int
    #: Whole seconds until a request would pass (0 when allowed).
    retry_after: int
    #: ``"hourly"`` or ``"burst"`` when refused, else ``None``.
    exceeded: str | None = None

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def _seconds_until(moment: float, now: float) -> int:
    """Whole seconds to wait from ``now`` until ``moment`` has been reached (at least 1)."""
    return max(1, math.ceil(moment - now))


def check(window: Window | None, now: float, limits: Limits) -> tuple[Window, Decision]:
    """Count one request at ``now`` if the limits allow it; the new window and the verdict."""
    hour_start = int(now // HOUR) * HOUR
    second = math.floor(now)
    reset = hour_start + HOUR
    if window is None or window.hour_start != hour_start:
        window = Window(hour_start, 0, second, 0)
    if window.second != second:
        window = Window(window.hour_start, window.hour_count, second, 0)
    if window.hour_count >= limits.per_hour:
        # The hour's end is never before the next second, so it alone decides the wait.
        return window, Decision(
            False, limits.per_hour, 0, reset, _seconds_until(reset, now), "hourly"
        )
    remaining = limits.per_hour - window.hour_count
    if window.second_count >= limits.burst:
        wait = _seconds_until(second + 1, now)
        return window, Decision(False, limits.per_hour, remaining, reset, wait, "burst")
    counted = Window(hour_start, window.hour_count + 1, second, window.second_count + 1)
    return counted, Decision(True, limits.per_hour, remaining - 1, reset, 0)
