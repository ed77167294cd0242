"""``/_emulator/ui/``: the dashboard page, its read-only JSON surface, and its live feed.

The page is static files from the package (no build step, no CDN) that read the emulator through:

- ``GET /_emulator/ui/api/sandboxes``: the worlds the page can show (today only ``sbx_default``);
- ``GET /_emulator/ui/api/sandboxes/{sbx}/overview``: accounts and keys (public views only),
  resources and webhook subscriptions;
- ``…/{sbx}/clock``, ``…/{sbx}/activity`` (recent events), ``…/{sbx}/instances/{id}/metrics``,
  ``…/{sbx}/billing?account_id=`` and ``…/{sbx}/estimate?instance_type=…``;
- ``GET …/{sbx}/events``: server-sent events that name what changed (``state``, ``journal``,
  ``deliveries``, ``faults``, ``clock``), so the page refetches only that, only when it changed;
- and the control plane's own endpoints for the journal, deliveries, faults and every action.

Every read is per sandbox so that a sandbox selector needs no new endpoint. The feed compares
small signatures of each topic a few times a second inside the server, rather than letting every
open page poll every endpoint. A stream ends when the client goes away or when the server shuts
down (``close_streams``), because uvicorn waits for open responses before it stops.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from lambda_emulator.errors import ApiError, InvalidRequest, NotFound
from lambda_emulator.http.envelope import (
    envelope_response,
    error_response,
    render_json,
    success_body,
)
from lambda_emulator.resources import billing
from lambda_emulator.runtime import Runtime
from lambda_emulator.sandboxes import overview as data

__all__ = ["DEFAULT_SANDBOX", "UI_PATH", "Dashboard", "close_streams"]

UI_PATH = "/_emulator/ui/"
API = "/_emulator/ui/api/sandboxes"
DEFAULT_SANDBOX = "sbx_default"
STATIC_DIR = Path(str(files("lambda_emulator.dashboard").joinpath("static")))
#: Real seconds between two looks at what changed, per open stream.
FEED_TICK = 0.25
#: A comment line this often keeps proxies and the browser from timing the stream out.
KEEPALIVE_SECONDS = 15.0
#: A clock reading this far (emulator seconds) from where its speed would have taken it was moved.
CLOCK_JUMP = 0.5
_IMPORTMAP = re.compile(rb'<script type="importmap">(.*?)</script>', re.S)
METRIC_RANGES = (900, 3600, 6 * 3600, 24 * 3600, 7 * 86400)


@dataclass
class Dashboard:
    """The dashboard's routes for the worlds that ``world`` finds by sandbox id."""

    #: The runtime of a sandbox id, or None when there is no such sandbox.
    world: Callable[[str], Runtime | None]
    #: The sandboxes to offer, ``{id, name, default}`` each (the sandbox registry, once there).
    listing: Callable[[], list[dict[str, Any]]] = lambda: [
        {"id": DEFAULT_SANDBOX, "name": "default", "default": True}
    ]
    closing: bool = False
    _index: tuple[bytes, str] | None = field(default=None, repr=False)

    def routes(self) -> list[BaseRoute]:
        sbx = API + "/{sbx}"
        return [
            Route("/", _redirect, methods=["GET"]),
            Route("/_emulator/ui", _redirect, methods=["GET"]),
            Route(UI_PATH, self.index, methods=["GET"]),
            Mount("/_emulator/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static"),
            Route(API, self.sandboxes, methods=["GET"]),
            Route(sbx + "/overview", self._json(lambda rt, q: data.overview(rt)), methods=["GET"]),
            Route(sbx + "/clock", self._json(lambda rt, q: data.clock_view(rt)), methods=["GET"]),
            Route(sbx + "/activity", self._json(_activity), methods=["GET"]),
            Route(sbx + "/instances/{id}/metrics", self._json(_metrics), methods=["GET"]),
            Route(sbx + "/billing", self._json(_billing), methods=["GET"]),
            Route(sbx + "/estimate", self._json(_estimate), methods=["GET"]),
            Route(sbx + "/events", self.events, methods=["GET"]),
        ]

    # the page ---------------------------------------------------------------------------------
    async def index(self, request: Request) -> Response:
        body, csp = self._load_index()
        return Response(
            body,
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": csp,
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store",
            },
        )

    def _load_index(self) -> tuple[bytes, str]:
        """The page and a policy that lets it load nothing from outside the emulator; the inline
        import map (which a module script cannot load from a file) is allowed by its hash."""
        if self._index is None:
            body = (STATIC_DIR / "index.html").read_bytes()
            hashes = " ".join(
                "'sha256-" + base64.b64encode(hashlib.sha256(m).digest()).decode() + "'"
                for m in _IMPORTMAP.findall(body)
            )
            csp = (
                "default-src 'none'; "
                f"script-src 'self' {hashes}; "
                "style-src 'self'; img-src 'self' data:; font-src 'self'; "
                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            )
            self._index = (body, csp)
        return self._index

    # the JSON surface -------------------------------------------------------------------------
    async def sandboxes(self, request: Request) -> Response:
        rt = self._rt(DEFAULT_SANDBOX)
        return envelope_response(
            success_body(self.listing(), _request_id(request, rt), rt.timestamp()), 200
        )

    def _rt(self, sandbox: str) -> Runtime:
        rt = self.world(sandbox)
        if rt is None:
            fallback = self.world(DEFAULT_SANDBOX)
            assert fallback is not None
            raise _Missing(fallback, sandbox)
        return rt

    def _json(
        self, read: Callable[[Runtime, Request], Any]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                rt = self._rt(request.path_params["sbx"])
            except _Missing as missing:
                return missing.response(request)
            request_id = _request_id(request, rt)
            try:
                value = read(rt, request)
            except ApiError as exc:
                return error_response(exc, request_id, rt.timestamp())
            return envelope_response(success_body(value, request_id, rt.timestamp()), 200)

        return endpoint

    # the live feed ----------------------------------------------------------------------------
    async def events(self, request: Request) -> Response:
        try:
            rt = self._rt(request.path_params["sbx"])
        except _Missing as missing:
            return missing.response(request)
        return StreamingResponse(
            self._stream(rt),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def _stream(self, rt: Runtime) -> AsyncIterator[bytes]:
        watch = _Watch(rt)
        yield b"retry: 2000\n\n"
        yield _sse("hello", {"clock": data.clock_view(rt)})
        quiet_since = time.monotonic()
        while True:
            await asyncio.sleep(FEED_TICK)
            if self.closing:
                break
            changed = watch.changed()
            if changed:
                quiet_since = time.monotonic()
                yield _sse("change", {"topics": changed, "clock": data.clock_view(rt)})
            elif time.monotonic() - quiet_since > KEEPALIVE_SECONDS:
                quiet_since = time.monotonic()
                yield b": keep-alive\n\n"
        yield _sse("bye", {"reason": "the emulator is stopping"})


def close_streams(app: Starlette) -> None:
    """End every open event stream (the server is stopping); called before uvicorn waits for
    open responses, so shutting down never hangs on a dashboard left open."""
    dashboard: Dashboard | None = getattr(app.state, "dashboard", None)
    if dashboard is not None:
        dashboard.closing = True


class _Missing(Exception):
    def __init__(self, rt: Runtime, sandbox: str) -> None:
        super().__init__(sandbox)
        self.rt = rt
        self.sandbox = sandbox

    def response(self, request: Request) -> Response:
        error = NotFound(
            f"Sandbox '{self.sandbox}' not found", {"field": "sandbox", "value": self.sandbox}
        )
        return error_response(error, _request_id(request, self.rt), self.rt.timestamp())


def _request_id(request: Request, rt: Runtime) -> str:
    """The id the edge gave this request (and put in ``X-Request-Id``), else a new one."""
    state = request.scope.get("state", {})
    request_id = state.get("request_id") if isinstance(state, dict) else None
    return str(request_id) if request_id else rt.new_request_id()


class _Watch:
    """Signatures of each topic, to tell which changed since the last look."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.last = self._signatures()
        self.clock_at = (rt.clock.epoch(), time.monotonic())

    def _signatures(self) -> dict[str, Any]:
        rt = self.rt
        view = data.clock_view(rt)
        return {
            "state": hashlib.blake2b(render_json(data.overview(rt)), digest_size=16).digest(),
            "journal": data.journal_signature(rt),
            "deliveries": data.deliveries_signature(rt),
            "faults": data.faults_signature(rt),
            "clock": (view["speed"], view["transitions"], view["pending_jobs"]),
        }

    def changed(self) -> list[str]:
        now = self._signatures()
        topics = [name for name, value in now.items() if self.last.get(name) != value]
        self.last = now
        epoch, mono = self.rt.clock.epoch(), time.monotonic()
        expected = self.clock_at[0] + (mono - self.clock_at[1]) * self.rt.clock.speed
        self.clock_at = (epoch, mono)
        if abs(epoch - expected) > CLOCK_JUMP and "clock" not in topics:
            topics.append("clock")
        return topics


def _sse(event: str, payload: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + render_json(payload) + b"\n\n"


async def _redirect(request: Request) -> Response:
    return RedirectResponse(UI_PATH, status_code=307)


def _activity(rt: Runtime, request: Request) -> list[dict[str, Any]]:
    raw = request.query_params.get("limit", "25")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise InvalidRequest("'limit' must be between 1 and 100", {"field": "limit", "value": raw})
    return data.activity(rt, int(raw))


def _metrics(rt: Runtime, request: Request) -> dict[str, Any]:
    raw = request.query_params.get("range", "3600")
    if not raw.isdigit() or int(raw) not in METRIC_RANGES:
        raise InvalidRequest(
            "'range' must be one of the offered ranges",
            {"field": "range", "value": raw, "allowed_values": list(METRIC_RANGES)},
        )
    return data.metrics_view(rt, request.path_params["id"], int(raw))


def _billing(rt: Runtime, request: Request) -> dict[str, Any]:
    return data.billing_view(rt, request.query_params.get("account_id", ""))


def _estimate(rt: Runtime, request: Request) -> dict[str, Any]:
    q = request.query_params
    query: dict[str, Any] = {"instance_type": q.get("instance_type", "")}
    for name, parse in (("hours", float), ("count", int), ("volume_size_gb", int)):
        if q.get(name):
            try:
                value = parse(q[name])
            except ValueError:
                raise InvalidRequest(
                    f"'{name}' must be a number", {"field": name, "value": q[name]}
                ) from None
            if value < 0 or (name == "count" and value < 1) or value > 1_000_000:
                raise InvalidRequest(f"'{name}' is out of range", {"field": name, "value": q[name]})
            query[name] = value
    return billing.estimate_view(rt, query)
