"""Instance metrics: the instance's history from its meters, handed to ``core.metrics``.

An instance's meter is open exactly while it is ``running`` (see ``engine.meters``), so its
meters are its running intervals; nothing else needs to know about lifecycles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from lambda_emulator.core import metrics as core
from lambda_emulator.core.timefmt import format_time, from_epoch, parse_time
from lambda_emulator.engine.events import EVENTS
from lambda_emulator.engine.meters import METERS
from lambda_emulator.errors import InvalidRequest
from lambda_emulator.resources import instances
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "DEFAULT_PERIOD",
    "DEFAULT_RANGE_SECONDS",
    "INSTANCES",
    "MAX_POINTS",
    "MAX_RANGE_SECONDS",
    "get_instance",
    "lifetime",
    "parse_metric_names",
    "query_metrics",
    "stream_samples",
    "stream_target",
]

INSTANCES = instances.INSTANCES
DEFAULT_PERIOD = 60
DEFAULT_RANGE_SECONDS = 3600
#: The longest range one query may cover (31 days) and the most points per metric.
MAX_RANGE_SECONDS = 31 * 86400
MAX_POINTS = 1440


def get_instance(rt: Runtime, account_id: str, instance_id: str) -> Doc:
    """The account's instance, or the same 404 that ``GET /v1/instances/{id}`` answers."""
    return instances.get_instance(rt, account_id, instance_id)


def stream_target(rt: Runtime, instance: Doc) -> tuple[Doc, float | None]:
    """The streamed instance as it is now, and when it was deleted (``None`` while it exists):
    its ``instance.deleted`` event's time, else now."""
    current = rt.store.get(INSTANCES, instance["id"])
    if current is not None:
        return current, None
    for event in rt.store.find(EVENTS, instance["account_id"]):
        data = event.get("data") or {}
        if event["type"] == "instance.deleted" and instance["id"] in (
            data.get("id"),
            data.get("instance_id"),
        ):
            return instance, parse_time(event["timestamp"]).timestamp()
    return instance, rt.clock.epoch()


def lifetime(rt: Runtime, instance: Doc, *, deleted: float | None = None) -> core.Lifetime:
    """The instance's creation, deletion and running intervals, as of now."""
    now = rt.clock.epoch()
    spans = [
        (float(m["started_at"]), None if m["ended_at"] is None else float(m["ended_at"]))
        for m in rt.store.find(METERS, instance["account_id"])
        if m["resource_id"] == instance["id"] and m["resource_type"] == "instance"
    ]
    return core.Lifetime(
        created=parse_time(instance["created_at"]).timestamp(),
        deleted=deleted,
        running=core.merge_intervals(spans, now),
        now=now,
    )


def parse_metric_names(raw: str | None) -> list[str]:
    """``"cpu_utilization,network_in_bytes"`` → the names, in order, once each (default: all)."""
    if raw is None:
        return list(core.METRICS)
    names: list[str] = []
    for part in raw.split(","):
        name = part.strip()
        if name not in core.METRICS:
            raise InvalidRequest(
                f"Unknown metric '{name}'",
                {"field": "metrics", "value": name, "allowed_values": list(core.METRICS)},
            )
        if name not in names:
            names.append(name)
    return names


#: The earliest time a timestamp can show (0001-01-01T00:00:00Z), in epoch seconds.
EARLIEST = datetime.min.replace(tzinfo=UTC).timestamp()


def _time(query: dict[str, Any], name: str, default: float) -> float:
    text = query.get(name)
    if text is None:
        return default
    try:
        return parse_time(text).timestamp()
    except ValueError:
        raise InvalidRequest(
            f"'{name}' is not an RFC 3339 time",
            {"field": name, "value": text, "constraint": "RFC 3339 time with a zone"},
        ) from None


def query_metrics(
    rt: Runtime, account_id: str, instance_id: str, query: dict[str, Any]
) -> dict[str, Any]:
    instance = get_instance(rt, account_id, instance_id)
    names = parse_metric_names(query.get("metrics"))
    period = int(query.get("period", DEFAULT_PERIOD))
    end = _time(query, "end", rt.clock.epoch())
    # An 'end' in the first hour of year 1 must not default 'start' to before datetime.min.
    start = _time(query, "start", max(end - DEFAULT_RANGE_SECONDS, EARLIEST))
    if start >= end:
        raise InvalidRequest(
            "'start' must be before 'end'",
            {"field": "start", "value": format_time(from_epoch(start)), "constraint": "< end"},
        )
    if end - start > MAX_RANGE_SECONDS:
        raise InvalidRequest(
            f"The range from start to end may cover at most {MAX_RANGE_SECONDS // 86400} days",
            {
                "field": "start",
                "value": format_time(from_epoch(start)),
                "constraint": {"max_range_seconds": MAX_RANGE_SECONDS},
            },
        )
    points = math.ceil((end - start) / period)
    if points > MAX_POINTS:
        raise InvalidRequest(
            f"{points} points per metric requested; at most {MAX_POINTS} are allowed "
            "(use a longer period or a shorter range)",
            {
                "field": "period",
                "value": period,
                "constraint": {"max_points": MAX_POINTS, "requested_points": points},
            },
        )
    life = lifetime(rt, instance)
    times = core.grid(start, end, period, life)
    stamps = core.timestamps(times)
    columns = core.series_many(rt.seed, instance_id, names, life, times, period)
    series = {
        name: [{"timestamp": s, "value": v} for s, v in zip(stamps, values, strict=True)]
        for name, values in columns.items()
    }
    return {
        "instance_id": instance_id,
        "start": format_time(from_epoch(start)),
        "end": format_time(from_epoch(end)),
        "period": period,
        "units": {name: core.UNITS[name] for name in names},
        "metrics": series,
    }


def stream_samples(
    rt: Runtime,
    instance: Doc,
    names: Sequence[str],
    period: int,
    after: float,
    *,
    deleted: float | None = None,
    limit: int = 500,
) -> tuple[list[dict[str, Any]], float]:
    """Stream messages for the complete periods starting at or after ``after`` (at most
    ``limit`` of them), and where the next call should start."""
    life = lifetime(rt, instance, deleted=deleted)
    times = core.grid(after, life.now, period, life)[:limit]
    columns = core.series_many(rt.seed, instance["id"], names, life, times, period)
    messages = [
        {"timestamp": stamp, "metrics": {n: columns[n][i] for n in names}}
        for i, stamp in enumerate(core.timestamps(times))
    ]
    if len(times):
        next_after = float(times[-1] + period)
    else:  # nothing finished to send: wait for the period now under way to end
        next_after = max(after, float(math.floor(life.now / period) * period))
    return messages, next_after
