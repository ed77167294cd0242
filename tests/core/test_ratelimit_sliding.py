"""The burst as a sliding window: at most ``burst`` requests within ANY one second.

Pure arithmetic with explicit times, so every boundary is exact: which request passes, what
``Retry-After`` says, and that the memory kept per account never exceeds the burst.
"""

from __future__ import annotations

import random

import pytest

from lambda_emulator.core.ratelimit import Decision, Limits, Window, check, preview

FREE = Limits(per_hour=1000, burst=50)
#: 2026-01-24T10:00:00Z, the start of an hour.
H = 1769248800.0


def run(limits: Limits, times: list[float]) -> tuple[Window | None, list[Decision]]:
    window: Window | None = None
    decisions = []
    for now in times:
        window, decision = check(window, now, limits)
        decisions.append(decision)
    return window, decisions


def test_the_audit_case_50_at_point_9_and_50_at_1_point_1_lets_only_50_through() -> None:
    _, decisions = run(FREE, [H + 0.9] * 50 + [H + 1.1] * 50)
    assert all(d.allowed for d in decisions[:50])
    refused = decisions[50:]
    assert not any(d.allowed for d in refused)
    # the first 50 leave the interval at 1.9: 0.8 s away, announced as 1 whole second
    assert {(d.exceeded, d.retry_after) for d in refused} == {("burst", 1)}


def test_a_request_passes_exactly_when_the_oldest_counted_one_is_a_second_old() -> None:
    window, decisions = run(FREE, [H + 0.5] * 50)
    assert decisions[-1].allowed
    window, refused = check(window, H + 1.4999, FREE)
    assert not refused.allowed and refused.retry_after == 1
    window, passed = check(window, H + 1.5, FREE)
    assert passed.allowed


def test_retry_after_rounds_up_to_whole_seconds_and_is_at_least_one() -> None:
    limits = Limits(per_hour=1000, burst=2)
    window, _ = run(limits, [H + 0.1, H + 0.95])
    assert window is not None
    _, refused = check(window, H + 0.96, limits)
    assert refused.retry_after == 1  # 0.14 s until H + 1.1
    window, passed = check(window, H + 1.1, limits)  # the first has left; 0.95 and 1.1 stay
    assert passed.allowed
    _, refused = check(window, H + 1.2, limits)
    assert refused.retry_after == 1  # 0.75 s until H + 1.95


def test_requests_spread_evenly_at_the_burst_rate_all_pass() -> None:
    step = 1 / FREE.burst
    _, decisions = run(FREE, [H + i * step for i in range(FREE.burst * 3)])
    assert all(d.allowed for d in decisions)


def test_the_burst_straddles_the_hour_but_the_hourly_count_starts_afresh() -> None:
    _, decisions = run(FREE, [H + 3599.9] * 50 + [H + 3600.1] * 2)
    assert decisions[49].allowed and decisions[49].remaining == 950
    refused = decisions[50]
    assert (refused.allowed, refused.exceeded) == (False, "burst")
    assert refused.remaining == 1000  # a new hour: nothing counted in it yet
    assert refused.reset == H + 7200


def test_preview_counts_nothing() -> None:
    window, _ = run(FREE, [H] * 10)
    window, seen = preview(window, H + 0.5, FREE)
    assert (seen.allowed, seen.remaining) == (True, 990)
    _, counted = check(window, H + 0.5, FREE)
    assert counted.remaining == 989


@pytest.mark.parametrize("seed", range(5))
def test_no_one_second_interval_ever_holds_more_than_the_burst(seed: int) -> None:
    """Against the definition, by brute force: random bursty traffic, then every admitted
    request's trailing second is counted directly."""
    rng = random.Random(seed)
    limits = Limits(per_hour=100_000, burst=7)
    times, now = [], H
    for _ in range(3000):
        now += rng.choice([0.0, 0.0, 0.01, 0.05, 0.2, 0.6, 1.0])
        times.append(now)
    window, decisions = run(limits, times)
    admitted = [t for t, d in zip(times, decisions, strict=True) if d.allowed]
    for i, t in enumerate(admitted):
        inside = sum(1 for u in admitted[max(0, i - limits.burst) : i + 1] if u > t - 1.0)
        assert inside <= limits.burst
    # and a refused request was refused only because the interval was full
    for t, d in zip(times, decisions, strict=True):
        if not d.allowed:
            assert sum(1 for u in admitted if t - 1.0 < u <= t) == limits.burst
    assert window is not None and len(window.recent) <= limits.burst


def test_memory_per_account_is_bounded_by_the_burst() -> None:
    window, _ = run(FREE, [H + i * 0.001 for i in range(5000)])
    assert window is not None and len(window.recent) <= FREE.burst
