"""ASGI layer that records every API request in the journal, whatever answers it.

It sits just inside ``EdgeMiddleware`` (which gives the request its id), so 404s, 405s, auth
failures, rate-limited and fault-injected requests are recorded like any other. Control-plane
requests (``/_emulator/…``) are not recorded, nor ``/`` (the redirect to the dashboard): the
journal shows what a client sent to the API, not what the test harness or a browser did. Bodies
are captured as raw bytes up to a limit; decoding and redaction happen when the journal is read
(``traffic.journal``).
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lambda_emulator.http.worlds import world_of
from lambda_emulator.traffic.journal import BODY_CAPTURE_LIMIT, Entry

__all__ = ["JournalMiddleware"]

CONTROL_PREFIX = "/_emulator"


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _keep(buffer: bytearray, chunk: bytes) -> bool:
    """Append what fits under the capture limit; ``True`` if something was cut off."""
    room = BODY_CAPTURE_LIMIT - len(buffer)
    if room > 0:
        buffer += chunk[:room]
    return len(chunk) > max(room, 0)


class JournalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(CONTROL_PREFIX) or path == "/":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        world = world_of(scope)
        if world is None:
            await self.app(scope, receive, send)
            return
        entry = Entry(
            request_id=state.get("request_id", ""),
            epoch=world.clock.epoch(),
            method=scope["method"],
            path=path,
            query=scope.get("query_string", b""),
            headers=list(scope["headers"]),
        )
        # The journal in force when the request arrived: a reset while it is in flight starts a
        # new journal, and its entry (late, with a request id the new journal will give again)
        # belongs to the one the reset threw away.
        journal = world.traffic.journal
        started = time.perf_counter()
        receive = await self._capturing(scope, receive, entry)
        recorded = False

        def record() -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            entry.duration_ms = (time.perf_counter() - started) * 1000
            entry.account_id = state.get("account_id") or None
            entry.fault_id = state.get("fault_id")
            entry.failure = state.get("failure")
            journal.add(entry)

        async def send_and_capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
                entry.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                if not entry.response_truncated:
                    entry.response_truncated = _keep(entry.response_body, message.get("body", b""))
                if not message.get("more_body", False):
                    # Recorded before the last byte leaves: a client that reads the journal as
                    # soon as it has its answer finds the request there, and a reset that
                    # follows the answer is never overtaken by the entry of what came before.
                    record()
            await send(message)

        try:
            await self.app(scope, receive, send_and_capture)
        except Exception:
            entry.status = entry.status or 500
            raise
        finally:
            record()

    async def _capturing(self, scope: Scope, receive: Receive, entry: Entry) -> Receive:
        """A ``receive`` that copies the body into ``entry``.

        A small body is read in full up front, so the journal has it even when the request is
        refused before anything reads it (a 401, a 404, an injected fault); a large or chunked
        one is copied as the application reads it.
        """
        length = _declared_length(scope)
        if length is not None and 0 < length <= BODY_CAPTURE_LIMIT:
            pending: list[Message] = []
            while True:
                message = await receive()
                pending.append(message)
                if message["type"] != "http.request":
                    break
                _keep(entry.request_body, message.get("body", b""))
                if not message.get("more_body", False):
                    break

            async def replay() -> Message:
                return pending.pop(0) if pending else await receive()

            return replay

        async def copy() -> Message:
            message = await receive()
            if message["type"] == "http.request" and not entry.request_truncated:
                entry.request_truncated = _keep(entry.request_body, message.get("body", b""))
            return message

        return copy
