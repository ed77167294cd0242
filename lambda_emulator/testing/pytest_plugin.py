"""The ``lambda_emulator`` pytest fixture: a real emulator on a free loopback port.

One server is started per test session (per worker under pytest-xdist, so workers never share
state) and reset before every test. The clock is frozen by default (``speed 0``) so a test moves
time only by ``advance``, and responses are validated strictly, so an emulator bug fails loudly.

    def test_create(lambda_emulator):
        client = lambda_emulator.client()
        r = client.post("/v1/instances", json={...})
        lambda_emulator.advance(60)

The handle also steers traffic: ``inject_fault()``/``faults()``/``clear_faults()``, the request
journal ``requests()``/``clear_requests()``, ``export_state()``/``import_state()``,
``set_plan()`` and ``set_rate_limits()``. Rate limits are on as in production, and with the clock
frozen every request of a test falls in the same second: an account meets its plan's burst (200
for the default professional account) unless the test advances the clock or switches limits off.
Webhooks: ``lambda_emulator.webhook_receiver()`` starts a real local receiver (``.url``,
``.wait_for(event_type, timeout)`` → the delivery with its raw body and headers, ``.verify``);
``drain_webhooks()`` waits until every due attempt was made; ``deliveries(**filters)`` reads the
delivery log; ``redeliver(id)``; ``verify_webhook(raw_body, header, secret)``.

Options (command line or ini): ``--lambda-emulator-seed``, ``--lambda-emulator-speed``,
``--lambda-emulator-transitions``, ``--lambda-emulator-tls`` (HTTPS; ``.ca_bundle`` is the CA
to trust), ``--lambda-emulator-rate-limits``.
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

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.settings import Settings
from lambda_emulator.testing.webhook_receiver import (
    ReceivedDelivery,
    WebhookReceiver,
    verify_body_signature,
    verify_header,
)

__all__ = ["Account", "EmulatorHandle", "ReceivedDelivery", "WebhookReceiver", "lambda_emulator"]

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
        # Building an SSL context reads the whole CA store (~50 ms): once, not per client.
        self.ssl_context = ssl_context or client_ssl_context(self.ca_bundle)
        self._control = httpx.Client(base_url=self.url, timeout=30, verify=self.ssl_context)
        self._receivers: list[WebhookReceiver] = []

    def verify(self) -> ssl.SSLContext:
        """What to pass as httpx's ``verify=``: a context that trusts the emulator's CA."""
        return self.ssl_context

    # clients -------------------------------------------------------------------------------
    def client(self, api_key: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx client for the API, authenticated with ``api_key`` (default: the default
        key). The key goes over as UTF-8 bytes: httpx refuses a ``str`` header holding ``λ``."""
        key = api_key if api_key is not None else self.api_key
        headers = httpx.Headers({b"Authorization": b"Bearer " + key.encode("utf-8")})
        headers.update(kwargs.pop("headers", {}))
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("verify", self.ssl_context)
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

    def set_plan(self, account_id: str, plan: str) -> dict[str, Any]:
        """Move an account to another plan (its rate limits and quotas follow at once)."""
        account: dict[str, Any] = self.control(
            "PATCH", f"accounts/{account_id}", json={"plan": plan}
        )
        return account

    def set_rate_limits(self, enabled: bool) -> None:
        """Switch rate limiting on or off until the next reset."""
        self.control("PUT", "rate-limits", json={"enabled": enabled})

    # faults, the journal, state ------------------------------------------------------------
    def inject_fault(self, path: str, **rule: Any) -> dict[str, Any]:
        """Add a fault rule: ``path`` a glob (``/v1/instances*``); ``rule`` any of ``method,
        status, code, message, latency_ms, count, probability, account_id, retry_after``."""
        body = {"path": path, **{k: v for k, v in rule.items() if v is not None}}
        fault: dict[str, Any] = self.control("POST", "faults", json=body)
        return fault

    def faults(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.control("GET", "faults")
        return found

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, oldest first; filters: ``method, path`` (a glob), ``status,
        account_id, request_id, limit``."""
        params = {k: v for k, v in filters.items() if v is not None}
        found: list[dict[str, Any]] = self.control("GET", "requests", params=params)
        return found

    def clear_requests(self) -> None:
        self.control("DELETE", "requests")

    def export_state(self) -> dict[str, Any]:
        document: dict[str, Any] = self.control("GET", "state")
        return document

    def import_state(self, document: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.control("PUT", "state", json=document)
        return result

    # webhooks ------------------------------------------------------------------------------
    def webhook_receiver(self, port: int = 0, path: str = "/webhook") -> WebhookReceiver:
        """A started local receiver (``.url``, ``.wait_for``), stopped when the test ends."""
        receiver = WebhookReceiver(port=port, path=path).start()
        self._receivers.append(receiver)
        return receiver

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """Every webhook delivery (oldest first), filtered like
        ``GET /_emulator/webhooks/deliveries`` (``webhook_id``, ``status``, ``event_type``…)."""
        found: list[dict[str, Any]] = []
        page = 1
        while True:
            response = self._control.get(
                "/_emulator/webhooks/deliveries", params={**filters, "page": page, "limit": 100}
            )
            payload = response.json()
            if not payload.get("success"):
                raise AssertionError(f"listing deliveries failed: {payload}")
            found.extend(payload["data"])
            if not payload["pagination"]["has_next"]:
                return found
            page += 1

    def drain_webhooks(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until every delivery that is due has been attempted (the sender is idle)."""
        result: dict[str, Any] = self.control(
            "POST", "webhooks/drain", json={"timeout_seconds": timeout}
        )
        if not result["drained"]:
            raise AssertionError(f"webhook deliveries still running after {timeout} s: {result}")
        return result

    def redeliver(self, delivery_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.control(
            "POST", f"webhooks/deliveries/{delivery_id}/redeliver"
        )
        return result

    @staticmethod
    def verify_webhook(raw_body: bytes, signature_header: str | None, secret: str) -> bool:
        """Check a delivery's ``X-Lambda-Signature`` header and its body's ``signature``."""
        return verify_header(raw_body, signature_header, secret) and verify_body_signature(
            raw_body, secret
        )

    def close(self) -> None:
        for receiver in self._receivers:
            receiver.stop()
        self._receivers.clear()
        self._control.close()


def client_ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
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
        ("rate_limits", "true", "enforce the plans' rate limits"),
    ):
        group.addoption(
            f"--lambda-emulator-{name.replace('_', '-')}",
            dest=f"lambda_emulator_{name}",
            default=None,
            help=f"{help_text} (default {default})",
        )
        parser.addini(f"lambda_emulator_{name}", help_text, default=default)


def _option(config: pytest.Config, name: str) -> str:
    value = config.getoption(f"lambda_emulator_{name}")
    return str(value if value is not None else config.getini(f"lambda_emulator_{name}"))


def _flag(config: pytest.Config, name: str) -> bool:
    return _option(config, name).lower() in ("1", "true", "yes", "on")


@pytest.fixture(scope="session")
def _lambda_emulator_server(pytestconfig: pytest.Config) -> Iterator[EmulatorThread]:
    settings = Settings(
        host="127.0.0.1",
        port=0,
        seed=int(_option(pytestconfig, "seed")),
        speed=float(_option(pytestconfig, "speed")),
        start_time=DEFAULT_START,
        transitions=_option(pytestconfig, "transitions"),
        tls=_flag(pytestconfig, "tls"),
        rate_limits=_flag(pytestconfig, "rate_limits"),
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
    return client_ssl_context(_lambda_emulator_server.info.ca_bundle)


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
