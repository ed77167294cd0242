"""Every allowed and every refused transition of every lifecycle, without HTTP."""

from __future__ import annotations

import pytest

from lambda_emulator.core.lifecycle import (
    GONE,
    INSTANCE,
    LIFECYCLES,
    SNAPSHOT,
    VOLUME,
    VPN,
    Lifecycle,
    TransitionRefused,
)

# The contract, written out by hand: (state, action) → next state. Anything absent is refused.
ALLOWED: dict[str, dict[tuple[str, str], str]] = {
    "instance": {
        ("stopped", "start"): "starting",
        ("running", "stop"): "stopping",
        ("running", "restart"): "restarting",
        ("stopped", "resize"): "resizing",
        **{
            (s, "update"): s
            for s in (
                "pending",
                "running",
                "stopping",
                "stopped",
                "starting",
                "restarting",
                "resizing",
            )
        },
        **{
            (s, "attach_volume"): s
            for s in (
                "pending",
                "running",
                "stopping",
                "stopped",
                "starting",
                "restarting",
                "resizing",
            )
        },
        **{
            (s, "delete"): "deleting"
            for s in ("pending", "running", "stopped", "starting", "stopping", "restarting")
        },
    },
    "volume": {
        ("available", "attach"): "attaching",
        ("in-use", "detach"): "detaching",
        ("attaching", "detach"): "detaching",
        ("available", "resize"): "available",
        ("in-use", "resize"): "in-use",
        ("available", "snapshot"): "available",
        ("in-use", "snapshot"): "in-use",
        ("available", "delete"): "deleting",
    },
    "snapshot": {
        ("completed", "restore"): "completed",
        ("pending", "delete"): "deleting",
        ("completed", "delete"): "deleting",
    },
    "vpn": {("pending", "delete"): "deleting", ("active", "delete"): "deleting"},
}

STATES = {
    "instance": {
        "pending",
        "running",
        "stopping",
        "stopped",
        "starting",
        "restarting",
        "resizing",
        "deleting",
    },
    "volume": {"creating", "available", "attaching", "in-use", "detaching", "deleting"},
    "snapshot": {"pending", "completed", "deleting"},
    "vpn": {"pending", "active", "deleting"},
}

SETTLES = {
    "instance": {
        "pending": "running",
        "starting": "running",
        "stopping": "stopped",
        "restarting": "running",
        "resizing": "stopped",
        "deleting": GONE,
    },
    "volume": {
        "creating": "available",
        "attaching": "in-use",
        "detaching": "available",
        "deleting": GONE,
    },
    "snapshot": {"pending": "completed", "deleting": GONE},
    "vpn": {"pending": "active", "deleting": GONE},
}


def _cases() -> list[tuple[Lifecycle, str, str]]:
    return [
        (lc, state, action)
        for lc in LIFECYCLES.values()
        for state in sorted(STATES[lc.resource])
        for action in lc.actions
    ]


def test_states_are_exactly_the_contract() -> None:
    for name, lc in LIFECYCLES.items():
        assert set(lc.states) == STATES[name], name
        assert dict(lc.settles) == SETTLES[name], name


@pytest.mark.parametrize(
    ("lc", "state", "action"),
    _cases(),
    ids=[f"{lc.resource}:{s}:{a}" for lc, s, a in _cases()],
)
def test_every_transition(lc: Lifecycle, state: str, action: str) -> None:
    expected = ALLOWED[lc.resource].get((state, action))
    if expected is not None:
        assert lc.next_state(state, action) == expected
        assert action in lc.allowed_actions(state)
    else:
        with pytest.raises(TransitionRefused) as refused:
            lc.next_state(state, action)
        assert refused.value.state == state
        assert refused.value.action == action
        assert action not in refused.value.allowed
        assert refused.value.allowed == lc.allowed_actions(state)
        assert f"'{state}'" in str(refused.value)


def test_allowed_table_has_no_extra_entries() -> None:
    for name, table in ALLOWED.items():
        lc = LIFECYCLES[name]
        for state, action in table:
            assert state in STATES[name] and action in lc.actions, (name, state, action)


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        INSTANCE.next_state("running", "explode")


@pytest.mark.parametrize(
    ("lc", "previous", "state", "event"),
    [
        (INSTANCE, None, "pending", "instance.pending"),
        (INSTANCE, "pending", "running", "instance.created"),
        (INSTANCE, "stopped", "starting", "instance.starting"),
        (INSTANCE, "starting", "running", "instance.started"),
        (INSTANCE, "stopping", "stopped", "instance.stopped"),
        (INSTANCE, "restarting", "running", "instance.restarted"),
        (INSTANCE, "resizing", "stopped", "instance.resized"),
        (INSTANCE, "deleting", GONE, "instance.deleted"),
        (VOLUME, "creating", "available", "volume.created"),
        (VOLUME, "attaching", "in-use", "volume.attached"),
        (VOLUME, "detaching", "available", "volume.detached"),
        (VOLUME, "attaching", "detaching", "volume.detaching"),
        (SNAPSHOT, "pending", "completed", "snapshot.completed"),
        (VPN, "pending", "active", "vpn.active"),
        (VPN, "active", "deleting", "vpn.deleting"),
    ],
)
def test_event_names(lc: Lifecycle, previous: str | None, state: str, event: str) -> None:
    assert lc.event_for(previous, state) == event
    assert event in lc.event_names()


def test_transitional_states_are_the_settling_ones() -> None:
    for lc in LIFECYCLES.values():
        for state in lc.states:
            assert lc.is_transitional(state) == (state in SETTLES[lc.resource])
            assert lc.settles_to(state) == SETTLES[lc.resource].get(state)


def test_event_catalogue_schema_lists_exactly_the_event_types() -> None:
    import json
    from pathlib import Path

    from lambda_emulator.core.lifecycle import EVENT_TYPES

    schema = json.loads((Path(__file__).parents[2] / "schemas" / "events.json").read_text())
    # resource events come from the lifecycles; webhook.ping is the one event webhooks emit
    expected = [*EVENT_TYPES, "webhook.ping"]
    assert schema["$defs"]["EventType"]["enum"] == expected
    assert list(schema["x-event-catalogue"]) == expected
    assert len(set(EVENT_TYPES)) == len(EVENT_TYPES)
