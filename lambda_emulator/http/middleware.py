"""The outermost layer: a request id for every request, version headers, and the last resort
that turns an unexpected exception into a 500 envelope (logged with its request id, never a
traceback to the client)."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lambda_emulator.errors import InvalidRequest, ServerError
from lambda_emulator.http.envelope import error_response
from lambda_emulator.http.worlds import resolve
from lambda_emulator.sandboxes.registry import Sandboxes

__all__ = ["EdgeMiddleware"]

log = logging.getLogger("lambda_emulator")

_VERSION_HEADERS = {"/v1": b"v1", "/v2": b"v2-beta"}

#: Input limits checked before anything else runs. The HTTP parser (httptools) has no limit
#: of its own on header size and takes request lines up to about 64 KiB, so without these a
#: client could make every request carry megabytes of headers or an endless query string.
MAX_TARGET_BYTES = 8 * 1024
MAX_HEADER_BYTES = 16 * 1024


def oversized(scope: Scope) -> InvalidRequest | None:
    """The refusal for a request whose target (path and query) or headers are too large."""
    query = scope["query_string"]
    target = len(scope.get("raw_path") or scope["path"].encode()) + (len(query) + 1 if query else 0)
    if target > MAX_TARGET_BYTES:
        return InvalidRequest(
            f"The request URL is {target} bytes; the limit is {MAX_TARGET_BYTES}",
            {"field": "url", "size_bytes": target, "constraint": {"max_bytes": MAX_TARGET_BYTES}},
        )
    headers = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
    if headers > MAX_HEADER_BYTES:
        return InvalidRequest(
            f"The request headers are {headers} bytes; the limit is {MAX_HEADER_BYTES}",
            {
                "field": "headers",
                "size_bytes": headers,
                "constraint": {"max_bytes": MAX_HEADER_BYTES},
            },
        )
    return None


def api_version(path: str) -> bytes | None:
    for prefix, header in _VERSION_HEADERS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return header
    return None


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, sandboxes: Sandboxes) -> None:
        self.app = app
        self.sandboxes = sandboxes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        # request ids come from one counter for the whole emulator: unique across sandboxes
        request_id = self.sandboxes.default.new_request_id()
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["started"] = time.perf_counter()
        version = api_version(scope["path"])
        world = resolve(self.sandboxes, scope, version is not None)
        state["world"] = world
        clock_of = world or self.sandboxes.default
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                if version is not None:
                    headers.append((b"x-api-version", version))
                message = {**message, "headers": headers}
            await send(message)

        refusal = oversized(scope) if scope["type"] == "http" else None
        if refusal is not None:
            response = error_response(refusal, request_id, clock_of.timestamp())
            await response(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("request %s %s %s failed", request_id, scope.get("method"), scope["path"])
            if scope["type"] != "http" or started:
                raise
            response = error_response(
                ServerError(f"Internal server error; quote request id {request_id}"),
                request_id,
                clock_of.timestamp(),
            )
            await response(scope, receive, send_with_headers)
