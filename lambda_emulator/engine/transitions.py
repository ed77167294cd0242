"""Moving resources through their lifecycles on the emulator clock.

A resource entering a transitional state (``pending``, ``stopping``, …) gets a job that settles
it when the state's duration is over. How that happens depends on the transition mode:

- ``realistic`` (the default): the job falls due after the state's duration on the emulator
  clock, whether the clock runs by itself (``--speed``) or is advanced by a test.
- ``instant``: the state settles inside the request that started it.
- ``manual``: nothing moves by itself. A transition completes at the first clock advance
  (``POST /_emulator/clock/advance``) that takes the clock past its due time, or when the
  resource has been read ``reads`` times with ``GET`` (the read that reaches the count already
  sees the new state). Real time passing does not move it, even with ``--speed`` above zero.

The mode comes from ``--transitions`` and can be changed at run time with ``PUT
/_emulator/transitions`` (kept in ``rt.overrides``, so reset returns to the start-up mode). A
transition in flight keeps the mode and duration it started with.

Each stored resource records its transition in flight under ``_transition`` (never shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lambda_emulator.core.lifecycle import GONE, INSTANCE, Lifecycle, TransitionRefused
from lambda_emulator.core.pagination import Page, page_of
from lambda_emulator.engine import meters
from lambda_emulator.engine.events import emit
from lambda_emulator.errors import Conflict, NotFound
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "DEFAULT_DURATIONS",
    "DEFAULT_READS",
    "INSTANCE_KIND",
    "MODES",
    "Kind",
    "Spec",
    "act",
    "check",
    "config",
    "create",
    "load",
    "move",
    "note_read",
    "refused",
    "set_config",
    "settle",
    "settle_job",
]

MODES = ("realistic", "instant", "manual")

#: How long each transitional state lasts by default, in emulator seconds (roughly what a
#: real cloud takes: a VM boots in under a minute, a VPN gateway takes a couple of minutes).
DEFAULT_DURATIONS: dict[str, float] = {
    "instance.pending": 45.0,
    "instance.starting": 30.0,
    "instance.stopping": 20.0,
    "instance.restarting": 30.0,
    "instance.resizing": 60.0,
    "instance.deleting": 15.0,
    "volume.creating": 10.0,
    "volume.attaching": 5.0,
    "volume.detaching": 5.0,
    "volume.deleting": 5.0,
    "snapshot.pending": 30.0,
    "snapshot.deleting": 5.0,
    "vpn.pending": 90.0,
    "vpn.deleting": 30.0,
}
#: In manual mode, the read (GET) of a resource in a transitional state that moves it on.
DEFAULT_READS = 3


@dataclass(frozen=True)
class Kind:
    """A kind of resource as another one sees it: where it is stored and which actions its
    state allows (a volume checks that an instance may take it, without importing instances).
    """

    lifecycle: Lifecycle
    table: str

    @property
    def kind(self) -> str:
        return self.lifecycle.resource

    @property
    def job_kind(self) -> str:
        return f"{self.kind}.settle"


@dataclass(frozen=True)
class Spec(Kind):
    """How the transition engine handles one kind of resource.

    What a change means for *other* resources (an instance's volumes detach when it is
    deleted) is not here: those resources react to its events, wired in ``sandboxes/assembly.py``.
    """

    #: What an event of this kind carries besides the resource's id, name and states.
    event_fields: tuple[str, ...]
    #: Side effects of a change of state on the resource itself (meters, addresses); returns
    #: the document to store (it may add fields). Called before it is stored or deleted.
    on_change: Callable[[Runtime, Doc, str | None], Doc]
    #: How the API shows one (the resource's ``PublicView``).
    view: Callable[[Doc], dict[str, Any]]
    #: The list's query parameters that filter by equality on the field of the same name.
    filters: tuple[str, ...]

    def event_data(self, doc: Doc, previous: str | None) -> dict[str, Any]:
        """An event's ``data``: the resource's id (as ``<kind>_id``), name, state and the
        state it left, then its ``event_fields``."""
        data = {
            f"{self.kind}_id": doc["id"],
            "name": doc["name"],
            "status": doc["status"],
            "previous_status": previous,
        }
        data.update((name, doc[name]) for name in self.event_fields)
        return data

    def settle_job(self, rt: Runtime, job: Doc) -> None:
        """The job handler of this kind's transitions (``job_kind``)."""
        settle_job(rt, self, job)

    def get(self, rt: Runtime, account_id: str, doc_id: str, field: str = "id") -> Doc:
        """The account's resource, or 404 naming ``field`` (where the id came from)."""
        return load(rt, self, account_id, doc_id, field)

    def read(self, rt: Runtime, account_id: str, doc_id: str) -> Doc:
        """A ``GET`` of one resource: it counts as a read for manual-mode transitions."""
        return note_read(rt, self, self.get(rt, account_id, doc_id))

    def page(self, rt: Runtime, account_id: str, query: dict[str, Any]) -> Page:
        """One page of the account's resources, as ``GET`` of the collection shows it."""
        return self.page_from(rt.store.find(self.table, account_id), query)

    def page_from(self, docs: list[Doc], query: dict[str, Any]) -> Page:
        """One page of ``docs`` (already narrowed by a filter of the resource's own)."""
        return page_of(docs, query, filters=self.filters, view=self.view)


#: Instances as volumes and firewall rules see them (``resources.instances`` owns their Spec).
INSTANCE_KIND = Kind(INSTANCE, "instances")


def config(rt: Runtime) -> dict[str, Any]:
    """The transition mode, durations and manual read count in force now."""
    durations = dict(DEFAULT_DURATIONS)
    durations.update(rt.overrides.transition_durations)
    return {
        "mode": rt.transition_mode,
        "durations": durations,
        "reads": rt.overrides.transition_reads or DEFAULT_READS,
    }


def set_config(
    rt: Runtime, mode: str, durations: dict[str, float] | None, reads: int | None
) -> dict[str, Any]:
    """Change the mode (and optionally durations and reads) until the next reset."""
    rt.overrides.transitions = mode
    if durations is not None:
        rt.overrides.transition_durations.update({k: float(v) for k, v in durations.items()})
    if reads is not None:
        rt.overrides.transition_reads = reads
    return config(rt)


def load(rt: Runtime, spec: Kind, account_id: str, doc_id: str, field: str = "id") -> Doc:
    """An account's resource, or 404 naming ``field`` (another account's is 404 too)."""
    doc = rt.store.get(spec.table, doc_id)
    if doc is None or doc.get("account_id") != account_id:
        raise NotFound(
            f"{spec.kind.capitalize()} '{doc_id}' not found",
            {"field": field, "value": doc_id, "resource": spec.kind},
        )
    return doc


def refused(spec: Kind, doc: Doc, exc: TransitionRefused) -> Conflict:
    return Conflict(
        f"Cannot {exc.action.replace('_', ' ')} {spec.kind} '{doc['id']}': it is "
        f"'{exc.state}'; allowed actions in this state: "
        f"{', '.join(exc.allowed) if exc.allowed else 'none until the transition finishes'}",
        {
            "resource": spec.kind,
            "id": doc["id"],
            "action": exc.action,
            "current_state": exc.state,
            "allowed_actions": exc.allowed,
        },
    )


def check(spec: Kind, doc: Doc, action: str) -> str:
    """The state ``action`` leads to from ``doc``'s state, or a 409 naming what is allowed."""
    try:
        return spec.lifecycle.next_state(doc["status"], action)
    except TransitionRefused as exc:
        raise refused(spec, doc, exc) from None


def load_for(rt: Runtime, spec: Kind, account_id: str, doc_id: str, action: str, field: str) -> Doc:
    """A resource another request names in its body (``field``) that must allow ``action``
    now: 404 naming the field when it is not the account's, 409 naming it and the state when
    its lifecycle refuses (an instance being deleted takes no volume or firewall rule)."""
    doc = load(rt, spec, account_id, doc_id, field)
    try:
        spec.lifecycle.next_state(doc["status"], action)
    except TransitionRefused as exc:
        conflict = refused(spec, doc, exc)
        conflict.details = {"field": field, **(conflict.details or {})}
        raise conflict from None
    return doc


def act(rt: Runtime, spec: Spec, doc: Doc, action: str, changes: Doc | None = None) -> Doc:
    """Apply ``action``: refused → 409; otherwise move to the state the table names."""
    target = check(spec, doc, action)
    return move(rt, spec, doc, target, changes)


def move(rt: Runtime, spec: Spec, doc: Doc, state: str, changes: Doc | None = None) -> Doc:
    """Put ``doc`` in ``state`` (with ``changes``), then settle it or schedule its settling."""
    transition = doc.get("_transition")
    if transition:
        rt.cancel(transition["job"])  # the state it was heading for no longer applies
    doc = _set_state(rt, spec, doc, state, changes or {}, previous=doc.get("status"))
    if spec.lifecycle.is_transitional(state):
        doc = _begin(rt, spec, doc)
    return doc


def create(rt: Runtime, spec: Spec, doc: Doc) -> Doc:
    """Store a new resource in its lifecycle's initial state and start its first transition."""
    doc = _set_state(rt, spec, doc, spec.lifecycle.initial, {}, previous=None)
    if spec.lifecycle.is_transitional(doc["status"]):
        doc = _begin(rt, spec, doc)
    return doc


def settle(rt: Runtime, spec: Spec, doc: Doc) -> Doc:
    """Finish ``doc``'s transitional state now (a deleted resource is returned as ``deleted``)."""
    target = spec.lifecycle.settles_to(doc["status"])
    if target is None:
        return doc
    transition = doc.get("_transition")
    if transition:
        rt.cancel(transition["job"])
    return _set_state(rt, spec, doc, target, {}, previous=doc["status"])


def settle_job(rt: Runtime, spec: Spec, job: Doc) -> None:
    """The job handler: settle the resource unless it moved on since the job was queued."""
    doc = rt.store.get(spec.table, job["payload"]["id"])
    transition = doc.get("_transition") if doc else None
    if doc is None or not transition or transition["job"] != job["id"]:
        return
    settle(rt, spec, doc)


def note_read(rt: Runtime, spec: Spec, doc: Doc) -> Doc:
    """Count a read of ``doc`` in manual mode; the read that reaches the count settles it."""
    transition = doc.get("_transition")
    if not transition or transition["mode"] != "manual":
        return doc
    reads = int(transition["reads"]) + 1
    if reads >= int(transition["reads_needed"]):
        return settle(rt, spec, doc)
    doc = dict(doc, _transition=dict(transition, reads=reads))
    rt.store.put(spec.table, doc)
    return doc


# internals ---------------------------------------------------------------------------------
def _begin(rt: Runtime, spec: Spec, doc: Doc) -> Doc:
    cfg = config(rt)
    duration = float(cfg["durations"][f"{spec.kind}.{doc['status']}"])
    if cfg["mode"] == "instant" or duration <= 0:
        return settle(rt, spec, doc)
    job_id = rt.schedule(
        spec.job_kind,
        rt.clock.epoch() + duration,
        {"id": doc["id"]},
        advance_only=cfg["mode"] == "manual",
    )
    doc = dict(
        doc,
        _transition={
            "job": job_id,
            "state": doc["status"],
            "mode": cfg["mode"],
            "duration": duration,
            "reads": 0,
            "reads_needed": cfg["reads"],
        },
    )
    rt.store.put(spec.table, doc)
    return doc


def _set_state(
    rt: Runtime, spec: Spec, doc: Doc, state: str, changes: Doc, previous: str | None
) -> Doc:
    now = rt.timestamp()
    new = dict(doc, **changes)
    new["status"] = state
    new["updated_at"] = now
    new["_transition"] = None
    if previous is None:
        new["created_at"] = now
        new["_seq"] = rt.next_seq(spec.table)
    new = spec.on_change(rt, new, previous)
    if state == GONE:
        # Whatever a resource was billed for ends with it, whichever kind it is.
        meters.close_meter(rt, new["id"])
        rt.store.delete(spec.table, new["id"])
    else:
        rt.store.put(spec.table, new)
    event = spec.lifecycle.event_for(previous, state)
    emit(rt, new["account_id"], event, spec.event_data(new, previous))
    return new
