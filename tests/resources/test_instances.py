"""``resources.instances`` on an in-process runtime: the lifecycle on the emulator clock, refused
actions, the billing meter, and the quotas an instance counts against. No server: each call
runs in a transaction as a request would, and only ``rt.advance`` moves time."""

from __future__ import annotations

import pytest

from lambda_emulator.errors import Conflict, InvalidRequest, NotFound, QuotaExceeded
from lambda_emulator.resources import accounts, instances
from lambda_emulator.runtime import Runtime
from tests.support.events import event_types, meters_of
from tests.support.runtime import INSTANCE, SETTLE, call, default_account, new_account


def _status(rt: Runtime, account_id: str, instance_id: str) -> str:
    return str(call(rt, instances.get_instance, account_id, instance_id)["status"])


def _running(rt: Runtime, account_id: str, **changes: str) -> str:
    instance = call(rt, instances.create_instance, account_id, {**INSTANCE, **changes})
    rt.advance(SETTLE)
    assert _status(rt, account_id, instance["id"]) == "running"
    return str(instance["id"])


def test_an_instance_boots_in_45_clock_seconds_and_gets_its_public_address(rt: Runtime) -> None:
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    assert (instance["status"], instance["public_ip"]) == ("pending", None)
    rt.advance(44)
    assert _status(rt, me, instance["id"]) == "pending"
    rt.advance(1)
    booted = call(rt, instances.get_instance, me, instance["id"])
    assert booted["status"] == "running"
    assert booted["public_ip"].startswith("203.0.113.")
    assert event_types(rt, resource_id=instance["id"]) == ["instance.pending", "instance.created"]


def test_stop_start_and_restart_take_their_durations(rt: Runtime) -> None:
    me = default_account(rt)
    instance_id = _running(rt, me)
    for action, transitional, seconds, settled in [
        ("stop", "stopping", 20, "stopped"),
        ("start", "starting", 30, "running"),
        ("restart", "restarting", 30, "running"),
    ]:
        assert call(rt, instances.power, me, instance_id, action)["status"] == transitional
        rt.advance(seconds - 1)
        assert _status(rt, me, instance_id) == transitional
        rt.advance(1)
        assert _status(rt, me, instance_id) == settled


def test_an_action_the_state_does_not_allow_is_a_conflict_naming_the_allowed_ones(
    rt: Runtime,
) -> None:
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    with pytest.raises(Conflict) as refused:
        call(rt, instances.power, me, instance["id"], "stop")
    assert refused.value.details is not None
    assert refused.value.details["current_state"] == "pending"
    assert "stop" not in refused.value.details["allowed_actions"]
    assert _status(rt, me, instance["id"]) == "pending"  # nothing changed


def test_the_meter_is_open_exactly_while_the_instance_runs(rt: Runtime) -> None:
    me = default_account(rt)
    instance_id = _running(rt, me)
    call(rt, instances.power, me, instance_id, "stop")
    rt.advance(SETTLE)
    (meter,) = meters_of(rt, instance_id)
    assert meter["sku"] == "compute-2x"
    # created at 10:30:00, running from 10:30:45, stopping (no longer billed) from 10:40:00
    assert meter["ended_at"] - meter["started_at"] == SETTLE - 45


def test_a_deleted_instance_is_gone_after_its_15_seconds(rt: Runtime) -> None:
    me = default_account(rt)
    instance_id = _running(rt, me)
    assert call(rt, instances.delete_instance, me, instance_id)["status"] == "deleting"
    rt.advance(14)
    assert _status(rt, me, instance_id) == "deleting"
    rt.advance(1)
    with pytest.raises(NotFound):
        call(rt, instances.get_instance, me, instance_id)
    assert event_types(rt, resource_id=instance_id)[-2:] == [
        "instance.deleting",
        "instance.deleted",
    ]


def test_another_accounts_instance_is_not_found(rt: Runtime) -> None:
    me = default_account(rt)
    other = new_account(rt, "professional")
    instance_id = _running(rt, me)
    with pytest.raises(NotFound):
        call(rt, instances.get_instance, other, instance_id)
    with pytest.raises(NotFound):
        call(rt, instances.delete_instance, other, instance_id)
    assert _status(rt, me, instance_id) == "running"


def test_an_unknown_catalogue_value_is_refused_with_the_allowed_values(rt: Runtime) -> None:
    me = default_account(rt)
    with pytest.raises(InvalidRequest) as refused:
        call(rt, instances.create_instance, me, {**INSTANCE, "instance_type": "compute-3x"})
    assert refused.value.details is not None
    assert refused.value.details["field"] == "instance_type"
    assert "compute-2x" in refused.value.details["allowed_values"]
    assert rt.store.all("instances") == []


def test_the_free_plan_allows_8_vcpus_and_deleting_frees_them(rt: Runtime) -> None:
    free = new_account(rt, "free")
    first = _running(rt, free, instance_type="compute-4x")
    _running(rt, free, instance_type="compute-4x")
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, instances.create_instance, free, {**INSTANCE, "instance_type": "compute-1x"})
    assert refused.value.details == {
        "quota": "vcpus",
        "used": 8,
        "requested": 1,
        "limit": 8,
        "plan": "free",
    }
    call(rt, instances.delete_instance, free, first)  # a deleting instance counts no more
    call(rt, instances.create_instance, free, {**INSTANCE, "instance_type": "compute-4x"})


def test_the_free_plan_allows_5_instances(rt: Runtime) -> None:
    free = new_account(rt, "free")
    for n in range(5):
        small = {**INSTANCE, "name": f"n{n}", "instance_type": "compute-1x"}
        call(rt, instances.create_instance, free, small)
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, instances.create_instance, free, {**INSTANCE, "instance_type": "compute-1x"})
    assert refused.value.details is not None
    assert (refused.value.details["quota"], refused.value.details["limit"]) == ("instances", 5)


def test_a_new_plan_moves_the_limits_at_once(rt: Runtime) -> None:
    free = new_account(rt, "free")
    _running(rt, free, instance_type="compute-8x")
    with pytest.raises(QuotaExceeded):
        call(rt, instances.create_instance, free, {**INSTANCE, "instance_type": "compute-1x"})
    call(rt, accounts.set_plan, free, "professional")
    call(rt, instances.create_instance, free, {**INSTANCE, "instance_type": "compute-16x"})
    quotas = call(rt, accounts.quota_view, free)["quotas"]
    assert quotas["vcpus"] == {"used": 24, "limit": 200}


def test_resizing_up_counts_only_the_extra_vcpus_against_the_quota(rt: Runtime) -> None:
    free = new_account(rt, "free")
    instance_id = _running(rt, free, instance_type="compute-4x")
    call(rt, instances.power, free, instance_id, "stop")
    rt.advance(SETTLE)
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, instances.resize_instance, free, instance_id, "compute-16x")
    assert refused.value.details is not None
    assert (refused.value.details["used"], refused.value.details["requested"]) == (4, 12)
    resized = call(rt, instances.resize_instance, free, instance_id, "compute-8x")
    assert (resized["status"], resized["vcpus"]) == ("resizing", 8)
    rt.advance(60)
    assert _status(rt, free, instance_id) == "stopped"
