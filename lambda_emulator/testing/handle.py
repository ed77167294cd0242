"""What the ``lambda_emulator`` fixture hands a test: :class:`EmulatorHandle`.

It lives apart from the plugin module because it needs httpx and the server (about 0.25 s of
imports): the plugin is loaded into every pytest run of an environment where the package is
installed, and imports this only when a test first asks for the fixture.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from lambda_emulator.engine import world
from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.testing.webhook_receiver import (
    ReceivedDelivery,
    WebhookReceiver,
    verify_body_signature,
    verify_header,
)

__all__ = [
    "DEFAULT_START",
    "Account",
    "Attached",
    "EmulatorHandle",
    "ReceivedDelivery",
    "WebhookReceiver",
    "client_ssl_context",
    "control_client",
]

#: Where the fixture's frozen clock starts, so time-dependent tests are repeatable.
DEFAULT_START = datetime(2026, 1, 24, 10, 30, tzinfo=UTC)


def control_client(url: str, ssl_context: ssl.SSLContext) -> httpx.Client:
    """The client a handle steers the emulator with (never through a proxy: it is local)."""
    return httpx.Client(base_url=url, timeout=30, verify=ssl_context, trust_env=False)


@dataclass(frozen=True)
class Attached:
    """A sandbox of an emulator that was already running (``--lambda-emulator-url``)."""

    url: str
    sandbox_id: str
    api_key: str
    #: ``--lambda-emulator-rate-limits=false``: switched off again after every reset.
    rate_limits: bool = True


@dataclass(frozen=True)
class Account:
    """A separate account made by :meth:`EmulatorHandle.new_account`: its id, its one API key
    (with every permission) and its plan."""

    id: str
    api_key: str
    plan: str


class EmulatorHandle:
    """What a test holds: the URL, the default key, and the control plane as methods."""

    def __init__(
        self,
        server: EmulatorThread | Attached,
        ssl_context: ssl.SSLContext | None = None,
        *,
        control: httpx.Client | None = None,
    ) -> None:
        self._server = server
        self.url = server.url
        self._attached = server if isinstance(server, Attached) else None
        if self._attached is not None:
            self.api_key = self._attached.api_key
            self.ca_bundle: Path | None = None
            self.sandbox_id = self._attached.sandbox_id
            #: Where this handle's control plane is: its sandbox's, when attached.
            self.control_path = f"/_emulator/sandboxes/{self.sandbox_id}/"
        else:
            assert isinstance(server, EmulatorThread)
            self.api_key = server.settings.api_key
            self.ca_bundle = server.info.ca_bundle
            self.sandbox_id = "sbx_default"
            self.control_path = "/_emulator/"
        # Building an SSL context reads the whole CA store (~50 ms): once, not per client.
        self.ssl_context = ssl_context or client_ssl_context(self.ca_bundle)
        # The fixture hands every test's handle one control client for the whole session;
        # a handle made on its own makes (and closes) its own.
        self._owns_control = control is None
        self._control = control or control_client(self.url, self.ssl_context)
        self._receivers: list[WebhookReceiver] = []
        # Closed with the handle: an HTTPS connection a test leaves open otherwise holds the
        # server's shutdown for its whole graceful timeout (5 s) at the session's end.
        self._clients: list[httpx.Client] = []

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
        # a loopback emulator: no proxy from the environment may stand in between (reading
        # the environment's proxy settings is also most of what making a client costs)
        kwargs.setdefault("trust_env", False)
        client = httpx.Client(base_url=self.url, headers=headers, **kwargs)
        self._clients.append(client)
        return client

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call ``/_emulator/<path>`` and return its ``data`` (raises on an error envelope)."""
        response = self._control.request(method, self.control_path + path.lstrip("/"), **kwargs)
        payload = response.json()
        if not payload.get("success"):
            raise AssertionError(f"control plane {method} {path} failed: {payload}")
        return payload["data"]

    # the control plane ---------------------------------------------------------------------
    def reset(self) -> None:
        server = self._server
        if isinstance(server, EmulatorThread):
            # in process: the same reset as POST /_emulator/reset, run on the server's loop
            # without an HTTP round trip (the fixture resets before every test)
            rt = server.runtime
            server.call(lambda: world.reset(rt))
            return
        self.control("POST", "reset")
        if self._attached is not None and not self._attached.rate_limits:
            self.set_rate_limits(False)

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the emulator clock forward, completing whatever falls due."""
        result: dict[str, Any] = self.control("POST", "clock/advance", json={"seconds": seconds})
        return result

    def now(self) -> str:
        """The emulator clock's reading, RFC 3339 in UTC (``2026-01-24T10:30:00Z``)."""
        return str(self.control("GET", "clock")["now"])

    def set_speed(self, factor: float) -> dict[str, Any]:
        """Run the clock at real time × ``factor`` from now on (0 freezes it) until the next
        reset; returns the clock (``now, epoch, speed, pending_jobs``)."""
        clock: dict[str, Any] = self.control("PUT", "clock", json={"speed": factor})
        return clock

    def set_transitions(
        self, mode: str, durations: dict[str, float] | None = None, *, reads: int | None = None
    ) -> dict[str, Any]:
        """How lifecycle transitions complete until the next reset: ``realistic``, ``instant``
        or ``manual``; ``durations`` overrides emulator seconds per transition (names such as
        ``instance.pending``); ``reads``: in manual mode, the N-th ``GET`` of a resource
        completes its transition. Returns ``{mode, durations, reads}`` in force."""
        body: dict[str, Any] = {"mode": mode}
        if durations is not None:
            body["durations"] = durations
        if reads is not None:
            body["reads"] = reads
        result: dict[str, Any] = self.control("PUT", "transitions", json=body)
        return result

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
                self.control_path + "webhooks/deliveries",
                params={**filters, "page": page, "limit": 100},
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
        """Stop the receivers and close every client this handle gave out (the fixture does
        this when the test ends)."""
        for receiver in self._receivers:
            receiver.stop()
        self._receivers.clear()
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._owns_control:
            self._control.close()

    def journal_report(self, bodies: bool = False) -> str:
        """The requests this test made, one line each (method, path, status, request id; the
        bodies too with ``bodies``), as the journal shows them: secrets redacted."""
        lines = []
        for entry in self.requests():
            query = f"?{entry['query']}" if entry.get("query") else ""
            lines.append(
                f"{entry['method']} {entry['path']}{query} -> {entry['status']} "
                f"{entry['request_id']}"
            )
            if bodies:
                for side in ("request_body", "response_body"):
                    if entry.get(side) not in (None, ""):
                        lines.append(f"    {side.split('_')[0]}: {_shown_body(entry[side])}")
        return "\n".join(lines) if lines else "(no requests)"


def _shown_body(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)


def client_ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """One TLS context for every client of a server.

    Left to itself httpx builds a fresh context for each ``httpx.Client``, loading the whole CA
    bundle (about 50 ms); tests make clients all the time, so that alone cost more than most
    tests. The context trusts the emulator's own CA when it serves HTTPS."""
    if ca_bundle is not None:
        return ssl.create_default_context(cafile=str(ca_bundle))
    return ssl.create_default_context()
