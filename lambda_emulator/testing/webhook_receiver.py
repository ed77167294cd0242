"""A real webhook receiver for tests: an HTTP server on a loopback port, in a thread.

    receiver = lambda_emulator.webhook_receiver()
    client.post("/v1/webhooks", json={"url": receiver.url, "events": ["*"], "secret": "s3cret!!"})
    ...
    delivery = receiver.wait_for("instance.created", timeout=5)
    assert delivery.verify("s3cret!!")

Every POST is recorded with its exact raw body and headers. ``respond_with`` scripts the answers
(a status, a delay) to exercise retries; ``stop``/``start`` take it down and bring it back on
the same port. ``wait_for`` blocks on a condition variable until the sender's delivery arrives:
the one place a bounded real-time wait is right, since the sender runs in another thread.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lambda_emulator.core.webhooks import signed_part, verify_body_signature, verify_header

__all__ = ["ReceivedDelivery", "WebhookReceiver", "verify_body_signature", "verify_header"]


@dataclass(frozen=True)
class ReceivedDelivery:
    """One POST as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes
    received_at: float
    answered: int

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def json(self) -> Any:
        return json.loads(self.raw_body)

    @property
    def event_type(self) -> str | None:
        return self.header("X-Lambda-Event")

    @property
    def delivery_id(self) -> str | None:
        return self.header("X-Lambda-Delivery")

    @property
    def event_id(self) -> str:
        return str(self.json["id"])

    @property
    def signed_bytes(self) -> bytes | None:
        """What the body's own ``signature`` member signs (the body without that member)."""
        return signed_part(self.raw_body)

    def verify(self, secret: str) -> bool:
        """Both signatures hold: the ``X-Lambda-Signature`` header and the body's member."""
        return verify_header(
            self.raw_body, self.header("X-Lambda-Signature"), secret
        ) and verify_body_signature(self.raw_body, secret)


@dataclass
class _Script:
    status: int
    delay: float
    times: int | None


@dataclass
class _State:
    cond: threading.Condition = field(default_factory=threading.Condition)
    received: list[ReceivedDelivery] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)
    script: deque[_Script] = field(default_factory=deque)
    default_status: int = 200
    default_delay: float = 0.0
    #: Cleared by ``hold``: requests then wait (unanswered) until ``release``.
    gate: threading.Event = field(default_factory=threading.Event)
    held: int = 0
    peak_held: int = 0

    def __post_init__(self) -> None:
        self.gate.set()


#: The longest a held request waits for ``release`` (real seconds).
HOLD_LIMIT = 60.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, delay = self._answer(state)
        if not state.gate.is_set():
            with state.cond:
                state.held += 1
                state.peak_held = max(state.peak_held, state.held)
                state.cond.notify_all()
            state.gate.wait(HOLD_LIMIT)
            with state.cond:
                state.held -= 1
        if delay:
            time.sleep(delay)  # a slow receiver, on purpose
        delivery = ReceivedDelivery(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            raw_body=raw,
            received_at=time.time(),
            answered=status,
        )
        with state.cond:
            state.received.append(delivery)
            state.cond.notify_all()
        payload = b'{"received":true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    @staticmethod
    def _answer(state: _State) -> tuple[int, float]:
        with state.cond:
            if state.script:
                step = state.script[0]
                if step.times is not None:
                    step.times -= 1
                    if step.times <= 0:
                        state.script.popleft()
                return step.status, step.delay
            return state.default_status, state.default_delay

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a burst of retries must not meet a full accept queue

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        self.state = state
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that gave up (its timeout) before a slow answer is expected, not noise."""
        error = sys.exc_info()[1]
        if not isinstance(error, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class WebhookReceiver:
    """A local HTTP server that records webhook deliveries."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/webhook") -> None:
        self.host = host
        self.port = port
        self.path = path
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    @property
    def running(self) -> bool:
        return self._server is not None

    # up and down ---------------------------------------------------------------------------
    def start(self) -> WebhookReceiver:
        """Listen (again) on the same port: a receiver coming back after an outage."""
        if self._server is None:
            self._server = _Server((self.host, self.port), self._state)
            self.port = self._server.server_address[1]
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"webhook-receiver-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start`` (the port is kept)."""
        self._state.gate.set()  # let held requests finish
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # behaviour -----------------------------------------------------------------------------
    def respond_with(
        self, status: int = 200, *, delay: float = 0.0, times: int | None = None
    ) -> None:
        """Answer the next ``times`` deliveries (every one when None) with ``status`` after
        ``delay`` real seconds. Scripted steps run in order before the default (200 at once)."""
        with self._state.cond:
            if times is None:
                self._state.script.clear()
                self._state.default_status, self._state.default_delay = status, delay
            else:
                self._state.script.append(_Script(status, delay, times))

    def hold(self) -> None:
        """Leave requests unanswered until ``release`` (a receiver that hangs)."""
        self._state.gate.clear()

    def release(self) -> None:
        self._state.gate.set()

    @property
    def peak_held(self) -> int:
        """The most requests held unanswered at the same time."""
        with self._state.cond:
            return self._state.peak_held

    def wait_for_held(self, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` requests are being held unanswered at once."""
        with self._state.cond:
            if not self._state.cond.wait_for(lambda: self._state.held >= count, timeout):
                raise TimeoutError(
                    f"{self._state.held} of {count} requests were held within {timeout} s"
                )

    # what arrived --------------------------------------------------------------------------
    @property
    def deliveries(self) -> list[ReceivedDelivery]:
        with self._state.cond:
            return list(self._state.received)

    def clear(self) -> None:
        with self._state.cond:
            self._state.received.clear()
            self._state.consumed.clear()

    def wait_for(
        self,
        event_type: str | None = None,
        timeout: float = 5.0,
        *,
        event_id: str | None = None,
        delivery_id: str | None = None,
    ) -> ReceivedDelivery:
        """The oldest delivery of ``event_type`` (any type when None; narrowed to an event id
        or a delivery id when given) not yet returned by ``wait_for``; waits up to ``timeout``
        real seconds for it."""

        def find() -> int | None:
            for index, delivery in enumerate(self._state.received):
                if index in self._state.consumed:
                    continue
                if event_type is not None and delivery.event_type != event_type:
                    continue
                if event_id is not None and _event_id(delivery) != event_id:
                    continue
                if delivery_id is not None and delivery.delivery_id != delivery_id:
                    continue
                return index
            return None

        with self._state.cond:
            self._state.cond.wait_for(lambda: find() is not None, max(0.0, timeout))
            index = find()
            if index is None:
                seen = [d.event_type for d in self._state.received]
                raise TimeoutError(
                    f"no delivery of {event_type or 'any type'} arrived at {self.url} within "
                    f"{timeout} s (received so far: {seen})"
                )
            self._state.consumed.add(index)
            return self._state.received[index]

    def wait_for_count(self, count: int, timeout: float = 5.0) -> list[ReceivedDelivery]:
        """Wait until at least ``count`` POSTs (of any type, any answer) have arrived."""
        with self._state.cond:
            if not self._state.cond.wait_for(lambda: len(self._state.received) >= count, timeout):
                raise TimeoutError(
                    f"{len(self._state.received)} of {count} deliveries arrived within {timeout} s"
                )
            return list(self._state.received)


def _event_id(delivery: ReceivedDelivery) -> str | None:
    try:
        return delivery.event_id
    except (ValueError, KeyError, TypeError):
        return None
