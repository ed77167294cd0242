"""``resources.volumes`` on an in-process runtime: creating and attaching on the clock, the
rules for deleting, storage quotas, and the cascade from an instance's deletion."""

from __future__ import annotations

import pytest

from lambda_emulator.errors import Conflict, InvalidRequest, NotFound, QuotaExceeded
from lambda_emulator.resources import accounts, instances, volumes
from lambda_emulator.runtime import Runtime
from tests.support.events import VOLUME_ATTACH_DETACH_EVENTS, event_types
from tests.support.runtime import INSTANCE, SETTLE, VOLUME, call, default_account, new_account


def _volume(rt: Runtime, account_id: str, volume_id: str) -> dict[str, object]:
    return dict(call(rt, volumes.get_volume, account_id, volume_id))


def _available(rt: Runtime, account_id: str, **changes: object) -> str:
    volume = call(rt, volumes.create_volume, account_id, {**VOLUME, **changes})
    assert volume["status"] == "creating"
    rt.advance(10)
    assert _volume(rt, account_id, volume["id"])["status"] == "available"
    return str(volume["id"])


def _running_instance(rt: Runtime, account_id: str, **changes: object) -> str:
    instance = call(rt, instances.create_instance, account_id, {**INSTANCE, **changes})
    rt.advance(SETTLE)
    return str(instance["id"])


def test_attach_and_detach_take_five_clock_seconds_each(rt: Runtime) -> None:
    me = default_account(rt)
    volume_id = _available(rt, me)
    instance_id = _running_instance(rt, me)
    attaching = call(rt, volumes.attach_volume, me, volume_id, instance_id)
    assert (attaching["status"], attaching["instance_id"]) == ("attaching", instance_id)
    rt.advance(5)
    assert _volume(rt, me, volume_id)["status"] == "in-use"
    assert call(rt, volumes.detach_volume, me, volume_id)["status"] == "detaching"
    rt.advance(5)
    detached = _volume(rt, me, volume_id)
    assert (detached["status"], detached["instance_id"]) == ("available", None)
    assert event_types(rt, prefix="volume.") == VOLUME_ATTACH_DETACH_EVENTS


def test_an_attached_volume_is_not_attached_again_nor_deleted(rt: Runtime) -> None:
    me = default_account(rt)
    volume_id = _available(rt, me)
    instance_id = _running_instance(rt, me)
    call(rt, volumes.attach_volume, me, volume_id, instance_id)
    for service, args in [
        (volumes.attach_volume, (volume_id, instance_id)),
        (volumes.delete_volume, (volume_id,)),
    ]:
        with pytest.raises(Conflict) as refused:
            call(rt, service, me, *args)
        assert refused.value.details is not None
        assert refused.value.details["attached_to"] == instance_id
    assert _volume(rt, me, volume_id)["status"] == "attaching"


def test_a_volume_attaches_only_in_its_own_region(rt: Runtime) -> None:
    me = default_account(rt)
    volume_id = _available(rt, me)
    other_region = next(r for r in rt.catalog.regions if r != VOLUME["region"])
    instance_id = _running_instance(rt, me, region=other_region)
    with pytest.raises(InvalidRequest) as refused:
        call(rt, volumes.attach_volume, me, volume_id, instance_id)
    assert refused.value.details is not None
    assert refused.value.details["instance_region"] == other_region
    assert _volume(rt, me, volume_id)["status"] == "available"


def test_deleting_an_instance_detaches_its_volumes_at_once(rt: Runtime) -> None:
    me = default_account(rt)
    instance_id = _running_instance(rt, me)
    attached = _available(rt, me, name="attached")
    spare = _available(rt, me, name="spare")
    call(rt, volumes.attach_volume, me, attached, instance_id)
    rt.advance(5)
    call(rt, instances.delete_instance, me, instance_id)
    assert _volume(rt, me, attached)["status"] == "detaching"  # in the same transaction
    rt.advance(5)
    detached = _volume(rt, me, attached)
    assert (detached["status"], detached["instance_id"]) == ("available", None)
    assert _volume(rt, me, spare)["status"] == "available"
    rt.advance(10)  # the instance is gone; its volume stays
    with pytest.raises(NotFound):
        call(rt, instances.get_instance, me, instance_id)
    assert _volume(rt, me, attached)["status"] == "available"


def test_the_free_plan_allows_500_gb_and_growing_counts_the_difference(rt: Runtime) -> None:
    free = new_account(rt, "free")
    volume_id = _available(rt, free, size_gb=300)
    _available(rt, free, size_gb=150)
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, volumes.create_volume, free, {**VOLUME, "size_gb": 51})
    assert refused.value.details == {
        "quota": "storage_gb",
        "used": 450,
        "requested": 51,
        "limit": 500,
        "plan": "free",
    }
    with pytest.raises(QuotaExceeded):
        call(rt, volumes.resize_volume, free, volume_id, 351)
    assert call(rt, volumes.resize_volume, free, volume_id, 350)["size_gb"] == 350
    assert call(rt, accounts.quota_view, free)["quotas"]["storage_gb"]["used"] == 500


def test_a_volume_only_grows(rt: Runtime) -> None:
    me = default_account(rt)
    volume_id = _available(rt, me)
    with pytest.raises(InvalidRequest):
        call(rt, volumes.resize_volume, me, volume_id, VOLUME["size_gb"])
    assert _volume(rt, me, volume_id)["size_gb"] == VOLUME["size_gb"]
