"""Extra emulators for tests that need other start-up settings than the plugin's fixture (a
state file, a different seed, TLS): real servers in a thread, on a free loopback port.

Most tests use the plugin's ``lambda_emulator`` fixture (one real server per worker, reset per
test); the ``make_emulator`` fixture (``tests/conftest.py``) starts more with ``Emulators``.
"""

from __future__ import annotations

from typing import Any

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.settings import Settings
from lambda_emulator.testing.pytest_plugin import DEFAULT_START, EmulatorHandle


def emulator_settings(**overrides: Any) -> Settings:
    """The fixture's settings (port 0, seed 0, a frozen clock at ``DEFAULT_START``, strict
    response validation), with ``overrides``."""
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


class Emulators:
    """Starts emulators with their own settings and stops every one of them on ``close``."""

    def __init__(self) -> None:
        self._servers: list[EmulatorThread] = []
        self._handles: list[EmulatorHandle] = []

    def __call__(self, **overrides: Any) -> EmulatorHandle:
        server = EmulatorThread(emulator_settings(**overrides)).start()
        self._servers.append(server)
        handle = EmulatorHandle(server)
        self._handles.append(handle)
        return handle

    def close(self) -> None:
        for handle in self._handles:
            handle.close()
        for server in self._servers:
            server.stop()
