"""Fixtures shared by every layer. Helpers (envelope checks, resource builders, …) live in
``tests/support/``; fixtures of one layer live in that layer's ``conftest.py``.

Most tests use the plugin's ``lambda_emulator`` fixture (one real server per worker, reset per
test); ``make_emulator`` starts a separate real server for tests that need other start-up
settings (a state file, a different seed, TLS); ``rt`` is an in-process runtime, no server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.runtime import in_process_runtime
from tests.support.server import Emulators


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EmulatorHandle]]:
    emulators = Emulators()
    try:
        yield emulators
    finally:
        emulators.close()


@pytest.fixture
def client(lambda_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with lambda_emulator.client() as c:
        yield c


@pytest.fixture
def rt() -> Runtime:
    """A fresh in-process runtime (seed 0, frozen clock at the fixture's start), no server."""
    return in_process_runtime()
