"""``engine.transitions`` through a resource, on an in-process runtime: the three modes
(realistic durations, instant, manual by clock advance or by reads) and changed durations."""

from __future__ import annotations

from lambda_emulator.engine import transitions
from lambda_emulator.resources import instances
from lambda_emulator.runtime import Runtime
from tests.support.events import event_types
from tests.support.runtime import INSTANCE, call, default_account, in_process_runtime


def test_instant_mode_settles_inside_the_call() -> None:
    rt = in_process_runtime(transitions="instant")
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    assert instance["status"] == "running"
    assert instance["public_ip"] is not None
    assert event_types(rt) == ["instance.pending", "instance.created"]


def test_manual_mode_moves_on_a_clock_advance_past_the_duration() -> None:
    rt = in_process_runtime(transitions="manual")
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    rt.advance(44)
    assert call(rt, instances.get_instance, me, instance["id"])["status"] == "pending"
    rt.advance(1)
    assert call(rt, instances.get_instance, me, instance["id"])["status"] == "running"


def test_manual_mode_moves_on_the_third_read() -> None:
    rt = in_process_runtime(transitions="manual")
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    seen = [call(rt, instances.read_instance, me, instance["id"])["status"] for _ in range(3)]
    assert seen == ["pending", "pending", "running"]
    # a lookup that is not a read (another service's) does not count
    call(rt, instances.power, me, instance["id"], "stop")
    for _ in range(5):
        call(rt, instances.get_instance, me, instance["id"])
    assert call(rt, instances.read_instance, me, instance["id"])["status"] == "stopping"


def test_changed_durations_apply_to_transitions_begun_afterwards(rt: Runtime) -> None:
    me = default_account(rt)
    before = call(rt, instances.create_instance, me, INSTANCE)
    transitions.set_config(rt, "realistic", {"instance.pending": 5}, None)
    after = call(rt, instances.create_instance, me, {**INSTANCE, "name": "after"})
    rt.advance(5)
    assert call(rt, instances.get_instance, me, after["id"])["status"] == "running"
    assert call(rt, instances.get_instance, me, before["id"])["status"] == "pending"
    rt.advance(40)
    assert call(rt, instances.get_instance, me, before["id"])["status"] == "running"
