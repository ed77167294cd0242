"""``core.metrics``: deterministic, plausible series that respect the instance's history."""

from __future__ import annotations

import itertools
import statistics

import pytest

from lambda_emulator.core import metrics as m

DAY = 86400
T0 = 1_769_250_600.0  # 2026-01-24T10:30:00Z
RUNNING_30_DAYS = m.Lifetime(
    created=T0, deleted=None, running=((T0 + 60, T0 + 31 * DAY),), now=T0 + 31 * DAY
)


def values(metric: str, life: m.Lifetime, start: float, end: float, period: int) -> list[float]:
    times = m.grid(start, end, period, life)
    return list(m.series(0, "inst_test", metric, life, times, period))


@pytest.mark.parametrize("metric", m.METRICS)
def test_same_inputs_give_the_same_numbers_and_other_seeds_or_ids_do_not(metric: str) -> None:
    life = RUNNING_30_DAYS
    times = m.grid(T0 + DAY, T0 + 2 * DAY, 300, life)
    first = m.series(7, "inst_a", metric, life, times, 300)
    assert first == m.series(7, "inst_a", metric, life, times, 300)
    assert first != m.series(8, "inst_a", metric, life, times, 300)
    assert first != m.series(7, "inst_b", metric, life, times, 300)


@pytest.mark.parametrize("metric", m.GAUGE_METRICS)
@pytest.mark.parametrize("seed", range(20))
def test_percentages_stay_within_bounds(metric: str, seed: int) -> None:
    life = RUNNING_30_DAYS
    times = m.grid(T0 + DAY, T0 + 8 * DAY, 600, life)
    points = m.series(seed, f"inst_{seed}", metric, life, times, 600)
    assert all(0.0 < v <= 100.0 for v in points)
    assert all(round(v, 2) == v for v in points)


@pytest.mark.parametrize("metric", m.BYTE_METRICS)
def test_byte_counts_are_whole_non_negative_and_add_up_exactly_across_periods(metric: str) -> None:
    life = RUNNING_30_DAYS
    hour = T0 + DAY + 1800  # 2026-01-25T11:00:00Z, on the hour
    minutes = values(metric, life, hour, hour + 3600, 60)
    (hourly,) = values(metric, life, hour, hour + 3600, 3600)
    assert len(minutes) == 60
    assert all(isinstance(v, int) and v > 0 for v in minutes)
    assert sum(minutes) == hourly
    day = values(metric, life, T0 + DAY + 48600, T0 + 2 * DAY + 48600, 3600)
    (daily,) = values(metric, life, T0 + DAY + 48600, T0 + 2 * DAY + 48600, DAY)
    assert sum(day) == daily


def test_hourly_cpu_is_close_to_the_mean_of_its_minutes() -> None:
    hour = T0 + DAY + 1800
    minutes = values("cpu_utilization", RUNNING_30_DAYS, hour, hour + 3600, 60)
    (hourly,) = values("cpu_utilization", RUNNING_30_DAYS, hour, hour + 3600, 3600)
    assert abs(statistics.fmean(minutes) - hourly) < 1.0


def test_cpu_follows_a_daily_pattern_with_noise() -> None:
    life = RUNNING_30_DAYS
    start = T0 + DAY + 48600  # midnight UTC
    hourly = values("cpu_utilization", life, start, start + 14 * DAY, 3600)
    by_hour = [statistics.fmean(hourly[h::24]) for h in range(24)]
    busiest, quietest = max(by_hour), min(by_hour)
    assert busiest > quietest * 1.3
    assert 10 <= by_hour.index(busiest) <= 20  # the busy hours are the daytime (UTC)
    minutes = values("cpu_utilization", life, start, start + 3600, 60)
    steps = [abs(b - a) for a, b in itertools.pairwise(minutes)]
    assert statistics.fmean(steps) > 0.2  # not a smooth curve: there is noise


def test_no_points_before_creation_or_for_unfinished_periods() -> None:
    created = T0 + 90  # 10:31:30
    life = m.Lifetime(created=created, deleted=None, running=((created, T0 + 700),), now=T0 + 700)
    times = m.grid(T0 - 3600, T0 + 3600, 60, life)
    assert times[0] == T0 + 120  # the first whole minute after creation
    assert times[-1] + 60 <= T0 + 700  # only periods that are over
    assert all(t % 60 == 0 for t in times)


def test_nothing_from_deletion_on_and_zero_while_stopped() -> None:
    life = m.Lifetime(
        created=T0,
        deleted=T0 + 3 * 3600 + 30,
        running=((T0, T0 + 3600), (T0 + 2 * 3600, T0 + 3 * 3600)),
        now=T0 + 10 * 3600,
    )
    times = m.grid(T0, T0 + 10 * 3600, 600, life)
    assert times[-1] == T0 + 3 * 3600  # the period holding the deletion is the last one
    for metric in m.METRICS:
        points = dict(zip(times, m.series(0, "inst_x", metric, life, times, 600), strict=True))
        assert all(points[t] == 0 for t in times if T0 + 3600 <= t < T0 + 2 * 3600)
        assert all(points[t] > 0 for t in times if t < T0 + 3600)
        assert points[T0 + 3 * 3600] == 0  # stopped by then (deleting)


def test_a_partly_running_period_counts_stopped_time_as_zero() -> None:
    life = m.Lifetime(created=T0, deleted=None, running=((T0, T0 + 3600),), now=T0 + 7200)
    start = T0 - 1800  # 10:00; the hour from 11:00 is half running (stopped at 11:30)
    full = m.Lifetime(created=T0, deleted=None, running=((T0, T0 + 7200),), now=T0 + 7200)
    half = values("memory_utilization", life, start + 3600, start + 7200, 3600)
    whole = values("memory_utilization", full, start + 3600, start + 7200, 3600)
    assert half[0] == pytest.approx(whole[0] / 2, rel=0.05)


def test_the_stream_sample_is_the_query_point() -> None:
    life = RUNNING_30_DAYS
    t = int(T0 + DAY + 1800)
    times = m.grid(t, t + 600, 60, life)
    sample = m.sample(0, "inst_test", m.METRICS, life, times[3], 60)
    for metric in m.METRICS:
        assert sample[metric] == m.series(0, "inst_test", metric, life, times, 60)[3]


def test_merge_intervals_closes_open_ones_at_now_and_joins_touching_ones() -> None:
    merged = m.merge_intervals([(30.0, None), (0.0, 10.0), (10.0, 20.0), (25.0, 26.0)], 40.0)
    assert merged == ((0.0, 20.0), (25.0, 26.0), (30.0, 40.0))


def test_series_refuses_points_that_are_not_consecutive_periods() -> None:
    with pytest.raises(ValueError):
        m.series(0, "inst_x", "cpu_utilization", RUNNING_30_DAYS, range(0, 600, 120), 60)


def test_timestamps_are_rfc3339_utc() -> None:
    from lambda_emulator.core.timefmt import format_time, from_epoch

    times = range(1_767_225_540, 1_767_225_540 + 7 * 86400, 3599)  # across a year end
    assert m.timestamps(times) == [format_time(from_epoch(t)) for t in times]
