"""RFC 3339 timestamps as the wire shows them: UTC, whole seconds, a trailing ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_time", "from_epoch", "parse_time", "to_epoch"]


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Parse RFC 3339; raises ``ValueError`` for anything without a zone."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"'{text}' has no time zone")
    return parsed.astimezone(UTC)


def to_epoch(moment: datetime) -> float:
    return moment.timestamp()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
