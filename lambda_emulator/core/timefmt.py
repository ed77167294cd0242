"""RFC 3339 timestamps as the wire shows them: UTC, whole seconds, a trailing ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_time", "from_epoch", "parse_time", "to_epoch"]


def format_time(moment: datetime) -> str:
    # By hand, not strftime: %Y does not zero-pad years before 1000 on glibc, and strftime costs
    # ten times as much on a path every response takes.
    u = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def parse_time(text: str) -> datetime:
    """Parse RFC 3339; raises ``ValueError`` for anything without a zone."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 is a valid RFC 3339 time before datetime.min in UTC.
        raise ValueError(f"'{text}' is outside the years 1 to 9999 in UTC") from None


def to_epoch(moment: datetime) -> float:
    return moment.timestamp()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
