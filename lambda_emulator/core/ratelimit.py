"""Rate-limit arithmetic: an hourly fixed window and a sliding one-second burst, per account.

The hourly window is aligned to the hour of the emulator clock (10:00:00–11:00:00), so
``X-RateLimit-Reset`` is the epoch second at which it ends. The burst is the most requests
allowed within ANY interval of one second, not within each clock second: a fixed per-second
window would let 50 requests at 10:00:00.9 and 50 more at 10:00:01.1 through on the free plan,
100 within 0.2 s. So a ``Window`` keeps the times of the requests it counted in the last second,
oldest first; a request at ``now`` passes when fewer than ``burst`` of them are later than
``now - 1``, and a refused one waits until the oldest of them leaves the interval.

Cost and memory: every counted time is appended once and dropped once, so a check is O(1)
amortised, and no more than ``burst`` times are ever kept per account (a time is appended only
when fewer than ``burst`` are in the interval). A refused request is not counted: a client that
backs off and retries is not punished twice.

Pure: the caller passes ``now`` (emulator epoch seconds) and keeps the returned ``Window`` (the
same object, updated in place, so the burst's times are not copied on every request).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

__all__ = ["BURST_SECONDS", "HOUR", "Decision", "Limits", "Window", "check", "preview"]

HOUR = 3600
#: The length of the interval the burst limit applies to.
BURST_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    per_hour: int
    burst: int


@dataclass
class Window:
    """What has been counted for one account: the current hour, and the times of the requests
    counted within the last second (oldest first, at most ``burst`` of them)."""

    hour_start: int
    hour_count: int = 0
    recent: deque[float] = field(default_factory=deque)

    def forget_before(self, now: float) -> None:
        """Drop the counted times that no longer share a one-second interval with ``now``."""
        recent = self.recent
        horizon = now - BURST_SECONDS
        while recent and recent[0] <= horizon:
            recent.popleft()


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


def _current(window: Window | None, now: float) -> Window:
    """``window`` as of ``now``: a new hour starts its count afresh (the burst's times carry
    over, since an interval of one second may straddle the hour)."""
    hour_start = int(now // HOUR) * HOUR
    if window is None:
        window = Window(hour_start)
    elif window.hour_start != hour_start:
        window.hour_start, window.hour_count = hour_start, 0
    window.forget_before(now)
    return window


def _verdict(window: Window, now: float, limits: Limits) -> Decision:
    """What a request at ``now`` would meet, counting nothing."""
    reset = window.hour_start + HOUR
    if window.hour_count >= limits.per_hour:
        # The hour's end is never before the burst frees up, so it alone decides the wait.
        return Decision(False, limits.per_hour, 0, reset, _seconds_until(reset, now), "hourly")
    remaining = limits.per_hour - window.hour_count
    if len(window.recent) >= limits.burst:
        wait = _seconds_until(window.recent[0] + BURST_SECONDS, now)
        return Decision(False, limits.per_hour, remaining, reset, wait, "burst")
    return Decision(True, limits.per_hour, remaining, reset, 0)


def check(window: Window | None, now: float, limits: Limits) -> tuple[Window, Decision]:
    """Count one request at ``now`` if the limits allow it; the window and the verdict."""
    window = _current(window, now)
    if window.hour_count < limits.per_hour and len(window.recent) < limits.burst:
        # the common case, with one Decision built: every request pays for this path
        window.hour_count += 1
        window.recent.append(now)
        remaining = limits.per_hour - window.hour_count
        return window, Decision(True, limits.per_hour, remaining, window.hour_start + HOUR, 0)
    return window, _verdict(window, now, limits)


def preview(window: Window | None, now: float, limits: Limits) -> tuple[Window, Decision]:
    """What a request at ``now`` would meet, without counting it: the headers an answer
    carries when the request never reached the rate limiter (an injected error)."""
    window = _current(window, now)
    return window, _verdict(window, now, limits)
