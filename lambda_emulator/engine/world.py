"""The control plane's work on one world: reset it, and describe its health and clock."""

from __future__ import annotations

from typing import Any

from lambda_emulator.core.timefmt import format_time
from lambda_emulator.runtime import Runtime

__all__ = ["clock_view", "health_view", "reset"]


def reset(rt: Runtime) -> None:
    """Everything back to the fixtures and the start-up flags."""
    rt.store.replace_all(rt.initial_state)
    rt.clock.restart()
    rt.reset_in_process()
    rt.rebuild_job_heap()
    for hook in rt.load_hooks:
        hook(rt)


def health_view(rt: Runtime, version: str) -> dict[str, Any]:
    return {
        "status": "ok",
        "ready": True,
        "version": version,
        "now": rt.timestamp(),
        "store": rt.store.description,
        "seed": rt.seed,
    }


def clock_view(rt: Runtime, jobs_run: int | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "now": format_time(rt.now()),
        "epoch": round(rt.clock.epoch(), 3),
        "speed": rt.clock.speed,
        "pending_jobs": rt.store.count("jobs"),
    }
    if jobs_run is not None:
        view["jobs_run"] = jobs_run
    return view
