"""Starlette routes from operation declarations, and the answers for what no route takes.

One ``Route`` per path dispatches on the method, so a wrong method is a 405 in the envelope
with ``Allow``; a path no route matches is a 404 in the envelope naming the supported API
versions when the version is the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from lambda_emulator.errors import ApiError, MethodNotAllowed, NotFound, RateLimitExceeded
from lambda_emulator.http.auth import presented_key
from lambda_emulator.http.envelope import error_response
from lambda_emulator.http.operations import Edge, Operation, endpoint
from lambda_emulator.resources import api_keys
from lambda_emulator.runtime import Runtime
from lambda_emulator.traffic import ratelimit

__all__ = ["API_VERSIONS", "http_exception_handler", "openapi_route", "operation_routes"]

API_VERSIONS = ("v1", "v2")
CONTROL_PREFIX = "/_emulator"
_VERSION_RE = re.compile(r"^/(v\d+)(?:/|$)")


def operation_routes(edge: Edge, operations: Sequence[Operation], prefix: str) -> list[BaseRoute]:
    """One Route per path, dispatching on method, so a wrong method is a 405 with ``Allow``."""
    by_path: dict[str, dict[str, Operation]] = {}
    for op in operations:
        by_path.setdefault(op.path, {})[op.method] = op
    routes: list[BaseRoute] = []
    for path, ops in by_path.items():
        handlers = {method: endpoint(edge, op) for method, op in ops.items()}
        if "GET" in handlers:
            handlers["HEAD"] = handlers["GET"]
        routes.append(Route(prefix + path, _dispatch(handlers), methods=list(ops)))
    return routes


def _dispatch(handlers: dict[str, Callable[[Request], Any]]) -> Callable[[Request], Any]:
    async def by_method(request: Request) -> Response:
        response: Response = await handlers[request.method](request)
        return response

    return by_method


def openapi_route(path: str, build: Callable[[], dict[str, Any]]) -> Route:
    """A document built on its first request and served as the same bytes ever after:
    nothing in it depends on the request (the port, the host, the seed)."""
    body: list[bytes] = []

    async def openapi(request: Request) -> Response:
        if not body:
            body.append(bytes(JSONResponse(build()).body))
        return Response(body[0], media_type="application/json")

    return Route(path, openapi, methods=["GET"])


def http_exception_handler(default: Runtime) -> Callable[[Request, Exception], Any]:
    """Starlette's own 404 and 405, in the envelope, on the clock of the request's world."""

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        state = request.scope.get("state", {})
        rt = state.get("world") or default
        request_id = state.get("request_id") or default.new_request_id()
        path, method = request.url.path, request.method
        error: ApiError
        if exc.status_code == 405:
            # Starlette's Allow lists HEAD beside GET: a route that answers GET answers HEAD.
            allow = (exc.headers or {}).get("Allow", "")
            allowed = sorted({m.strip() for m in allow.split(",") if m.strip()})
            error = MethodNotAllowed(
                f"Method {method} is not allowed on {path}; allowed: {', '.join(allowed)}",
                {"method": method, "allowed_methods": allowed},
                headers={"Allow": ", ".join(allowed)},
            )
        else:
            match = _VERSION_RE.match(path)
            if match and match.group(1) not in API_VERSIONS:
                error = NotFound(
                    f"API version '{match.group(1)}' is not supported",
                    {"version": match.group(1), "supported_versions": list(API_VERSIONS)},
                )
            else:
                error = NotFound(
                    f"No such endpoint: {method} {path}", {"method": method, "path": path}
                )
        try:
            limit_headers = _counted(rt, request, state)
        except RateLimitExceeded as refused:
            return error_response(refused, request_id, rt.timestamp())
        response = error_response(error, request_id, rt.timestamp())
        response.headers.update(limit_headers)
        return response

    return handle


def _counted(rt: Runtime, request: Request, state: dict[str, Any]) -> dict[str, str]:
    """A 404 or 405 to an API request with a valid key is an answer after authentication
    like any other: it is counted, once (no pipeline ran for it), and carries the rate-limit
    headers; over the limit it is the 429 the pipeline would answer (the limiter stands in
    front of routing there too), raised as ``RateLimitExceeded``."""
    if request.url.path.startswith(CONTROL_PREFIX) or not rt.rate_limits_on:
        return {}
    try:
        secret = presented_key(request.headers)
    except ApiError:
        return {}
    key = api_keys.valid_key(rt, secret)
    if key is None:
        return {}
    state["account_id"] = key["account_id"]
    decision = ratelimit.admit(rt, key["account_id"])
    return decision.headers() if decision is not None else {}
