"""Lifecycle transition tables of instances, volumes, snapshots and VPNs.

A lifecycle is data, not code: for each action the states it may start from and the state it
moves the resource to, and for each transitional state the settled state it reaches when its
time is up. An action whose target equals its source (``update``, ``resize`` of a volume) is
allowed in place. Everything here is pure; the services decide *when* a transitional state
settles (the emulator clock, the transition mode) and what else happens on the way.

Event names follow one rule: a change that starts emits ``<resource>.<transitional state>``
(``instance.stopping``), a change that finishes emits the past tense the table names
(``instance.stopped``), and an in-place action emits ``<resource>.<past tense of the action>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "EVENT_TYPES",
    "GONE",
    "INSTANCE",
    "LIFECYCLES",
    "SNAPSHOT",
    "VOLUME",
    "VPN",
    "Lifecycle",
    "TransitionRefused",
]

#: The pseudo-state of a resource whose deletion finished: it no longer exists (404).
GONE = "deleted"


class TransitionRefused(Exception):
    """An action the current state does not allow; carries what *is* allowed."""

    def __init__(self, resource: str, state: str, action: str, allowed: list[str]) -> None:
        self.resource = resource
        self.state = state
        self.action = action
        self.allowed = allowed
        shown = ", ".join(allowed) if allowed else "none (wait for the transition to finish)"
        super().__init__(f"Cannot {action} {resource} in state '{state}'; allowed actions: {shown}")


@dataclass(frozen=True)
class Lifecycle:
    resource: str
    #: The state a new resource starts in.
    initial: str
    #: action → {from state: to state}.
    actions: Mapping[str, Mapping[str, str]]
    #: transitional state → (the settled state it reaches when its duration is over, the
    #: event name, in the past tense, emitted then): one row says all a transition does.
    transitional: Mapping[str, tuple[str, str]]
    #: in-place action → the event name emitted when it is applied.
    action_events: Mapping[str, str]

    @property
    def settles(self) -> dict[str, str]:
        """transitional state → the settled state it reaches."""
        return {state: into for state, (into, _) in self.transitional.items()}

    @property
    def states(self) -> list[str]:
        """Every state a stored resource can be in (``GONE`` is not stored)."""
        found = [self.initial]
        for moves in self.actions.values():
            for pair in moves.items():
                found.extend(s for s in pair if s not in found)
        found.extend(s for s in self.settles.values() if s not in found)
        return [s for s in found if s != GONE]

    def allowed_actions(self, state: str) -> list[str]:
        return [action for action, moves in self.actions.items() if state in moves]

    def next_state(self, state: str, action: str) -> str:
        """The state ``action`` moves a resource in ``state`` to, or ``TransitionRefused``."""
        moves = self.actions.get(action)
        if moves is None:
            raise ValueError(f"{self.resource} has no action '{action}'")
        if state not in moves:
            raise TransitionRefused(self.resource, state, action, self.allowed_actions(state))
        return moves[state]

    def is_transitional(self, state: str) -> bool:
        return state in self.transitional

    def settles_to(self, state: str) -> str | None:
        into = self.transitional.get(state)
        return into[0] if into else None

    def event_for(self, previous: str | None, state: str) -> str:
        """The event a move from ``previous`` to ``state`` emits."""
        settling = self.transitional.get(previous) if previous is not None else None
        if settling is not None and settling[0] == state:
            return f"{self.resource}.{settling[1]}"
        return f"{self.resource}.{state}"

    def event_names(self) -> list[str]:
        names = [f"{self.resource}.{s}" for s in self.transitional]
        names += [f"{self.resource}.{event}" for _, event in self.transitional.values()]
        names += [f"{self.resource}.{e}" for e in self.action_events.values()]
        return list(dict.fromkeys(names))


def _every(states: list[str], *, but: tuple[str, ...] = ()) -> dict[str, str]:
    return {s: s for s in states if s not in but}


_INSTANCE_STATES = [
    "pending",
    "running",
    "stopping",
    "stopped",
    "starting",
    "restarting",
    "resizing",
    "deleting",
]

INSTANCE = Lifecycle(
    resource="instance",
    initial="pending",
    actions={
        "start": {"stopped": "starting"},
        "stop": {"running": "stopping"},
        "restart": {"running": "restarting"},
        "resize": {"stopped": "resizing"},
        "update": _every(_INSTANCE_STATES, but=("deleting",)),
        "attach_volume": _every(_INSTANCE_STATES, but=("deleting",)),
        "delete": {
            s: "deleting"
            for s in ("pending", "running", "stopped", "starting", "stopping", "restarting")
        },
    },
    transitional={
        "pending": ("running", "created"),
        "starting": ("running", "started"),
        "stopping": ("stopped", "stopped"),
        "restarting": ("running", "restarted"),
        "resizing": ("stopped", "resized"),
        "deleting": (GONE, "deleted"),
    },
    action_events={"update": "updated"},
)

VOLUME = Lifecycle(
    resource="volume",
    initial="creating",
    actions={
        "attach": {"available": "attaching"},
        "detach": {"in-use": "detaching", "attaching": "detaching"},
        "resize": {"available": "available", "in-use": "in-use"},
        "snapshot": {"available": "available", "in-use": "in-use"},
        "delete": {"available": "deleting"},
    },
    transitional={
        "creating": ("available", "created"),
        "attaching": ("in-use", "attached"),
        "detaching": ("available", "detached"),
        "deleting": (GONE, "deleted"),
    },
    action_events={"resize": "resized"},
)

SNAPSHOT = Lifecycle(
    resource="snapshot",
    initial="pending",
    actions={
        "restore": {"completed": "completed"},
        "delete": {"pending": "deleting", "completed": "deleting"},
    },
    transitional={"pending": ("completed", "completed"), "deleting": (GONE, "deleted")},
    action_events={"restore": "restored"},
)

VPN = Lifecycle(
    resource="vpn",
    initial="pending",
    actions={"delete": {"pending": "deleting", "active": "deleting"}},
    transitional={"pending": ("active", "active"), "deleting": (GONE, "deleted")},
    action_events={},
)

LIFECYCLES: Mapping[str, Lifecycle] = {lc.resource: lc for lc in (INSTANCE, VOLUME, SNAPSHOT, VPN)}

#: Every event type the compute resources emit, in catalogue order (``schemas/events.json``).
EVENT_TYPES: tuple[str, ...] = (
    *(name for lc in LIFECYCLES.values() for name in lc.event_names()),
    "firewall_rule.created",
    "firewall_rule.deleted",
)
