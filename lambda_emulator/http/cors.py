"""CORS for the API (``/v1``, and the beta ``/v2``), so a web app on a local dev server can call
the emulator from the browser; never for the control plane.

Allowed by default: loopback origins on any port (``http://localhost:5173``,
``http://127.0.0.1:3000``, ``http://[::1]:8080``; https too), because that is where a developer's
app runs and nothing else can serve a page from there. More with ``--cors-origin`` (repeatable;
``*`` for any). An allowed origin's preflight is answered here, before authentication (a browser
sends no credentials on a preflight); its real requests get the origin back and the headers a
client reads exposed. Another origin gets no CORS headers at all, so the browser refuses the
response to the page. The answer always names the one origin (never ``*``), as a browser needs
for a request that carries an ``Authorization`` header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ALLOWED_HEADERS", "EXPOSED_HEADERS", "CorsMiddleware", "is_allowed"]

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = ("authorization", "x-api-key", "content-type", "idempotency-key")
EXPOSED_HEADERS = (
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, X-Request-Id, Retry-After, "
    "Idempotent-Replayed, X-API-Version"
)
#: How long (seconds) a browser may reuse a preflight answer.
MAX_AGE = "600"

_LOOPBACK = re.compile(r"https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?")


def _is_api(path: str) -> bool:
    return path in ("/v1", "/v2") or path.startswith(("/v1/", "/v2/"))


def is_allowed(origin: str, extra: Iterable[str]) -> bool:
    """Whether a page of ``origin`` may call the API: loopback, or listed in ``extra``."""
    lowered = origin.lower()
    if _LOOPBACK.fullmatch(lowered):
        return True
    listed = set(extra)
    return "*" in listed or lowered in listed


class CorsMiddleware:
    def __init__(self, app: ASGIApp, origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or not is_allowed(origin, self.origins):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, headers)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
                    (b"vary", b"Origin"),
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    def _preflight(origin: str, headers: Headers) -> Response:
        asked = [
            name.strip().lower()
            for name in headers.get("access-control-request-headers", "").split(",")
            if name.strip()
        ]
        granted = [name for name in asked if name in ALLOWED_HEADERS] or list(ALLOWED_HEADERS)
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ", ".join(granted),
                "Access-Control-Max-Age": MAX_AGE,
                "Vary": "Origin",
            },
        )
