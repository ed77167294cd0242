"""The one place that wires the emulator together: ``create_app(settings, clock=…, store=…)``."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from lambda_emulator.catalog import load_catalog
from lambda_emulator.clock import Clock
from lambda_emulator.delivery import DeliverySender
from lambda_emulator.errors import ApiError, MethodNotAllowed, NotFound
from lambda_emulator.http.envelope import error_response
from lambda_emulator.http.journal import JournalMiddleware
from lambda_emulator.http.middleware import EdgeMiddleware
from lambda_emulator.http.openapi_control import build_control_openapi
from lambda_emulator.http.openapi_public import build_public_openapi
from lambda_emulator.http.operations import Edge, Operation, endpoint
from lambda_emulator.http.routes import (
    account,
    billing,
    control,
    monitoring,
    traffic,
    webhook_control,
    webhooks,
)
from lambda_emulator.http.routes import instances as instance_routes
from lambda_emulator.http.routes import networking as networking_routes
from lambda_emulator.http.routes import snapshots as snapshot_routes
from lambda_emulator.http.routes import transitions as transition_routes
from lambda_emulator.http.routes import volumes as volume_routes
from lambda_emulator.http.validation import SchemaSet
from lambda_emulator.services import (
    accounts,
    faults,
    idempotency,
    instances,
    journal,
    ratelimit,
    snapshots,
    state,
    volumes,
    vpns,
    webhook_deliveries,
)
from lambda_emulator.services import billing as billing_service
from lambda_emulator.services.runtime import JobHandler, Runtime
from lambda_emulator.settings import Settings
from lambda_emulator.storage import MemoryStore, Store, TinyDBStore

__all__ = ["API_VERSIONS", "create_app", "runtime_of"]

API_VERSIONS = ("v1", "v2")
#: Route modules of the emulated API, mounted under every version.
API_OPERATIONS: list[Operation] = [
    *account.OPERATIONS,
    *instance_routes.OPERATIONS,
    *volume_routes.OPERATIONS,
    *snapshot_routes.OPERATIONS,
    *networking_routes.OPERATIONS,
    *monitoring.OPERATIONS,
    *billing.OPERATIONS,
    *webhooks.OPERATIONS,
]
#: The control plane, under ``/_emulator``.
CONTROL_OPERATIONS: list[Operation] = [
    *control.OPERATIONS,
    *traffic.OPERATIONS,
    *transition_routes.OPERATIONS,
    *webhook_control.OPERATIONS,
]
#: Time-driven work by kind; each service module that schedules jobs contributes its handlers.
JOB_HANDLERS: dict[str, JobHandler] = {
    idempotency.EXPIRE_JOB: idempotency.expire,
    instances.SPEC.job_kind: instances.settle_job,
    volumes.SPEC.job_kind: volumes.settle_job,
    snapshots.SPEC.job_kind: snapshots.settle_job,
    vpns.SPEC.job_kind: vpns.settle_job,
    **billing_service.JOB_HANDLERS,
    **webhook_deliveries.JOB_HANDLERS,
}
#: Parts that keep in-process state clear it here on reset (after the store is reset).
RESET_HOOKS: list[Callable[[Runtime], None]] = [
    ratelimit.reset,
    idempotency.reset,
    faults.reset,
    journal.reset,
]
#: Parts that derive scheduled work from the store run after every wholesale load of it.
LOAD_HOOKS: list[Callable[[Runtime], None]] = [
    billing_service.bootstrap,
    webhook_deliveries.on_reset,
]
_VERSION_RE = re.compile(r"^/(v\d+)(?:/|$)")
#: How often (real seconds) the background task runs jobs that fell due without any request.
TICK_SECONDS = 0.05


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, store: Store | None = None
) -> Starlette:
    settings = settings or Settings()
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    if store is None:
        store = (
            TinyDBStore(settings.state_file, fsync=settings.fsync)
            if settings.state_file
            else MemoryStore()
        )
    catalog = load_catalog()
    schemas = SchemaSet(catalog=catalog)
    rt = Runtime(
        settings=settings,
        seed=seed,
        clock=clock or Clock(settings.speed, settings.start_time),
        store=store,
        catalog=catalog,
        job_handlers=dict(JOB_HANDLERS),
        initial_state=(
            state.load_fixtures(
                settings.fixtures,
                JOB_HANDLERS,
                catalog,
                lambda tables: traffic.check_tables(schemas, tables),
            )
            if settings.fixtures
            else {}
        ),
        event_listeners=[webhook_deliveries.queue_deliveries],
        reset_hooks=tuple(RESET_HOOKS),
        load_hooks=tuple(LOAD_HOOKS),
    )
    if not store.tables() and rt.initial_state:
        store.replace_all(rt.initial_state)
    rt.rebuild_job_heap()
    accounts.bootstrap(rt)
    for hook in rt.load_hooks:
        hook(rt)

    edge = Edge(rt, schemas)
    edge.compile(API_OPERATIONS + CONTROL_OPERATIONS)
    routes = _routes(edge)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_tick(rt))
        sender = DeliverySender(rt)
        sender.start()
        rt.ready = True
        try:
            yield
        finally:
            rt.ready = False
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await sender.stop()
            rt.store.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(EdgeMiddleware, rt=rt), Middleware(JournalMiddleware, rt=rt)],
        exception_handlers={HTTPException: _http_exception_handler(rt)},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.runtime = rt
    return app


def runtime_of(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


def _routes(edge: Edge) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for version in API_VERSIONS:
        prefix = "/" + version
        routes.append(
            Route(prefix + "/openapi.json", _openapi_endpoint(edge, version), methods=["GET"])
        )
        routes.extend(_operation_routes(edge, API_OPERATIONS, prefix))
        routes.extend(monitoring.websocket_routes(edge, prefix))
    routes.append(Route("/_emulator/openapi.json", _openapi_endpoint(edge), methods=["GET"]))
    routes.extend(_operation_routes(edge, CONTROL_OPERATIONS, "/_emulator"))
    return routes


def _operation_routes(edge: Edge, operations: list[Operation], prefix: str) -> list[BaseRoute]:
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


def _openapi_endpoint(edge: Edge, version: str | None = None) -> Callable[[Request], Any]:
    """A document of the API ``version`` (or of the control plane), built on first request
    and served as the same bytes ever after: nothing in it depends on the request."""
    body: list[bytes] = []

    async def openapi(request: Request) -> Response:
        if not body:
            if version is None:
                doc = build_control_openapi(CONTROL_OPERATIONS, edge.schemas)
            else:
                doc = build_public_openapi(API_OPERATIONS, edge.schemas, version)
            body.append(bytes(JSONResponse(doc).body))
        return Response(body[0], media_type="application/json")

    return openapi


def _http_exception_handler(rt: Runtime) -> Callable[[Request, Exception], Any]:
    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        state = request.scope.get("state", {})
        request_id = state.get("request_id") or rt.new_request_id()
        path, method = request.url.path, request.method
        error: ApiError
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            allowed = [m.strip() for m in allow.split(",") if m.strip() and m.strip() != "HEAD"]
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
        return error_response(error, request_id, rt.timestamp())

    return handle


async def _tick(rt: Runtime) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            rt.run_due()
        except Exception:  # a job failing must not stop time for everyone else
            import logging

            logging.getLogger("lambda_emulator").exception("a scheduled job failed")
