"""``resources.firewall`` on an in-process runtime: rules that name an instance go with it,
account-wide rules stay; duplicates and quotas are refused."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_emulator.errors import Conflict, NotFound, QuotaExceeded
from lambda_emulator.resources import firewall, instances
from lambda_emulator.runtime import Runtime
from tests.support.events import event_types
from tests.support.runtime import INSTANCE, SETTLE, call, default_account, new_account

SSH: dict[str, Any] = {
    "direction": "inbound",
    "protocol": "tcp",
    "ports": "22",
    "cidr": "0.0.0.0/0",
}


def _rule_ids(rt: Runtime) -> set[str]:
    return {rule["id"] for rule in rt.store.all("firewall_rules")}


def test_rules_naming_an_instance_are_removed_when_it_is_gone(rt: Runtime) -> None:
    me = default_account(rt)
    doomed = call(rt, instances.create_instance, me, INSTANCE)
    kept = call(rt, instances.create_instance, me, {**INSTANCE, "name": "kept"})
    rt.advance(SETTLE)
    own = call(rt, firewall.create_rule, me, {**SSH, "instance_id": doomed["id"]})
    theirs = call(rt, firewall.create_rule, me, {**SSH, "instance_id": kept["id"]})
    everywhere = call(rt, firewall.create_rule, me, {**SSH, "ports": "443"})
    call(rt, instances.delete_instance, me, doomed["id"])
    assert own["id"] in _rule_ids(rt)  # still there while the instance is deleting
    rt.advance(15)
    assert _rule_ids(rt) == {theirs["id"], everywhere["id"]}
    assert event_types(rt, prefix="firewall_rule.", resource_id=own["id"]) == [
        "firewall_rule.created",
        "firewall_rule.deleted",
    ]
    info = call(rt, firewall.network_info, call(rt, instances.get_instance, me, kept["id"]))
    assert [r["id"] for r in info["firewall_rules"]] == [theirs["id"], everywhere["id"]]


def test_a_rule_for_a_deleting_instance_is_refused(rt: Runtime) -> None:
    me = default_account(rt)
    instance = call(rt, instances.create_instance, me, INSTANCE)
    rt.advance(SETTLE)
    call(rt, instances.delete_instance, me, instance["id"])
    with pytest.raises(Conflict):
        call(rt, firewall.create_rule, me, {**SSH, "instance_id": instance["id"]})
    rt.advance(15)
    with pytest.raises(NotFound):
        call(rt, firewall.create_rule, me, {**SSH, "instance_id": instance["id"]})
    assert _rule_ids(rt) == set()


def test_an_identical_rule_is_a_conflict(rt: Runtime) -> None:
    me = default_account(rt)
    first = call(rt, firewall.create_rule, me, SSH)
    with pytest.raises(Conflict) as refused:
        call(rt, firewall.create_rule, me, dict(SSH))
    assert refused.value.details is not None
    assert refused.value.details["id"] == first["id"]


def test_the_free_plan_allows_20_rules(rt: Runtime) -> None:
    free = new_account(rt, "free")
    for port in range(1, 21):
        call(rt, firewall.create_rule, free, {**SSH, "ports": str(port)})
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, firewall.create_rule, free, {**SSH, "ports": "21"})
    assert refused.value.details is not None
    assert (refused.value.details["used"], refused.value.details["limit"]) == (20, 20)
