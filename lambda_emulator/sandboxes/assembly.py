"""How one world is put together: the job handlers, event listeners and load hooks that every
world runs, wired here so that no resource needs to know another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lambda_emulator.catalog import Catalog
from lambda_emulator.clock import Clock
from lambda_emulator.engine import delivery_log
from lambda_emulator.engine.state_documents import TablesCheck
from lambda_emulator.resources import (
    billing,
    firewall,
    instances,
    onboarding,
    snapshots,
    volumes,
    vpns,
)
from lambda_emulator.runtime import DEFAULT_SANDBOX, Doc, JobHandler, Runtime, Tools
from lambda_emulator.settings import Settings
from lambda_emulator.storage.protocol import Store
from lambda_emulator.traffic import idempotency

__all__ = ["EVENT_LISTENERS", "JOB_HANDLERS", "LOAD_HOOKS", "Shared", "build_world"]

#: The kinds whose lifecycles run on the clock.
LIFECYCLE_SPECS = (instances.SPEC, volumes.SPEC, snapshots.SPEC, vpns.SPEC)
#: Time-driven work by kind; each module that schedules jobs contributes its handlers.
JOB_HANDLERS: dict[str, JobHandler] = {
    idempotency.EXPIRE_JOB: idempotency.expire,
    **{spec.job_kind: spec.settle_job for spec in LIFECYCLE_SPECS},
    **billing.JOB_HANDLERS,
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
LOAD_HOOKS: tuple[Callable[[Runtime], None], ...] = (
    onboarding.bootstrap,
    billing.bootstrap,
    delivery_log.on_reset,
)


@dataclass(frozen=True)
class Shared:
    """What every world of one emulator shares: read-only catalogues and stateless tools."""

    settings: Settings
    catalog: Catalog
    tools: Tools
    check_tables: TablesCheck


def build_world(
    shared: Shared,
    *,
    settings: Settings,
    seed: int,
    store: Store,
    clock: Clock | None = None,
    sandbox_id: str = DEFAULT_SANDBOX,
    initial_state: dict[str, dict[str, Doc]] | None = None,
    key_hooks: Sequence[Callable[[Runtime, str], None]] = (),
    load_hooks: Sequence[Callable[[Runtime], None]] = (),
) -> Runtime:
    """A world on ``store``, loaded: an empty store starts from ``initial_state``."""
    rt = Runtime(
        settings=settings,
        seed=seed,
        clock=clock or Clock(settings.speed, settings.start_time),
        store=store,
        catalog=shared.catalog,
        tools=shared.tools,
        job_handlers=JOB_HANDLERS,
        sandbox_id=sandbox_id,
        bootstrap_key=settings.api_key if sandbox_id == DEFAULT_SANDBOX else None,
        initial_state=initial_state or {},
        event_listeners=EVENT_LISTENERS,
        load_hooks=(*LOAD_HOOKS, *load_hooks),
        key_hooks=tuple(key_hooks),
    )
    if not store.tables() and rt.initial_state:
        store.replace_all(rt.initial_state)
    rt.rebuild_job_heap()
    for hook in rt.load_hooks:
        hook(rt)
    return rt
