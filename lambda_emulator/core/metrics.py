"""Metric series: a pure function of (seed, instance id, metric, time) and the instance's history.

Every metric is a deterministic signal: a per-metric level times a mix of five waves that belong
to the instance (a daily cycle peaking in its busy hour, UTC, and waves of hours, tens of
minutes, minutes and about a minute), all derived from the seed and the instance id, so the
same query always returns the same numbers, across restarts. The metrics of one instance
share its waves with their own amplitudes: load shows in CPU, traffic and disk together.

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
    "WAVE_COUNT",
    "Lifetime",
    "Profile",
    "Waves",
    "grid",
    "merge_intervals",
    "profile",
    "sample",
    "series",
    "series_many",
    "timestamps",
    "waves",
]

GAUGE_METRICS = ("cpu_utilization", "memory_utilization")
BYTE_METRICS = ("network_in_bytes", "network_out_bytes", "disk_read_bytes", "disk_write_bytes")
METRICS = GAUGE_METRICS + BYTE_METRICS
UNITS = {**{m: "percent" for m in GAUGE_METRICS}, **{m: "bytes" for m in BYTE_METRICS}}

_DAY = 86400.0
_M64 = (1 << 64) - 1
#: The period at which the jitter has its full amplitude; longer periods average it down.
_JITTER_PERIOD = 60.0
#: The instance's waves after the daily one: (shortest, longest) period in seconds.
_WAVE_PERIODS = ((5400.0, 14400.0), (1200.0, 3600.0), (240.0, 900.0), (70.0, 200.0))
WAVE_COUNT = 1 + len(_WAVE_PERIODS)

# Per metric: the level's range, and each wave's amplitude range as a fraction of the level.
# The fractions add up to less than 1, so a rate never goes negative and a percentage stays
# within 0–100 without clipping.
_SHAPES: dict[str, tuple[tuple[float, float], tuple[tuple[float, float], ...]]] = {
    "cpu_utilization": (
        (8.0, 50.0),
        ((0.25, 0.45), (0.08, 0.15), (0.05, 0.12), (0.03, 0.08), (0.01, 0.03)),
    ),
    "memory_utilization": (
        (25.0, 70.0),
        ((0.03, 0.08), (0.02, 0.05), (0.01, 0.03), (0.0, 0.0), (0.0, 0.0)),
    ),
    "network_in_bytes": (
        (5.0e3, 5.0e5),
        ((0.25, 0.40), (0.10, 0.20), (0.05, 0.15), (0.03, 0.10), (0.05, 0.10)),
    ),
    "network_out_bytes": (
        (2.5e3, 2.5e5),
        ((0.25, 0.40), (0.10, 0.20), (0.05, 0.15), (0.03, 0.10), (0.05, 0.10)),
    ),
    "disk_read_bytes": (
        (1.0e3, 1.0e5),
        ((0.20, 0.35), (0.10, 0.20), (0.10, 0.20), (0.05, 0.15), (0.0, 0.05)),
    ),
    "disk_write_bytes": (
        (2.5e3, 2.5e5),
        ((0.20, 0.35), (0.10, 0.20), (0.10, 0.20), (0.05, 0.15), (0.0, 0.05)),
    ),
}
_JITTER = {"cpu_utilization": 0.10, "memory_utilization": 0.01}


@dataclass(frozen=True)
class Waves:
    """The instance's ``WAVE_COUNT`` waves: ``cos(omega · t + phase)`` each."""

    omegas: tuple[float, ...]
    phases: tuple[float, ...]

    def sines(self, xs: Sequence[float]) -> list[list[float]]:
        """``sin(omega · x + phase)`` of every wave at every ``x`` (the antiderivatives'
        building blocks, computed once and shared by all metrics of a query)."""
        sin = math.sin
        return [[sin(w * x + p) for x in xs] for w, p in zip(self.omegas, self.phases, strict=True)]


@dataclass(frozen=True)
class Profile:
    """The fixed shape of one metric of one instance."""

    metric: str
    level: float
    #: Each wave's amplitude, in the metric's unit (percent, or bytes per second).
    amplitudes: tuple[float, ...]
    jitter: float
    key: int

    def rate(self, waves: Waves, t: float) -> float:
        """The instantaneous value (percent, or bytes per second) while running."""
        return self.level + sum(
            a * math.cos(w * t + p)
            for a, w, p in zip(self.amplitudes, waves.omegas, waves.phases, strict=True)
        )

    def antiderivative(
        self, waves: Waves, origin: float, xs: Sequence[float], sines: list[list[float]]
    ) -> list[float]:
        """S(x) = level·(x − origin) + Σ amplitude/omega · sin(omega·x + phase), for each x,
        always summed in the same order, so S(x) is the same float whoever asks."""
        level = self.level
        c1, c2, c3, c4, c5 = (a / w for a, w in zip(self.amplitudes, waves.omegas, strict=True))
        s1, s2, s3, s4, s5 = sines
        return [
            level * (x - origin) + c1 * a + c2 * b + c3 * c + c4 * d + c5 * e
            for x, a, b, c, d, e in zip(xs, s1, s2, s3, s4, s5, strict=True)
        ]

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


def waves(seed: int, instance_id: str) -> Waves:
    """The instance's waves: a daily one peaking in its busy hour (11:00–19:00 UTC) and four
    faster ones with their own periods and phases."""
    rng = _rng(seed, instance_id, "waves")
    omega_day = 2 * math.pi / _DAY
    omegas = [omega_day]
    phases = [-omega_day * rng.uniform(11.0, 19.0) * 3600]
    for low, high in _WAVE_PERIODS:
        omegas.append(2 * math.pi / rng.uniform(low, high))
        phases.append(rng.uniform(0, 2 * math.pi))
    return Waves(tuple(omegas), tuple(phases))


def profile(seed: int, instance_id: str, metric: str) -> Profile:
    """The shape of ``metric`` for ``instance_id`` under ``seed`` (raises KeyError if unknown)."""
    (low, high), fractions = _SHAPES[metric]
    rng = _rng(seed, instance_id, metric)
    level = rng.uniform(low, high)
    return Profile(
        metric=metric,
        level=level,
        amplitudes=tuple(level * rng.uniform(f_low, f_high) for f_low, f_high in fractions),
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

    def __init__(self, life: Lifetime, wave_set: Waves) -> None:
        until = life.until
        clipped = [(max(a, life.created), min(b, until)) for a, b in life.running]
        self.intervals = [(a, b) for a, b in clipped if b > a]
        self.origin = life.created
        self.waves = wave_set
        self.seconds = [0.0]
        for a, b in self.intervals:
            self.seconds.append(self.seconds[-1] + (b - a))
        edges = [x for interval in self.intervals for x in interval]
        self.edge_sines = wave_set.sines(edges)

    def counters(
        self, prof: Profile, xs: Sequence[float], sines: list[list[float]]
    ) -> tuple[list[float], list[float]]:
        """(∫ rate, running seconds) accumulated before each ``x`` (``xs`` sorted).

        Inside a running interval ``(a, b)`` the counter is the prefix before it plus
        ``S(x) − S(a)``; from ``b`` until the next start it stays at the prefix after it."""
        values = prof.antiderivative(self.waves, self.origin, xs, sines)
        edges = [x for interval in self.intervals for x in interval]
        at_edges = prof.antiderivative(self.waves, self.origin, edges, self.edge_sines)
        prefix = [0.0]
        for k in range(len(self.intervals)):
            prefix.append(prefix[-1] + (at_edges[2 * k + 1] - at_edges[2 * k]))
        integrals: list[float] = []
        seconds: list[float] = []
        i, n = 0, len(xs)
        for k, (a, b) in enumerate(self.intervals):
            j = bisect.bisect_right(xs, a, i)  # up to the start: the total so far
            integrals.extend([prefix[k]] * (j - i))
            seconds.extend([self.seconds[k]] * (j - i))
            i, j = j, bisect.bisect_left(xs, b, j)  # strictly inside: partial
            base, start_value, ran = prefix[k], at_edges[2 * k], self.seconds[k]
            integrals.extend([base + (v - start_value) for v in values[i:j]])
            seconds.extend([ran + (x - a) for x in xs[i:j]])
            i = j
        integrals.extend([prefix[-1]] * (n - i))
        seconds.extend([self.seconds[-1]] * (n - i))
        return integrals, seconds


def series_many(
    seed: int,
    instance_id: str,
    metrics: Sequence[str],
    life: Lifetime,
    times: range,
    period: int,
) -> dict[str, list[float] | list[int]]:
    """The values of each of ``metrics`` at the points ``times`` (a ``grid``: each point
    covers ``period`` seconds, and the next point starts where it ends)."""
    if len(times) > 1 and times.step != period:
        raise ValueError("times must be consecutive periods")
    if not times:
        return {metric: [] for metric in metrics}
    wave_set = waves(seed, instance_id)
    bounds = [float(t) for t in times]
    bounds.append(bounds[-1] + period)
    sines = wave_set.sines(bounds)
    running = _Running(life, wave_set)
    out: dict[str, list[float] | list[int]] = {}
    for metric in metrics:
        prof = profile(seed, instance_id, metric)
        integrals, seconds = running.counters(prof, bounds, sines)
        if metric in BYTE_METRICS:
            floors = [math.floor(c) for c in integrals]
            out[metric] = [hi - lo for lo, hi in itertools.pairwise(floors)]
            continue
        scale = prof.jitter * min(1.0, math.sqrt(_JITTER_PERIOD / period))
        noise = prof.noise
        out[metric] = [
            _percent((integrals[i + 1] - integrals[i] + scale * noise(t) * ran) / period)
            if (ran := seconds[i + 1] - seconds[i]) > 0
            else 0.0
            for i, t in enumerate(times)
        ]
    return out


def series(
    seed: int, instance_id: str, metric: str, life: Lifetime, times: range, period: int
) -> list[float] | list[int]:
    """The values of one metric at the points ``times`` (see ``series_many``)."""
    return series_many(seed, instance_id, [metric], life, times, period)[metric]


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
