"""Everything one emulator instance owns, in one object, so two emulators never share state.

Services receive the ``Runtime`` and do their work through it: the store, the clock, the
catalogues, deterministic ids and random streams, and the job queue that moves time-driven work
(lifecycle transitions, webhook retries, month ends) along the emulator clock.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambda_emulator.catalog import Catalog
from lambda_emulator.clock import Clock
from lambda_emulator.core.ids import make_id, rng_for
from lambda_emulator.core.timefmt import format_time, from_epoch
from lambda_emulator.settings import Settings
from lambda_emulator.storage.base import Doc, Store

__all__ = ["Doc", "JobHandler", "Runtime"]

log = logging.getLogger("lambda_emulator")

JobHandler = Callable[["Runtime", Doc], None]

META = "meta"
JOBS = "jobs"


@dataclass
class Runtime:
    settings: Settings
    seed: int
    clock: Clock
    store: Store
    catalog: Catalog
    job_handlers: Mapping[str, JobHandler] = field(default_factory=dict)
    #: Called with each new event inside its transaction (webhooks queue deliveries here).
    event_listeners: Sequence[Callable[[Runtime, Doc], None]] = ()
    #: The state that reset returns to (empty, or the ``--fixtures`` document).
    initial_state: dict[str, dict[str, Doc]] = field(default_factory=dict)
    #: Called after reset, for parts that keep state outside the store.
    reset_hooks: Sequence[Callable[[Runtime], None]] = ()
    #: Called whenever the store was replaced wholesale (start-up, reset, state import), for
    #: parts that derive scheduled work from it (month-end invoices, queued deliveries).
    load_hooks: Sequence[Callable[[Runtime], None]] = ()
    ready: bool = False
    #: Run-time switches that reset returns to the start-up settings (transition mode, …).
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Indexes derived from the store (rebuilt on demand): dropped on reset and whenever a
    #: transaction rolls back, so they can never disagree with the store.
    caches: dict[str, Any] = field(default_factory=dict)
    #: In-process state owned by one module each (rate-limit windows, the journal, …); each
    #: module keeps its own entry and clears it in a reset hook.
    parts: dict[str, Any] = field(default_factory=dict)
    #: Tools that are costly to build and hold no state (Faker).
    tools: dict[str, Any] = field(default_factory=dict)
    _job_heap: list[tuple[float, int, str]] = field(default_factory=list)
    _job_seq: int = 0
    _request_counter: int = 0
    _stamp_second: int = -(2**62)
    _stamp: str = ""

    # time ----------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def timestamp(self) -> str:
        """The wire time now; the string is reused within one second (every response has one)."""
        second = int(self.clock.epoch() // 1)
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp = format_time(from_epoch(second))
        return self._stamp

    # ids and randomness --------------------------------------------------------------------
    def next_seq(self, name: str) -> int:
        """A persisted counter: ids and orderings never repeat across restarts."""
        counters = dict(self.store.get(META, "counters") or {"id": "counters"})
        n = int(counters.get(name, 0)) + 1
        counters[name] = n
        self.store.put(META, counters)
        return n

    def new_id(self, prefix: str) -> str:
        return make_id(self.seed, prefix, self.next_seq(prefix))

    def new_request_id(self) -> str:
        self._request_counter += 1
        return make_id(self.seed, "req", self._request_counter)

    def rng(self, *parts: object) -> random.Random:
        return rng_for(self.seed, *parts)

    # settings that tests may change at run time ---------------------------------------------
    def setting(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        return getattr(self.settings, name)

    # the job queue -------------------------------------------------------------------------
    def schedule(
        self, kind: str, due: float, payload: dict[str, Any], *, advance_only: bool = False
    ) -> str:
        """Queue ``kind`` to run at emulator epoch ``due``; persisted with the state.

        An ``advance_only`` job never runs because time passed by itself: only a clock advance
        (``advance``) that reaches ``due`` runs it (manual-mode lifecycle transitions)."""
        if kind not in self.job_handlers:
            raise KeyError(f"no handler for job kind '{kind}'")
        job_id = self.new_id("job")
        job = {"id": job_id, "kind": kind, "due": due, "payload": payload}
        if advance_only:
            job["advance_only"] = True
        self.store.put(JOBS, job)
        self._push(due, job_id)
        return job_id

    def cancel(self, job_id: str) -> None:
        self.store.delete(JOBS, job_id)

    def jobs_where(self, kind: str, **match: Any) -> list[Doc]:
        return [
            job
            for job in self.store.all(JOBS)
            if job["kind"] == kind and all(job["payload"].get(k) == v for k, v in match.items())
        ]

    def next_due(self) -> float | None:
        while self._job_heap and self.store.get(JOBS, self._job_heap[0][2]) is None:
            heapq.heappop(self._job_heap)
        return self._job_heap[0][0] if self._job_heap else None

    def run_due(self, until: float | None = None) -> int:
        """Run every job due by ``until`` (default: now) in time order, the clock at each one's
        due time, so what a job records is stamped when it fell due, not when it was noticed."""
        limit = self.clock.epoch() if until is None else until
        ran = 0
        held: list[tuple[float, str]] = []
        while True:
            due = self.next_due()
            if due is None or due > limit:
                break
            _, _, job_id = heapq.heappop(self._job_heap)
            job = self.store.get(JOBS, job_id)
            if job is None:
                continue
            if until is None and job.get("advance_only"):
                held.append((due, job_id))  # waits for the next clock advance
                continue
            self.clock.advance_to(due)
            handler = self.job_handlers[job["kind"]]
            try:
                with self.transaction():
                    self.store.delete(JOBS, job_id)
                    handler(self, job)
            except Exception:
                # Its changes were rolled back; drop it so one bad job cannot stall time.
                log.exception("job %s (%s) failed and was dropped", job_id, job["kind"])
                self.store.delete(JOBS, job_id)
            ran += 1
        for due, job_id in held:
            self._push(due, job_id)
        return ran

    def advance(self, seconds: float) -> int:
        """Move the clock forward, running everything that falls due on the way."""
        target = self.clock.epoch() + seconds
        ran = self.run_due(target)
        self.clock.advance_to(target)
        return ran + self.run_due(target)

    def rebuild_job_heap(self) -> None:
        self._job_heap = []
        for job in self.store.all(JOBS):
            self._push(float(job["due"]), job["id"])

    def _push(self, due: float, job_id: str) -> None:
        self._job_seq += 1
        heapq.heappush(self._job_heap, (due, self._job_seq, job_id))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A store transaction that also drops the derived caches if it rolls back."""
        try:
            with self.store.transaction():
                yield
        except BaseException:
            self.caches.clear()
            raise

    def reset_counters(self) -> None:
        self._request_counter = 0
        self.overrides.clear()
        self.caches.clear()
