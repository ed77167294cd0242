"""``resources.vpns`` on an in-process runtime: a gateway comes up on the clock, goes on the
clock, and the free plan has room for one."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_emulator.errors import NotFound, QuotaExceeded
from lambda_emulator.resources import vpns
from lambda_emulator.runtime import Runtime
from tests.support.events import event_types
from tests.support.runtime import call, default_account, new_account

OFFICE: dict[str, Any] = {"name": "office", "region": "us-west-1"}


def test_a_vpn_is_active_after_90_clock_seconds_and_gone_30_after_its_delete(
    rt: Runtime,
) -> None:
    me = default_account(rt)
    vpn = call(rt, vpns.create_vpn, me, OFFICE)
    assert vpn["status"] == "pending"
    rt.advance(89)
    assert call(rt, vpns.get_vpn, me, vpn["id"])["status"] == "pending"
    rt.advance(1)
    assert call(rt, vpns.get_vpn, me, vpn["id"])["status"] == "active"
    assert call(rt, vpns.delete_vpn, me, vpn["id"])["status"] == "deleting"
    rt.advance(30)
    with pytest.raises(NotFound):
        call(rt, vpns.get_vpn, me, vpn["id"])
    assert event_types(rt, resource_id=vpn["id"]) == [
        "vpn.pending",
        "vpn.active",
        "vpn.deleting",
        "vpn.deleted",
    ]


def test_the_free_plan_has_room_for_one_vpn_and_a_deleting_one_counts_no_more(
    rt: Runtime,
) -> None:
    free = new_account(rt, "free")
    first = call(rt, vpns.create_vpn, free, OFFICE)
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, vpns.create_vpn, free, {**OFFICE, "name": "second"})
    assert refused.value.details is not None
    assert (refused.value.details["quota"], refused.value.details["limit"]) == ("vpns", 1)
    call(rt, vpns.delete_vpn, free, first["id"])
    assert call(rt, vpns.create_vpn, free, {**OFFICE, "name": "second"})["status"] == "pending"
