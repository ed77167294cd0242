"""The one place that wires the emulator together: ``create_app(settings, clock=…, store=…)``."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from lambda_emulator.catalog import load_catalog
from lambda_emulator.clock import Clock
from lambda_emulator.engine import state_documents as state
from lambda_emulator.http.access_log import AccessLogMiddleware
from lambda_emulator.http.browser_safety import BrowserSafetyMiddleware, is_loopback_host
from lambda_emulator.http.cors import CorsMiddleware
from lambda_emulator.http.dashboard import Dashboard
from lambda_emulator.http.journal import JournalMiddleware
from lambda_emulator.http.middleware import EdgeMiddleware
from lambda_emulator.http.openapi_control import build_control_openapi
from lambda_emulator.http.openapi_public import build_public_openapi
from lambda_emulator.http.operations import Edge, Operation
from lambda_emulator.http.routes import (
    account,
    billing,
    control,
    monitoring,
    webhook_control,
    webhooks,
)
from lambda_emulator.http.routes import faults as fault_routes
from lambda_emulator.http.routes import instances as instance_routes
from lambda_emulator.http.routes import networking as networking_routes
from lambda_emulator.http.routes import rate_limits as rate_limit_routes
from lambda_emulator.http.routes import requests as request_routes
from lambda_emulator.http.routes import sandboxes as sandbox_routes
from lambda_emulator.http.routes import snapshots as snapshot_routes
from lambda_emulator.http.routes import state as state_routes
from lambda_emulator.http.routes import transitions as transition_routes
from lambda_emulator.http.routes import volumes as volume_routes
from lambda_emulator.http.routing import (
    API_VERSIONS,
    http_exception_handler,
    openapi_route,
    operation_routes,
)
from lambda_emulator.http.validation import SchemaSet, check_state_tables
from lambda_emulator.runtime import DEFAULT_SANDBOX, Runtime, Tools
from lambda_emulator.sandboxes.assembly import JOB_HANDLERS, Shared
from lambda_emulator.sandboxes.registry import Sandboxes
from lambda_emulator.settings import Settings
from lambda_emulator.storage import MemoryStore, Store, TinyDBStore
from lambda_emulator.storage.namespaced import NamespacedStore

if TYPE_CHECKING:  # httpx is imported on the first delivery, not at start-up
    import httpx

__all__ = ["API_VERSIONS", "create_app", "runtime_of"]

log = logging.getLogger("lambda_emulator")

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
    *fault_routes.OPERATIONS,
    *request_routes.OPERATIONS,
    *state_routes.OPERATIONS,
    *rate_limit_routes.OPERATIONS,
    *transition_routes.OPERATIONS,
    *webhook_control.OPERATIONS,
]
#: The sandboxes themselves, under ``/_emulator/sandboxes``.
SANDBOX_OPERATIONS: list[Operation] = sandbox_routes.OPERATIONS
#: Every other control-plane operation also acts on one sandbox, under
#: ``/_emulator/sandboxes/{sandbox_id}/…`` (all but these, about the emulator as a whole).
GLOBAL_CONTROL_PATHS = frozenset({"/health"})
SCOPED_OPERATIONS: list[Operation] = [
    sandbox_routes.scoped(op) for op in CONTROL_OPERATIONS if op.path not in GLOBAL_CONTROL_PATHS
]
#: How often (real seconds) the background task runs jobs that fell due without any request.
TICK_SECONDS = 0.05


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """One emulator: its default world on ``clock`` and ``store`` (by default what
    ``settings`` say), the sandboxes beside it, and ``webhook_transport`` where deliveries
    are sent (the network by default); tests pass their own to steer or observe them."""
    settings = settings or Settings()
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    catalog = load_catalog()
    schemas = SchemaSet(catalog=catalog)

    def check_tables(tables: dict[str, Any]) -> None:
        check_state_tables(schemas, tables)

    shared = Shared(settings, catalog, Tools(), check_tables)
    base: MemoryStore | None = None
    if store is None and settings.state_file:
        base = TinyDBStore(settings.state_file, fsync=settings.fsync)
        store = NamespacedStore(base, "")
    sandboxes = Sandboxes(shared, seed=seed, base=base, transport=webhook_transport)
    initial_state = (
        state.load_fixtures(settings.fixtures, JOB_HANDLERS, catalog, check_tables)
        if settings.fixtures
        else {}
    )
    rt = sandboxes.open_default(store or MemoryStore(), clock, initial_state)
    sandboxes.restore()

    edge = Edge(sandboxes, schemas, strict=settings.strict)
    edge.compile(API_OPERATIONS + CONTROL_OPERATIONS + SANDBOX_OPERATIONS)
    dashboard = Dashboard(sandboxes.find, _sandbox_listing(sandboxes))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_tick(sandboxes))
        sandboxes.start()
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            await sandboxes.stop()
            rt.store.close()
            if base is not None:
                base.close()

    app = Starlette(
        routes=_routes(edge) + dashboard.routes(),
        middleware=[
            Middleware(CorsMiddleware, origins=settings.cors_origin),
            Middleware(
                BrowserSafetyMiddleware,
                loopback_only=is_loopback_host(settings.host),
                allowed_hosts=settings.allowed_host,
                request_id=rt.new_request_id,
                timestamp=rt.timestamp,
            ),
            Middleware(EdgeMiddleware, sandboxes=sandboxes),
            Middleware(AccessLogMiddleware),
            Middleware(JournalMiddleware),
        ],
        exception_handlers={HTTPException: http_exception_handler(rt)},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False
    app.state.runtime = rt
    app.state.sandboxes = sandboxes
    app.state.dashboard = dashboard
    return app


def runtime_of(app: Starlette) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


def _routes(edge: Edge) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for version in API_VERSIONS:
        prefix = "/" + version
        routes.append(
            openapi_route(
                prefix + "/openapi.json",
                functools.partial(build_public_openapi, API_OPERATIONS, edge.schemas, version),
            )
        )
        routes.extend(operation_routes(edge, API_OPERATIONS, prefix))
        routes.extend(monitoring.websocket_routes(edge, prefix))
    control = CONTROL_OPERATIONS + SANDBOX_OPERATIONS + SCOPED_OPERATIONS
    routes.append(
        openapi_route(
            "/_emulator/openapi.json",
            functools.partial(build_control_openapi, control, edge.schemas),
        )
    )
    routes.extend(operation_routes(edge, control, "/_emulator"))
    return routes


def _sandbox_listing(sandboxes: Sandboxes) -> Callable[[], list[dict[str, Any]]]:
    """The sandboxes the dashboard offers, the default one first."""

    def listing() -> list[dict[str, Any]]:
        return [
            {"id": s.id, "name": s.record["name"], "default": s.id == DEFAULT_SANDBOX}
            for s in sandboxes
        ]

    return listing


async def _tick(sandboxes: Sandboxes) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        sandboxes.run_due()
