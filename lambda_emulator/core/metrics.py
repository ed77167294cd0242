"""Metric series: a pure function of (seed, instance id, metric, time) and the instance's history.

Every metric is a deterministic signal made of a per-instance level, a daily cycle (peaking in
the instance's busy hour, UTC) and a few slower and faster waves, all derived from the seed and
the instance id, so the same query always returns the same numbers, across restarts.

A point covers one period ``[timestamp, timestamp + period)``:

* ``cpu_utilization`` and ``memory_utilization`` are gauges in percent: the average over the
  period (time the instance was not running counts as 0 %), plus a small jitter that is a hash of
  the point's timestamp (scaled down for long periods, as averaging smooths noise out).
* ``network_in_bytes``, ``network_out_bytes``, ``disk_read_bytes`` and ``disk_write_bytes`` are
  byte counts moved during the period: differences of a monotone per-instance counter (the
  integral of a positive byte rate over the running time, floored to whole bytes). Points of
  any period therefore add up exactly: 60 one-minute points sum to the one-hour point.

Points lie on a grid aligned to multiples of ``period`` since the Unix epoch, start no earlier
than the instance's creation, end before its deletion, and cover only completed periods.
The signal has closed-form integrals, so a 30-day hourly series costs a few thousand
trigonometric evaluations, not a sum over every second.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "BYTE_METRICS",
    "GAUGE_METRICS",
    "METRICS",
    "UNITS",
    "Lifetime",
    "Profile",
    "grid",
    "merge_intervals",
    "profile",
    "sample",
    "series",
    "timestamps",
]

GAUGE_METRICS = ("cpu_utilization", "memory_utilization")
BYTE_METRICS = ("network_in_bytes", "network_out_bytes", "disk_read_bytes", "disk_write_bytes")
METRICS = GAUGE_METRICS + BYTE_METRICS
UNITS = {**{m: "percent" for m in GAUGE_METRICS}, **{m: "bytes" for m in BYTE_METRICS}}

_DAY = 86400.0
_M64 = (1 << 64) - 1
#: The period at which the jitter has its full amplitude; longer periods average it down.
_JITTER_PERIOD = 60.0

# (level range, daily amplitude, wave amplitudes with their period ranges, jitter) per metric.
# Amplitudes are fractions of the level and add up to less than 1, so a rate never goes negative
# and a percentage stays within 0–100 without clipping.
_SHAPES: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[tuple[float, ...], ...]]]
_SHAPES = {
    "cpu_utilization": (
        (8.0, 50.0),
        (0.25, 0.45),
        ((0.08, 0.15, 5400, 14400), (0.05, 0.12, 1200, 3600), (0.03, 0.08, 240, 900)),
    ),
    "memory_utilization": (
        (25.0, 70.0),
        (0.03, 0.08),
        ((0.02, 0.05, 7200, 21600), (0.01, 0.03, 900, 2700)),
    ),
    "network_in_bytes": (
        (5.0e3, 5.0e5),
        (0.25, 0.40),
        (
            (0.10, 0.20, 5400, 14400),
            (0.05, 0.15, 1200, 3600),
            (0.03, 0.10, 240, 900),
            (0.05, 0.10, 70, 200),
        ),
    ),
    "network_out_bytes": (
        (2.5e3, 2.5e5),
        (0.25, 0.40),
        (
            (0.10, 0.20, 5400, 14400),
            (0.05, 0.15, 1200, 3600),
            (0.03, 0.10, 240, 900),
            (0.05, 0.10, 70, 200),
        ),
    ),
    "disk_read_bytes": (
        (1.0e3, 1.0e5),
        (0.20, 0.35),
        ((0.10, 0.20, 3600, 10800), (0.10, 0.20, 600, 1800), (0.05, 0.15, 90, 300)),
    ),
    "disk_write_bytes": (
        (2.5e3, 2.5e5),
        (0.20, 0.35),
        ((0.10, 0.20, 3600, 10800), (0.10, 0.20, 600, 1800), (0.05, 0.15, 90, 300)),
    ),
}
_JITTER = {"cpu_utilization": 0.10, "memory_utilization": 0.01}


@dataclass(frozen=True)
class Wave:
    """``amplitude · cos(omega · t + phase)``."""

    amplitude: float
    omega: float
    phase: float


@dataclass(frozen=True)
class Profile:
    """The fixed shape of one metric of one instance."""

    metric: str
    level: float
    waves: tuple[Wave, ...]
    jitter: float
    key: int

    def rate(self, t: float) -> float:
        """The instantaneous value (percent, or bytes per second) while running."""
        return self.level + sum(w.amplitude * math.cos(w.omega * t + w.phase) for w in self.waves)

    def noise(self, t: int) -> float:
        """A deterministic value in [-1, 1) for the point at ``t``."""
        x = (self.key ^ (t & _M64)) & _M64
        x = (x + 0x9E3779B97F4A7C15) & _M64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
        x ^= x >> 31
        return x / 2.0**63 - 1.0


def _rng(seed: int, *parts: object) -> random.Random:
    text = ":".join(["metrics", str(seed), *(str(p) for p in parts)])
    return random.Random(hashlib.sha256(text.encode()).digest())


def profile(seed: int, instance_id: str, metric: str) -> Profile:
    """The shape of ``metric`` for ``instance_id`` under ``seed`` (raises KeyError if unknown)."""
    (low, high), (daily_low, daily_high), waves = _SHAPES[metric]
    # The busy hour is the instance's, shared by all its metrics, so CPU and traffic peak together.
    peak_hour = _rng(seed, instance_id, "peak").uniform(11.0, 19.0)
    rng = _rng(seed, instance_id, metric)
    level = rng.uniform(low, high)
    omega_day = 2 * math.pi / _DAY
    built = [
        Wave(level * rng.uniform(daily_low, daily_high), omega_day, -omega_day * peak_hour * 3600)
    ]
    for amp_low, amp_high, period_low, period_high in waves:
        amplitude = level * rng.uniform(amp_low, amp_high)
        omega = 2 * math.pi / rng.uniform(period_low, period_high)
        built.append(Wave(amplitude, omega, rng.uniform(0, 2 * math.pi)))
    return Profile(
        metric=metric,
        level=level,
        waves=tuple(built),
        jitter=level * _JITTER.get(metric, 0.0),
        key=rng.getrandbits(64),
    )


@dataclass(frozen=True)
class Lifetime:
    """What the series needs to know about an instance's history (emulator epoch seconds).

    ``running`` holds sorted, disjoint ``(start, end)`` intervals; an interval still open ends
    at ``now``. Nothing exists before ``created`` or from ``deleted`` on.
    """

    created: float
    deleted: float | None
    running: tuple[tuple[float, float], ...]
    now: float

    @property
    def until(self) -> float:
        return self.now if self.deleted is None else min(self.deleted, self.now)


def merge_intervals(
    intervals: Iterable[tuple[float, float | None]], now: float
) -> tuple[tuple[float, float], ...]:
    """Sort, close open intervals at ``now``, and join the ones that touch or overlap."""
    closed = sorted((a, now if b is None else min(b, now)) for a, b in intervals)
    merged: list[tuple[float, float]] = []
    for a, b in closed:
        if b <= a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def grid(start: float, end: float, period: int, life: Lifetime) -> range:
    """Point timestamps: multiples of ``period`` in ``[start, end)`` whose whole period has
    passed, none before creation and none from deletion on."""
    first = math.ceil(max(start, life.created) / period) * period
    # The last point's period must end by ``end`` and by now; a point may cover the deletion.
    last_end = min(end, life.now)
    stop = math.floor(last_end / period) * period  # exclusive end of the last period
    if life.deleted is not None:
        stop = min(stop, math.ceil(life.deleted / period) * period)
    return range(int(first), int(stop), period)


class _Running:
    """Running time of one instance as monotone counters: ∫ rate and seconds run before ``x``.

    Both are measured from the creation time (``origin``) to keep the floats small, and are
    computed the same way for a given ``x`` whatever the query, so a point's value never
    depends on which range or stream asked for it.
    """

    def __init__(self, prof: Profile, life: Lifetime) -> None:
        until = life.until
        clipped = [(max(a, life.created), min(b, until)) for a, b in life.running]
        self.intervals = [(a, b) for a, b in clipped if b > a]
        self.starts = [a for a, _ in self.intervals]
        self.prof = prof
        self.origin = life.created
        self.start_values = self.antiderivative([a for a, _ in self.intervals])
        ends = self.antiderivative([b for _, b in self.intervals])
        self.prefix = [0.0]
        self.seconds = [0.0]
        for (a, b), sa, sb in zip(self.intervals, self.start_values, ends, strict=True):
            self.prefix.append(self.prefix[-1] + (sb - sa))
            self.seconds.append(self.seconds[-1] + (b - a))

    def antiderivative(self, xs: Sequence[float]) -> list[float]:
        """S(x) = level·(x − origin) + Σ a/ω·sin(ωx + φ), for each x."""
        origin, level = self.origin, self.prof.level
        values = [level * (x - origin) for x in xs]
        for w in self.prof.waves:
            scale, omega, phase = w.amplitude / w.omega, w.omega, w.phase
            values = [
                v + scale * math.sin(omega * x + phase) for v, x in zip(values, xs, strict=True)
            ]
        return values

    def counters(self, xs: Sequence[float]) -> tuple[list[float], list[float]]:
        """(∫ rate, running seconds) accumulated before each ``x`` (``xs`` sorted).

        Inside a running interval ``(a, b)`` the counter is the prefix before it plus
        ``S(x) − S(a)``; from ``b`` until the next start it stays at the prefix after it."""
        values = self.antiderivative(xs)
        integrals: list[float] = []
        seconds: list[float] = []
        i, n = 0, len(xs)
        for k, (a, b) in enumerate(self.intervals):
            j = bisect.bisect_right(xs, a, i)  # up to the start: the total so far
            integrals.extend([self.prefix[k]] * (j - i))
            seconds.extend([self.seconds[k]] * (j - i))
            i, j = j, bisect.bisect_left(xs, b, j)  # strictly inside: partial
            base, start_value, ran = self.prefix[k], self.start_values[k], self.seconds[k]
            integrals.extend([base + (v - start_value) for v in values[i:j]])
            seconds.extend([ran + (x - a) for x in xs[i:j]])
            i = j
        integrals.extend([self.prefix[-1]] * (n - i))
        seconds.extend([self.seconds[-1]] * (n - i))
        return integrals, seconds


def series(
    seed: int, instance_id: str, metric: str, life: Lifetime, times: range, period: int
) -> list[float] | list[int]:
    """The values of ``metric`` at the points ``times`` (a ``grid``: each point covers
    ``period`` seconds, and the next point starts where it ends)."""
    if len(times) > 1 and times.step != period:
        raise ValueError("times must be consecutive periods")
    if not times:
        return []
    prof = profile(seed, instance_id, metric)
    bounds = [float(t) for t in times]
    bounds.append(bounds[-1] + period)
    integrals, seconds = _Running(prof, life).counters(bounds)
    if metric in BYTE_METRICS:
        floors = [math.floor(c) for c in integrals]
        return [hi - lo for lo, hi in itertools.pairwise(floors)]
    scale = prof.jitter * min(1.0, math.sqrt(_JITTER_PERIOD / period))
    noise = prof.noise
    return [
        _percent((integrals[i + 1] - integrals[i] + scale * noise(t) * ran) / period)
        if (ran := seconds[i + 1] - seconds[i]) > 0
        else 0.0
        for i, t in enumerate(times)
    ]


def _percent(value: float) -> float:
    return round(min(100.0, max(0.0, value)), 2)


def timestamps(times: range) -> list[str]:
    """RFC 3339 text for each point (``…T10:00:00Z``); the date is formatted once per day,
    as a month of points would otherwise spend more time formatting than computing."""
    dates: dict[int, str] = {}
    out: list[str] = []
    for t in times:
        day, rest = divmod(int(t), 86400)
        date = dates.get(day)
        if date is None:
            date = dates[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        hour, rest = divmod(rest, 3600)
        minute, second = divmod(rest, 60)
        out.append(f"{date}T{hour:02d}:{minute:02d}:{second:02d}Z")
    return out


def sample(
    seed: int, instance_id: str, metrics: Sequence[str], life: Lifetime, t: int, period: int
) -> dict[str, float | int]:
    """Every requested metric for the one point at ``t`` (what the stream sends)."""
    return {
        m: series(seed, instance_id, m, life, range(t, t + 1, period), period)[0] for m in metrics
    }
