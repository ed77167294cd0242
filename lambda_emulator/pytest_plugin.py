"""The ``lambda_emulator`` pytest fixture: a real emulator on a free loopback port.

One server is started per test session (per worker under pytest-xdist, so workers never share
state) and reset before every test. The clock is frozen by default (``speed 0``) so a test moves
time only by ``advance``, and responses are validated strictly, so an emulator bug fails loudly.

    def test_create(lambda_emulator):
        client = lambda_emulator.client()
        r = client.post("/v1/instances", json={...})
        lambda_emulator.advance(60)

Options (command line or ini): ``--lambda-emulator-seed``, ``--lambda-emulator-speed``,
``--lambda-emulator-transitions``, ``--lambda-emulator-tls``.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from lambda_emulator.server import EmulatorThread
from lambda_emulator.settings import Settings

__all__ = ["Account", "EmulatorHandle", "lambda_emulator"]

#: Where the fixture's frozen clock starts, so time-dependent tests are repeatable.
DEFAULT_START = datetime(2026, 1, 24, 10, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Account:
    id: str
    api_key: str
    plan: str


class EmulatorHandle:
    """What a test holds: the URL, the default key, and the control plane as methods."""

    def __init__(self, server: EmulatorThread, ssl_context: ssl.SSLContext | None = None) -> None:
        self._server = server
        self.url = server.url
        self.api_key = server.settings.api_key
        self.ca_bundle: Path | None = server.info.ca_bundle
        self._ssl = ssl_context or ssl_context_for(self.ca_bundle)
        self._control = httpx.Client(base_url=self.url, timeout=30, verify=self._ssl)

    # clients -------------------------------------------------------------------------------
    def client(self, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx client for the API, authenticated with ``api_key`` (default: the default
        key). The key goes over as UTF-8 bytes: httpx refuses a ``str`` header holding ``λ``."""
        key = api_key if api_key is not None else self.api_key
        headers = httpx.Headers({b"Authorization": b"Bearer " + key.encode("utf-8")})
        headers.update(kwargs.pop("headers", {}))
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("verify", self._ssl)
        return httpx.Client(base_url=self.url, headers=headers, **kwargs)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call ``/_emulator/<path>`` and return its ``data`` (raises on an error envelope)."""
        response = self._control.request(method, "/_emulator/" + path.lstrip("/"), **kwargs)
        payload = response.json()
        if not payload.get("success"):
            raise AssertionError(f"control plane {method} {path} failed: {payload}")
        return payload["data"]

    # the control plane ---------------------------------------------------------------------
    def reset(self) -> None:
        self.control("POST", "reset")

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the emulator clock forward, completing whatever falls due."""
        result: dict[str, Any] = self.control("POST", "clock/advance", json={"seconds": seconds})
        return result

    def now(self) -> str:
        return str(self.control("GET", "clock")["now"])

    def new_account(self, plan: str = "professional", name: str | None = None) -> Account:
        body: dict[str, Any] = {"plan": plan}
        if name:
            body["name"] = name
        data = self.control("POST", "accounts", json=body)
        return Account(id=data["account"]["id"], api_key=data["api_key"], plan=plan)

    def close(self) -> None:
        self._control.close()


def ssl_context_for(ca_bundle: Path | None) -> ssl.SSLContext:
    """One TLS context for every client of a server.

    Left to itself httpx builds a fresh context for each ``httpx.Client``, loading the whole CA
    bundle (about 50 ms); tests make clients all the time, so that alone cost more than most
    tests. The context trusts the emulator's own CA when it serves HTTPS."""
    if ca_bundle is not None:
        return ssl.create_default_context(cafile=str(ca_bundle))
    return ssl.create_default_context()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lambda-emulator")
    for name, default, help_text in (
        ("seed", "0", "seed of the fixture's emulator"),
        ("speed", "0", "clock speed of the fixture's emulator (0: moves only by advance)"),
        ("transitions", "realistic", "realistic, instant or manual"),
        ("tls", "false", "serve the fixture's emulator over HTTPS"),
    ):
        group.addoption(
            f"--lambda-emulator-{name}",
            dest=f"lambda_emulator_{name}",
            default=None,
            help=f"{help_text} (default {default})",
        )
        parser.addini(f"lambda_emulator_{name}", help_text, default=default)


def _option(config: pytest.Config, name: str) -> str:
    value = config.getoption(f"lambda_emulator_{name}")
    return str(value if value is not None else config.getini(f"lambda_emulator_{name}"))


@pytest.fixture(scope="session")
def _lambda_emulator_server(pytestconfig: pytest.Config) -> Iterator[EmulatorThread]:
    settings = Settings(
        host="127.0.0.1",
        port=0,
        seed=int(_option(pytestconfig, "seed")),
        speed=float(_option(pytestconfig, "speed")),
        start_time=DEFAULT_START,
        transitions=_option(pytestconfig, "transitions"),
        tls=_option(pytestconfig, "tls").lower() in ("1", "true", "yes", "on"),
        strict=True,
        log_level="warning",
    )
    server = EmulatorThread(settings).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def _lambda_emulator_ssl(_lambda_emulator_server: EmulatorThread) -> ssl.SSLContext:
    return ssl_context_for(_lambda_emulator_server.info.ca_bundle)


@pytest.fixture
def lambda_emulator(
    _lambda_emulator_server: EmulatorThread, _lambda_emulator_ssl: ssl.SSLContext
) -> Iterator[EmulatorHandle]:
    """A running emulator, reset to its start-up state for this test."""
    handle = EmulatorHandle(_lambda_emulator_server, _lambda_emulator_ssl)
    handle.reset()
    try:
        yield handle
    finally:
        handle.close()
