"""Shared test helpers: extra emulators with their own settings, and envelope assertions.

Most tests use the plugin's ``lambda_emulator`` fixture (one real server per worker, reset per
test). ``make_emulator`` starts a separate real server for tests that need other start-up
settings (a state file, a different seed, TLS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.settings import Settings
from lambda_emulator.testing.pytest_plugin import DEFAULT_START, EmulatorHandle

KEY = "λ_sk_1234567890abcdef"


def emulator_settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "port": 0,
        "seed": 0,
        "speed": 0.0,
        "start_time": DEFAULT_START,
        "strict": True,
        "log_level": "warning",
    }
    base.update(overrides)
    return Settings(**base)


test_settings = emulator_settings  # the earlier name; not a test despite its prefix
test_settings.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., EmulatorHandle]]:
    servers: list[EmulatorThread] = []
    handles: list[EmulatorHandle] = []

    def make(**overrides: Any) -> EmulatorHandle:
        server = EmulatorThread(emulator_settings(**overrides)).start()
        servers.append(server)
        handle = EmulatorHandle(server)
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.close()
    for server in servers:
        server.stop()


@pytest.fixture
def client(lambda_emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with lambda_emulator.client() as c:
        yield c


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The ``data`` of a success envelope, after checking the status and the envelope."""
    payload = response.json()
    assert response.status_code == status, payload
    assert payload["success"] is True, payload
    assert payload["metadata"]["request_id"] == response.headers["x-request-id"]
    return payload["data"]


def err(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The ``error`` of an error envelope, after checking status and code."""
    payload = response.json()
    assert response.status_code == status, payload
    assert payload["success"] is False, payload
    assert payload["error"]["code"] == code, payload
    assert payload["metadata"]["request_id"].startswith("req_")
    error: dict[str, Any] = payload["error"]
    return error
