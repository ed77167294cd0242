"""The sandboxes of one emulator: create, find, list and drop worlds, and route keys to them.

Every world is a ``Runtime`` of its own (store, clock, transitions, traffic state, webhook
sender); what they share is read-only (catalogues, schemas, stateless tools). A request to the
API is served in the world its key belongs to: the registry keeps the digest of every key of
every world (``key_hooks`` tell it of new ones, a load hook re-reads a world after a reset or
an import), so routing is one digest and one dictionary look-up, and nothing at all while the
default world is the only one.

With ``--state-file`` every world lives in the one shared store under its own namespace
(``storage.namespaced``), and the registry's records beside them, so sandboxes survive a
restart and ``kill -9`` like the default world: a record holds what the world was created with
and its initial state (its account and key digest), which is also what its reset returns to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambda_emulator.clock import Clock
from lambda_emulator.core import keys as keycore
from lambda_emulator.core.ids import make_id, rng_for
from lambda_emulator.core.timefmt import format_time, parse_time
from lambda_emulator.engine.sender import DeliverySender
from lambda_emulator.errors import Conflict, NotFound, QuotaExceeded
from lambda_emulator.resources import accounts, onboarding
from lambda_emulator.runtime import DEFAULT_SANDBOX, Doc, Runtime
from lambda_emulator.sandboxes.assembly import Shared, build_world
from lambda_emulator.storage.memory import MemoryStore
from lambda_emulator.storage.namespaced import NamespacedStore
from lambda_emulator.storage.protocol import Store

if TYPE_CHECKING:
    import httpx

__all__ = ["MAX_SANDBOXES", "Sandbox", "Sandboxes"]

log = logging.getLogger("lambda_emulator")

#: A shared emulator refuses more than this many sandboxes (each costs memory until deleted).
MAX_SANDBOXES = 10_000
_RECORDS = "sandboxes"
_META = "meta"


@dataclass
class Sandbox:
    """One world and what it was created with."""

    record: Doc
    world: Runtime
    sender: DeliverySender | None = None

    @property
    def id(self) -> str:
        return self.world.sandbox_id

    def view(self) -> dict[str, Any]:
        """What the control plane shows of the sandbox (never a key secret)."""
        rt = self.world
        account = accounts.get_account(rt, accounts.default_account_id(rt))
        return {
            "id": self.id,
            "name": self.record["name"],
            "created_at": self.record["created_at"],
            "seed": rt.seed,
            "transitions": rt.transition_mode,
            "account": accounts.account_view(account),
            "clock": {"now": rt.timestamp(), "speed": rt.clock.speed},
        }


class Sandboxes:
    """Every world of one emulator, the default one first."""

    def __init__(
        self,
        shared: Shared,
        *,
        seed: int,
        base: MemoryStore | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.shared = shared
        self.seed = seed
        #: The persistent store every world shares (``None``: each world in its own memory).
        self.base = base
        self.transport = transport
        self.records: Store = NamespacedStore(base, "_emulator") if base else MemoryStore()
        self._by_id: dict[str, Sandbox] = {}
        self._key_index: dict[str, str] = {}
        self._keys_of: dict[str, set[str]] = {}
        self._stopping: set[asyncio.Task[None]] = set()
        self.running = False
        self.default: Runtime

    # building ------------------------------------------------------------------------------
    def open_default(
        self, store: Store, clock: Clock | None, initial_state: dict[str, dict[str, Doc]]
    ) -> Runtime:
        settings = self.shared.settings
        world = build_world(
            self.shared,
            settings=settings,
            seed=self.seed,
            store=store,
            clock=clock,
            initial_state=initial_state,
            key_hooks=(self._index_key,),
            load_hooks=(self._reindex,),
        )
        record = {"id": DEFAULT_SANDBOX, "name": "default", "created_at": world.timestamp()}
        self._by_id[DEFAULT_SANDBOX] = Sandbox(record, world)
        self.default = world
        return world

    def restore(self) -> None:
        """Rebuild every sandbox a state file holds (its world's documents are already in the
        shared store; the record says how it was created)."""
        for record in sorted(self.records.all(_RECORDS), key=lambda r: r["seq"]):
            self._open(record, initial_state=None)

    def _open(self, record: Doc, initial_state: dict[str, dict[str, Doc]] | None) -> Sandbox:
        sandbox_id = record["id"]
        settings = self.shared.settings.replace(
            seed=record["seed"],
            speed=record["speed"],
            start_time=parse_time(record["start_time"]) if record["start_time"] else None,
            transitions=record["transitions"],
        )
        store: Store = NamespacedStore(self.base, sandbox_id) if self.base else MemoryStore()
        world = build_world(
            self.shared,
            settings=settings,
            seed=record["seed"],
            store=store,
            sandbox_id=sandbox_id,
            initial_state=initial_state or record["initial_state"],
            key_hooks=(self._index_key,),
            load_hooks=(self._reindex,),
        )
        sandbox = Sandbox(record, world)
        self._by_id[sandbox_id] = sandbox
        if self.running:
            self._start(sandbox)
        return sandbox

    # the control plane ---------------------------------------------------------------------
    def create(self, body: dict[str, Any]) -> tuple[Sandbox, str]:
        """A new world with one account of ``plan`` and its key: (sandbox, key secret)."""
        if len(self._by_id) > MAX_SANDBOXES:
            raise QuotaExceeded(
                f"This emulator already has {MAX_SANDBOXES} sandboxes; delete some first",
                {"quota": "sandboxes", "limit": MAX_SANDBOXES},
            )
        plan = body.get("plan", "professional")
        self.shared.catalog.require("plan", plan)
        counter = self._next_counter()
        sandbox_id = make_id(self.seed, "sbx", counter)
        seed = body.get("seed")
        if seed is None:
            seed = rng_for(self.seed, "sandbox-seed", sandbox_id).randrange(2**31)
        settings = self.shared.settings
        start_time = body.get("start_time")
        record: Doc = {
            "id": sandbox_id,
            "seq": counter,
            "name": body.get("name") or f"sandbox {counter}",
            "created_at": self.default.timestamp(),
            "plan": plan,
            "seed": seed,
            "speed": float(body.get("speed", settings.speed)),
            "start_time": (
                format_time(parse_time(start_time))
                if start_time
                else (format_time(settings.start_time) if settings.start_time else None)
            ),
            "transitions": body.get("transitions", settings.transitions),
            "initial_state": {},
        }
        sandbox = self._open(record, initial_state={})
        world = sandbox.world
        # named after the sandbox, so a dashboard or a log tells them apart at a glance
        _, secret = onboarding.found_world(
            world, plan, f"{record['name'][:100]} account", f"{sandbox_id}@sandbox.example.com"
        )
        record["initial_state"] = world.initial_state = world.store.export()
        self.records.put(_RECORDS, record)
        return sandbox, secret

    def get(self, sandbox_id: str) -> Sandbox:
        sandbox = self._by_id.get(sandbox_id)
        if sandbox is None:
            raise NotFound(
                f"Sandbox '{sandbox_id}' not found",
                {"field": "sandbox_id", "value": sandbox_id, "resource": "sandbox"},
            )
        return sandbox

    def find(self, sandbox_id: str) -> Runtime | None:
        sandbox = self._by_id.get(sandbox_id)
        return None if sandbox is None else sandbox.world

    def __iter__(self) -> Iterator[Sandbox]:
        return iter(list(self._by_id.values()))

    def __len__(self) -> int:
        return len(self._by_id)

    def worlds(self) -> Iterator[Runtime]:
        for sandbox in self._by_id.values():
            yield sandbox.world

    def delete(self, sandbox_id: str) -> dict[str, Any]:
        """Drop a sandbox and everything in it; its keys answer 401 from now on. Returns the
        sandbox as it was."""
        if sandbox_id == DEFAULT_SANDBOX:
            raise Conflict(
                "The default sandbox cannot be deleted; reset it instead",
                {"resource": "sandbox", "id": sandbox_id, "action": "delete"},
            )
        sandbox = self.get(sandbox_id)
        shown = sandbox.view()
        del self._by_id[sandbox_id]
        for digest in self._keys_of.pop(sandbox_id, set()):
            if self._key_index.get(digest) == sandbox_id:
                del self._key_index[digest]
        store = sandbox.world.store
        if isinstance(store, NamespacedStore):
            store.drop()
        self.records.delete(_RECORDS, sandbox_id)
        sandbox.world.ready = False
        sandbox.world.deliveries.clear()
        if sandbox.sender is not None:
            task = asyncio.get_running_loop().create_task(sandbox.sender.stop())
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)
        return shown

    def delete_all(self) -> int:
        doomed = [s.id for s in self if s.id != DEFAULT_SANDBOX]
        for sandbox_id in doomed:
            self.delete(sandbox_id)
        return len(doomed)

    # routing -------------------------------------------------------------------------------
    def for_key(self, secret: str | None) -> Runtime:
        """The world a presented key belongs to (the default one for an unknown key, whose
        authentication then refuses it)."""
        if secret is None or len(self._by_id) == 1:
            return self.default
        sandbox_id = self._key_index.get(keycore.digest(secret))
        sandbox = self._by_id.get(sandbox_id) if sandbox_id else None
        return sandbox.world if sandbox is not None else self.default

    def _index_key(self, rt: Runtime, digest: str) -> None:
        """A key routes to the world that had it first: a state document imported into
        another sandbox brings its key digests along, and they must not start routing the
        original sandbox's requests elsewhere."""
        owner = self._key_index.get(digest)
        if owner is not None and owner != rt.sandbox_id and owner in self._by_id:
            return
        self._key_index[digest] = rt.sandbox_id
        self._keys_of.setdefault(rt.sandbox_id, set()).add(digest)

    def _reindex(self, rt: Runtime) -> None:
        for digest in self._keys_of.pop(rt.sandbox_id, set()):
            if self._key_index.get(digest) == rt.sandbox_id:
                del self._key_index[digest]
        for key in rt.store.all("api_keys"):
            self._index_key(rt, key["hash"])

    def _next_counter(self) -> int:
        meta = dict(self.records.get(_META, "counters") or {"id": "counters", "sandboxes": 0})
        meta["sandboxes"] = int(meta["sandboxes"]) + 1
        self.records.put(_META, meta)
        return int(meta["sandboxes"])

    # the event loop ------------------------------------------------------------------------
    def start(self) -> None:
        """Start every world's webhook sender (in the app's lifespan)."""
        self.running = True
        for sandbox in self:
            self._start(sandbox)

    def _start(self, sandbox: Sandbox) -> None:
        sandbox.sender = DeliverySender(sandbox.world, self.transport)
        sandbox.sender.start()
        sandbox.world.ready = True

    async def stop(self) -> None:
        self.running = False
        for sandbox in self:
            sandbox.world.ready = False
            if sandbox.sender is not None:
                await sandbox.sender.stop()
        for task in list(self._stopping):
            await task

    def run_due(self) -> None:
        """Run what fell due in every world whose clock runs by itself (a frozen clock only
        moves when advanced, and the advance runs its jobs)."""
        for sandbox in list(self._by_id.values()):
            world = sandbox.world
            if world.clock.speed:
                try:
                    world.run_due()
                except Exception:  # one world's failing job must not stop time for the others
                    log.exception("a scheduled job failed in %s", world.sandbox_id)
