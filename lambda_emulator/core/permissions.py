"""Which permission an operation needs and whether a key's grants cover it."""

from __future__ import annotations

__all__ = ["AREAS", "PERMISSION_PATTERN", "allows", "permission_names"]

AREAS = (
    "instances",
    "volumes",
    "snapshots",
    "networking",
    "monitoring",
    "billing",
    "account",
    "webhooks",
)
PERMISSION_PATTERN = r"^(\*|(" + "|".join(AREAS) + r"):(read|write|\*))$"


def permission_names() -> list[str]:
    return ["*", *(f"{area}:{level}" for area in AREAS for level in ("read", "write"))]


def allows(granted: list[str], needed: str) -> bool:
    """``*`` grants everything, ``area:*`` the whole area, and ``area:write`` includes read."""
    area, _, level = needed.partition(":")
    for grant in granted:
        if grant in ("*", needed, f"{area}:*"):
            return True
        if level == "read" and grant == f"{area}:write":
            return True
    return False
