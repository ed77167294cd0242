"""The one place that wires the emulator together: ``create_app(settings, clock=…, store=…)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from lambda_emulator.catalog import load_catalog
from lambda_emulator.clock import Clock
from lambda_emulator.engine import delivery_log
from lambda_emulator.engine import state_documents as state
from lambda_emulator.engine.sender import DeliverySender
from lambda_emulator.http.journal import JournalMiddleware
from lambda_emulator.http.middleware import EdgeMiddleware
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
from lambda_emulator.resources import billing as billing_service
from lambda_emulator.resources import firewall, instances, onboarding, snapshots, volumes, vpns
from lambda_emulator.runtime import Doc, JobHandler, Runtime
from lambda_emulator.settings import Settings
from lambda_emulator.storage import MemoryStore, Store, TinyDBStore
from lambda_emulator.traffic import idempotency

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
#: Time-driven work by kind; each service module that schedules jobs contributes its handlers.
JOB_HANDLERS: dict[str, JobHandler] = {
    idempotency.EXPIRE_JOB: idempotency.expire,
    instances.SPEC.job_kind: instances.settle_job,
    volumes.SPEC.job_kind: volumes.settle_job,
    snapshots.SPEC.job_kind: snapshots.settle_job,
    vpns.SPEC.job_kind: vpns.settle_job,
    **billing_service.JOB_HANDLERS,
    **delivery_log.JOB_HANDLERS,
}
#: Called with each new event inside its transaction: webhooks queue their deliveries, and
#: resources react to the ones that concern them (an instance's deletion reaches its volumes
#: and rules this way, so ``resources.instances`` imports neither).
EVENT_LISTENERS: tuple[Callable[[Runtime, Doc], None], ...] = (
    delivery_log.queue_deliveries,
    volumes.on_instance_event,
    firewall.on_instance_event,
)
#: Parts that derive scheduled work from the store run after every wholesale load of it.
LOAD_HOOKS: list[Callable[[Runtime], None]] = [
    onboarding.bootstrap,
    billing_service.bootstrap,
    delivery_log.on_reset,
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
    """One emulator: ``clock``, ``store`` and ``webhook_transport`` (where deliveries are
    sent) default to what ``settings`` say; tests pass their own to steer or observe them."""
    settings = settings or Settings()
    seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
    if store is None:
        store = (
            TinyDBStore(settings.state_file, fsync=settings.fsync)
            if settings.state_file
            else MemoryStore()
        )
    schemas = SchemaSet()
    catalog = load_catalog()
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
                lambda tables: check_state_tables(schemas, tables),
            )
            if settings.fixtures
            else {}
        ),
        event_listeners=EVENT_LISTENERS,
        load_hooks=tuple(LOAD_HOOKS),
    )
    if not store.tables() and rt.initial_state:
        store.replace_all(rt.initial_state)
    rt.rebuild_job_heap()
    for hook in rt.load_hooks:
        hook(rt)

    edge = Edge(rt, schemas)
    edge.compile(API_OPERATIONS + CONTROL_OPERATIONS)
    routes = _routes(edge)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.create_task(_tick(rt))
        sender = DeliverySender(rt, webhook_transport)
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
        exception_handlers={HTTPException: http_exception_handler(rt)},
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
        routes.append(openapi_route(edge, API_OPERATIONS, prefix))
        routes.extend(operation_routes(edge, API_OPERATIONS, prefix))
        routes.extend(monitoring.websocket_routes(edge, prefix))
    routes.extend(operation_routes(edge, CONTROL_OPERATIONS, "/_emulator"))
    return routes


async def _tick(rt: Runtime) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            rt.run_due()
        except Exception:  # a job failing must not stop time for everyone else
            log.exception("a scheduled job failed")
