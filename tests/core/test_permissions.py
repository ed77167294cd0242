from __future__ import annotations

import re

import pytest

from lambda_emulator.core.permissions import PERMISSION_PATTERN, allows, permission_names


@pytest.mark.parametrize(
    ("granted", "needed", "allowed"),
    [
        (["*"], "instances:write", True),
        (["instances:*"], "instances:write", True),
        (["instances:write"], "instances:read", True),
        (["instances:read"], "instances:read", True),
        (["instances:read"], "instances:write", False),
        (["volumes:write"], "instances:read", False),
        ([], "account:read", False),
        (["billing:read", "account:write"], "account:read", True),
    ],
)
def test_allows(granted: list[str], needed: str, allowed: bool) -> None:
    assert allows(granted, needed) is allowed


def test_every_named_permission_matches_the_schema_pattern() -> None:
    for name in permission_names():
        assert re.match(PERMISSION_PATTERN, name)
    assert not re.match(PERMISSION_PATTERN, "rockets:launch")
