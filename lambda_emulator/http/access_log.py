"""One log line per API request at ``info``: method, path, status, milliseconds, request id.

It is what an operator tails to see that a client reached the emulator at all, so it is on by
default in ``serve``. The query string is left out (a metrics stream opened by a browser carries
its key as ``?api_key=``), as are headers and bodies: the line never holds a secret. The control
plane is not logged (a test harness calls it all the time); the request journal has more detail.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLogMiddleware"]

log = logging.getLogger("lambda_emulator.access")

CONTROL_PREFIX = "/_emulator"


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or path.startswith(CONTROL_PREFIX)
            or not log.isEnabledFor(logging.INFO)
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            state: dict[str, Any] = scope.get("state", {})
            log.info(
                "%s %s %d %.1fms %s",
                scope["method"],
                path,
                status,
                (time.perf_counter() - started) * 1000,
                state.get("request_id", "-"),
            )
