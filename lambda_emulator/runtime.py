"""Everything one emulated world owns, in one object, so two worlds never share state.

Services receive the ``Runtime`` and do their work through it: the store, the clock, the
catalogues, deterministic ids and random streams, and the job queue that moves time-driven work
(lifecycle transitions, webhook retries, month ends) along the emulator clock. What lives
outside the store is held in typed components, each owned by one module and rebuilt or cleared
by ``reset_in_process``:

- ``overrides``: run-time switches a test flips (transition mode, rate limits, webhook timing);
- ``caches``: indexes derived from the store, dropped whenever a transaction rolls back;
- ``tools``: costly, stateless helpers built on first use (Faker, the price book, the cipher);
- ``traffic``: what the edge keeps per world (fault rules, journal, rate windows, claims);
- ``deliveries``: the webhook sender's wake-up queue.
"""

from __future__ import annotations

import heapq
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lambda_emulator.catalog import Catalog
from lambda_emulator.clock import Clock
from lambda_emulator.core.billing import PriceBook
from lambda_emulator.core.idempotency import Claim
from lambda_emulator.core.ids import make_id, rng_for
from lambda_emulator.core.ratelimit import Limits, Window
from lambda_emulator.core.timefmt import format_time, from_epoch
from lambda_emulator.engine.delivery_queue import DeliveryQueue
from lambda_emulator.settings import Settings
from lambda_emulator.storage.protocol import Doc, Store
from lambda_emulator.traffic.faults import FaultRules
from lambda_emulator.traffic.journal import Journal

if TYPE_CHECKING:  # imported on first use: cryptography costs ~25 ms of every start-up
    from cryptography.fernet import Fernet

__all__ = ["Caches", "Doc", "JobHandler", "Overrides", "Runtime", "Tools", "TrafficState"]

log = logging.getLogger("lambda_emulator")

JobHandler = Callable[["Runtime", Doc], None]

META = "meta"
JOBS = "jobs"


@dataclass
class Overrides:
    """Run-time switches a test may flip; ``None`` means "as the start-up settings say"."""

    transitions: str | None = None
    transition_durations: dict[str, float] = field(default_factory=dict)
    transition_reads: int | None = None
    rate_limits: bool | None = None
    webhook_timeout: float | None = None
    webhook_retry_schedule: tuple[float, ...] | None = None


@dataclass
class Caches:
    """Indexes derived from the store, rebuilt on demand by the module that owns each one;
    cleared on reset and whenever a transaction rolls back, so they never disagree with it."""

    #: API key digest → key id (``resources.api_keys``).
    key_index: dict[str, str] | None = None
    #: Public address → how many instances hold it (``resources.instances``).
    public_ips: Counter[str] | None = None
    #: Region → private addresses in use (``resources.instances``).
    private_ips: dict[str, set[str]] | None = None
    #: Resource id → its open meter's id (``engine.meters``).
    open_meters: dict[str, str] | None = None

    def clear(self) -> None:
        self.key_index = self.public_ips = self.private_ips = self.open_meters = None


@dataclass
class Tools:
    """Helpers that are costly to build and hold no state of the world; built on first use by
    the module that owns each (so a start-up never pays for one it does not need)."""

    #: ``faker.Faker`` (``engine.fake_values``): Faker takes ~0.25 s to import.
    faker: Any = None
    price_book: PriceBook | None = None
    #: Every webhook event type (``resources.webhooks``), from ``schemas/events.json``.
    event_types: tuple[str, ...] | None = None
    #: The cipher for webhook secrets at rest (``engine.webhook_secrets``).
    secret_box: Fernet | None = None


@dataclass
class TrafficState:
    """What the edge keeps per world, in process (like a real front end's counters): a restart
    or a reset starts it afresh."""

    faults: FaultRules
    journal: Journal
    #: Account id → its rate-limit window (``traffic.ratelimit``).
    rate_windows: dict[str, Window] = field(default_factory=dict)
    #: Plan → its limits, read once from the catalogue.
    plan_limits: dict[str, Limits] = field(default_factory=dict)
    #: Idempotency record id → the request holding it now (``traffic.idempotency``).
    claims: dict[str, Claim] = field(default_factory=dict)
    #: Idempotency record id → the API key secrets its stored answer had (never on disk).
    held_secrets: dict[str, list[str]] = field(default_factory=dict)


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
    #: Called whenever the store was replaced wholesale (start-up, reset, state import), for
    #: parts that derive scheduled work from it (month-end invoices, queued deliveries).
    load_hooks: Sequence[Callable[[Runtime], None]] = ()
    ready: bool = False
    overrides: Overrides = field(default_factory=Overrides)
    caches: Caches = field(default_factory=Caches)
    tools: Tools = field(default_factory=Tools)
    traffic: TrafficState = field(init=False)
    deliveries: DeliveryQueue = field(default_factory=DeliveryQueue)
    _job_heap: list[tuple[float, int, str]] = field(default_factory=list)
    _job_seq: int = 0
    _request_counter: int = 0
    _stamp_second: int = -(2**62)
    _stamp: str = ""

    def __post_init__(self) -> None:
        self.traffic = self._fresh_traffic()

    def _fresh_traffic(self) -> TrafficState:
        return TrafficState(FaultRules(self.seed), Journal(self.settings.journal_size))

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
    @property
    def transition_mode(self) -> str:
        return self.overrides.transitions or self.settings.transitions

    @property
    def rate_limits_on(self) -> bool:
        on = self.overrides.rate_limits
        return self.settings.rate_limits if on is None else on

    @property
    def webhook_timeout(self) -> float:
        timeout = self.overrides.webhook_timeout
        return self.settings.webhook_timeout if timeout is None else timeout

    @property
    def webhook_retry_schedule(self) -> tuple[float, ...]:
        schedule = self.overrides.webhook_retry_schedule
        return tuple(self.settings.webhook_retry_schedule) if schedule is None else schedule

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

    def reset_in_process(self) -> None:
        """Back to the start-up settings for everything held outside the store."""
        self._request_counter = 0
        self.overrides = Overrides()
        self.caches.clear()
        self.traffic = self._fresh_traffic()
