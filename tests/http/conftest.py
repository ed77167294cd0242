"""Fixtures of the HTTP tests (a real server on a loopback port, the plugin's fixture)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle


@pytest.fixture
def runtime(
    lambda_emulator: EmulatorHandle, _lambda_emulator_server: EmulatorThread
) -> Iterator[Runtime]:
    """The fixture server's runtime, to read the event outbox and the meters."""
    yield _lambda_emulator_server.runtime
