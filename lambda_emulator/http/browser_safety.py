"""Browser safety for the control plane and the dashboard (pure ASGI middleware).

The control plane needs no key, so any web page a developer visits could otherwise reset or
rewrite their emulator with a cross-site ``fetch`` or form post, and a page on a rebound DNS name
(``evil.example`` resolving to 127.0.0.1) could even read it. Three checks stop that, for every
path under ``/_emulator`` and for ``/`` (the API under ``/v1`` needs a key and has its own CORS):

1. an ``Origin`` header that is present and is not the emulator's own origin (the scheme and the
   ``Host`` the request came to) is refused: browsers send it on every cross-origin request but
   a plain navigation, and on every non-GET request;
2. ``Sec-Fetch-Site: cross-site`` is refused: a browser says so even where it sends no Origin;
3. when the emulator listens on a loopback address, a ``Host`` that is not a loopback name or
   address, nor one allowed with ``--allowed-host``, is refused (DNS rebinding). Listening on
   another interface (``0.0.0.0`` in a container) the emulator is reached by whatever name the
   network gives it (a CI service name), so the Host is not checked there.

A refusal is a 403 ``forbidden`` in the envelope, sent before any endpoint runs, so nothing
changes. Tools such as curl, SDKs and the pytest fixture send neither header and pass.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from lambda_emulator.errors import Forbidden
from lambda_emulator.http.envelope import error_response

__all__ = ["BrowserSafetyMiddleware", "is_loopback_host", "refusal"]

GUARDED_PREFIX = "/_emulator"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback_host(host: str) -> bool:
    """A name or address that can only mean this machine: ``localhost`` (and ``*.localhost``,
    which browsers resolve to loopback), any 127.0.0.0/8 address, or ``::1``."""
    name = host.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _split_host(value: str) -> str:
    """The host part of a ``Host`` header value (``[::1]:8787`` → ``::1``, ``a:1`` → ``a``)."""
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def refusal(
    headers: dict[str, str],
    scheme: str,
    *,
    check_host: bool,
    allowed_hosts: Iterable[str],
) -> tuple[str, dict[str, str]] | None:
    """Why a request must be refused (a message and details), or None when it may pass.

    ``headers`` holds lower-case names. Kept free of ASGI so the rules can be tested alone."""
    host = headers.get("host", "")
    if check_host:
        name = _split_host(host).lower().rstrip(".")
        allowed = {h.lower().rstrip(".") for h in allowed_hosts}
        if not (is_loopback_host(name) or name in allowed):
            return (
                f"Host '{host}' is not a loopback name; start the emulator with "
                f"--allowed-host {name or 'NAME'} to allow it",
                {"header": "Host", "value": host},
            )
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/").lower() != f"{scheme}://{host}".lower():
        return (
            f"Cross-origin request refused: Origin '{origin}' is not this emulator",
            {"header": "Origin", "value": origin},
        )
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return (
            "Cross-site request refused",
            {"header": "Sec-Fetch-Site", "value": "cross-site"},
        )
    return None


class BrowserSafetyMiddleware:
    """Refuses foreign browser requests to the control plane and the dashboard (module doc)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        loopback_only: bool,
        allowed_hosts: Iterable[str],
        request_id: Callable[[], str],
        timestamp: Callable[[], str],
    ) -> None:
        self.app = app
        self.loopback_only = loopback_only
        self.allowed_hosts = tuple(allowed_hosts)
        self.request_id = request_id
        self.timestamp = timestamp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        guarded = scope["type"] in ("http", "websocket") and (
            path == "/" or path == GUARDED_PREFIX or path.startswith(GUARDED_PREFIX + "/")
        )
        if not guarded:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", ""), scope.get("scheme"))
        why = refusal(
            headers,
            str(scheme or "http"),
            check_host=self.loopback_only,
            allowed_hosts=self.allowed_hosts,
        )
        if why is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        message, details = why
        request_id = self.request_id()
        response = error_response(Forbidden(message, details), request_id, self.timestamp())
        response.headers["X-Request-Id"] = request_id
        await response(scope, receive, send)
