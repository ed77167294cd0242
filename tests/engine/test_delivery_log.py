"""The event listener and the delivery log, on a runtime without a server: which events make
deliveries, and that a rolled-back change leaves none behind."""

from __future__ import annotations

import pytest

from lambda_emulator.engine import delivery_log as webhook_deliveries
from lambda_emulator.engine.events import emit
from lambda_emulator.resources import accounts, onboarding, webhooks
from lambda_emulator.runtime import Runtime


def _hook(rt: Runtime, account_id: str, events: list[str]) -> str:
    with rt.transaction():
        doc = webhooks.create_webhook(
            rt, account_id, {"url": "http://127.0.0.1:9/h", "events": events, "secret": "s" * 8}
        )
    return str(doc["id"])


def test_each_event_makes_one_delivery_per_matching_active_subscription(rt: Runtime) -> None:
    me = accounts.default_account_id(rt)
    other, _, _ = onboarding.create_account(rt, "professional")
    exact = _hook(rt, me, ["instance.created"])
    wildcard = _hook(rt, me, ["instance.*"])
    everything = _hook(rt, me, ["*"])
    disabled = _hook(rt, me, ["*"])
    _hook(rt, other["id"], ["*"])
    with rt.transaction():
        webhooks.update_webhook(rt, me, disabled, {"status": "disabled"})
        created = emit(rt, me, "instance.created", {"instance_id": "inst_x"})
        emit(rt, me, "volume.created", {"volume_id": "vol_x"})
    by_event = {}
    for d in webhook_deliveries.list_deliveries(rt, me):
        by_event.setdefault(d["event_type"], set()).add(d["webhook_id"])
    assert by_event == {
        "instance.created": {exact, wildcard, everything},
        "volume.created": {everything},
    }
    assert webhook_deliveries.list_deliveries(rt, other["id"]) == []
    queued = list(rt.deliveries.ready)
    assert len(queued) == 4 and len(set(queued)) == 4
    first = webhook_deliveries.list_deliveries(rt, me, webhook_id=exact)[0]
    assert first["event_id"] == created["id"] and first["status"] == "pending"


def test_a_rolled_back_change_leaves_no_delivery(rt: Runtime) -> None:
    me = accounts.default_account_id(rt)
    _hook(rt, me, ["*"])
    with pytest.raises(RuntimeError), rt.transaction():
        emit(rt, me, "instance.created", {"instance_id": "inst_x"})
        raise RuntimeError("the change failed after its event")
    assert webhook_deliveries.list_deliveries(rt) == []
    assert webhook_deliveries.pending_unscheduled(rt) == []


def test_pings_are_never_broadcast(rt: Runtime) -> None:
    me = accounts.default_account_id(rt)
    target = _hook(rt, me, ["instance.created"])
    _hook(rt, me, ["*"])
    with rt.transaction():
        webhooks.ping(rt, me, target)
    [only] = webhook_deliveries.list_deliveries(rt)
    assert only["webhook_id"] == target and only["event_type"] == "webhook.ping"
