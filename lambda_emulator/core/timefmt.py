"""RFC 3339 timestamps as the wire shows them: UTC, whole seconds, a trailing ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_time", "from_epoch", "parse_time", "to_epoch"]


def format_time(moment: datetime) -> str:
    """``isoformat`` rather than ``strftime``: glibc's ``%Y`` drops the zero padding of years
    before 1000 (``524-08-15…``), which breaks the Timestamp pattern."""
    utc = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)
    return utc.isoformat(timespec="seconds") + "Z"


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
