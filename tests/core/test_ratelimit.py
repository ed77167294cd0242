"""Rate-limit arithmetic with an injected clock: exact counts, exact waits."""

from __future__ import annotations

import pytest

from lambda_emulator.core.ratelimit import HOUR, Decision, Limits, Window, check

FREE = Limits(per_hour=1000, burst=50)
PRO = Limits(per_hour=10000, burst=200)
#: 2026-01-24T10:30:00Z, half an hour into the 10:00 window.
T0 = 1769250600.0
HOUR_END = 1769252400


def run(limits: Limits, times: list[float]) -> list[Decision]:
    window: Window | None = None
    decisions = []
    for now in times:
        window, decision = check(window, now, limits)
        decisions.append(decision)
    return decisions


def test_the_51st_request_on_free_waits_until_the_first_is_a_second_old() -> None:
    decisions = run(FREE, [T0 + 0.25] * 51 + [T0 + 0.999, T0 + 1.0, T0 + 1.25])
    assert all(d.allowed for d in decisions[:50])
    refused = decisions[50]
    assert (refused.allowed, refused.exceeded, refused.retry_after) == (False, "burst", 1)
    assert refused.remaining == 950  # the hour still has room: only the burst is full
    assert not decisions[51].allowed
    assert not decisions[52].allowed  # a new clock second, but the 50 are not a second old
    assert decisions[53].allowed  # now they are


@pytest.mark.parametrize(("offset", "retry_after"), [(0.0, 1780), (0.5, 1780), (1700.3, 80)])
def test_the_1001st_request_in_an_hour_waits_for_the_hours_end(
    offset: float, retry_after: int
) -> None:
    # 1,000 requests spread over 20 seconds (50 per second), then one more 20 s later.
    times = [T0 + offset + i // 50 for i in range(1000)]
    decisions = run(FREE, [*times, T0 + offset + 20])
    assert all(d.allowed for d in decisions[:1000])
    assert decisions[999].remaining == 0
    last = decisions[1000]
    assert (last.allowed, last.exceeded, last.remaining) == (False, "hourly", 0)
    assert last.retry_after == retry_after  # whole seconds to the hour's end, rounded up


def test_a_full_hour_opens_again_exactly_at_the_hours_end() -> None:
    window = Window(hour_start=HOUR_END - HOUR, hour_count=1000)
    window, refused = check(window, HOUR_END - 0.001, FREE)
    assert (refused.allowed, refused.retry_after, refused.reset) == (False, 1, HOUR_END)
    _, allowed = check(window, HOUR_END, FREE)
    assert (allowed.allowed, allowed.remaining, allowed.reset) == (True, 999, HOUR_END + HOUR)


def test_refused_requests_are_not_counted() -> None:
    decisions = run(FREE, [T0] * 60 + [T0 + 1] * 50)
    assert sum(d.allowed for d in decisions) == 100
    assert decisions[-1].remaining == 900


@pytest.mark.parametrize(
    ("limits", "count", "remaining"),
    [(FREE, 1, 999), (FREE, 50, 950), (PRO, 1, 9999), (PRO, 200, 9800)],
)
def test_headers_count_down_within_the_burst(limits: Limits, count: int, remaining: int) -> None:
    last = run(limits, [T0] * count)[-1]
    assert last.allowed
    assert last.headers() == {
        "X-RateLimit-Limit": str(limits.per_hour),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(HOUR_END),
    }


def test_the_burst_slides_across_clock_seconds_and_the_hour_carries_over() -> None:
    decisions = run(PRO, [T0 + 0.9] * 200 + [T0 + 1.1] * 200 + [T0 + 1.9] * 200)
    assert all(d.allowed for d in decisions[:200])
    assert not any(d.allowed for d in decisions[200:400])  # 400 within 0.2 s: refused
    assert all(d.allowed for d in decisions[400:])
    assert decisions[-1].remaining == 9600
