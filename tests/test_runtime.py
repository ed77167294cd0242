"""Advance-only jobs: time passing by itself never runs them; a clock advance past them does."""

from __future__ import annotations

from datetime import UTC, datetime

from lambda_emulator.catalog import load_catalog
from lambda_emulator.clock import Clock
from lambda_emulator.runtime import Runtime
from lambda_emulator.settings import Settings
from lambda_emulator.storage import MemoryStore
from lambda_emulator.storage.protocol import Doc


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _runtime(ran: list[str]) -> tuple[Runtime, FakeTime]:
    mono = FakeTime()
    clock = Clock(1.0, datetime(2026, 1, 24, 10, 30, tzinfo=UTC), monotonic=mono)

    def handler(rt: Runtime, job: Doc) -> None:
        ran.append(job["payload"]["name"])

    rt = Runtime(
        settings=Settings(),
        seed=0,
        clock=clock,
        store=MemoryStore(),
        catalog=load_catalog(),
        job_handlers={"note": handler},
    )
    return rt, mono


def test_real_time_runs_ordinary_jobs_but_holds_advance_only_ones() -> None:
    ran: list[str] = []
    rt, mono = _runtime(ran)
    start = rt.clock.epoch()
    rt.schedule("note", start + 10, {"name": "manual"}, advance_only=True)
    rt.schedule("note", start + 20, {"name": "ordinary"})
    mono.now = 100  # 100 s pass by themselves
    rt.run_due()
    assert ran == ["ordinary"]
    rt.run_due()
    assert ran == ["ordinary"]  # still held, and still queued
    assert rt.store.count("jobs") == 1
    rt.advance(1)
    assert ran == ["ordinary", "manual"]
    assert rt.store.count("jobs") == 0


def test_advance_runs_advance_only_jobs_in_time_order_at_their_due_time() -> None:
    ran: list[str] = []
    rt, _ = _runtime(ran)
    start = rt.clock.epoch()
    seen: list[float] = []

    def stamp(rt_: Runtime, job: Doc) -> None:
        seen.append(rt_.clock.epoch() - start)
        ran.append(job["payload"]["name"])

    rt.job_handlers = {"note": stamp}
    rt.schedule("note", start + 30, {"name": "b"}, advance_only=True)
    rt.schedule("note", start + 10, {"name": "a"}, advance_only=True)
    rt.advance(20)
    assert ran == ["a"]
    rt.advance(20)
    assert ran == ["a", "b"]
    assert seen == [10.0, 30.0]
