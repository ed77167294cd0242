"""``resources.snapshots`` on an in-process runtime: a snapshot completes on the clock, and a
restore creates a new volume (checked against the volume quotas) and says so in an event."""

from __future__ import annotations

import pytest

from lambda_emulator.errors import Conflict, InvalidRequest, QuotaExceeded
from lambda_emulator.resources import snapshots, volumes
from lambda_emulator.runtime import Runtime
from tests.support.events import events
from tests.support.runtime import VOLUME, call, default_account, new_account


def _snapshot(rt: Runtime, account_id: str, size_gb: int = 100) -> str:
    volume = call(rt, volumes.create_volume, account_id, {**VOLUME, "size_gb": size_gb})
    rt.advance(10)
    snapshot = call(rt, snapshots.create_snapshot, account_id, {"volume_id": volume["id"]})
    assert snapshot["status"] == "pending"
    return str(snapshot["id"])


def test_a_snapshot_completes_after_30_clock_seconds(rt: Runtime) -> None:
    me = default_account(rt)
    snapshot_id = _snapshot(rt, me)
    rt.advance(29)
    assert call(rt, snapshots.get_snapshot, me, snapshot_id)["status"] == "pending"
    rt.advance(1)
    done = call(rt, snapshots.get_snapshot, me, snapshot_id)
    assert (done["status"], done["completed_at"]) == ("completed", "2026-01-24T10:30:40Z")


def test_a_restore_creates_a_volume_from_the_snapshot(rt: Runtime) -> None:
    me = default_account(rt)
    snapshot_id = _snapshot(rt, me)
    rt.advance(30)
    before = len(rt.store.all("volumes"))
    restored = call(rt, snapshots.restore_snapshot, me, snapshot_id, {"size_gb": 150})
    assert len(rt.store.all("volumes")) == before + 1
    assert restored["status"] == "creating"
    assert restored["source_snapshot_id"] == snapshot_id
    assert (restored["region"], restored["size_gb"]) == (VOLUME["region"], 150)
    (event,) = events(rt, prefix="snapshot.restored")
    assert event["data"]["restored_volume_id"] == restored["id"]
    rt.advance(10)
    assert call(rt, volumes.get_volume, me, restored["id"])["status"] == "available"


def test_a_restore_needs_a_completed_snapshot_and_room_for_it(rt: Runtime) -> None:
    me = default_account(rt)
    snapshot_id = _snapshot(rt, me)
    with pytest.raises(Conflict):
        call(rt, snapshots.restore_snapshot, me, snapshot_id, {})
    rt.advance(30)
    with pytest.raises(InvalidRequest) as refused:
        call(rt, snapshots.restore_snapshot, me, snapshot_id, {"size_gb": 99})
    assert refused.value.details is not None
    assert refused.value.details["constraint"] == {"minimum": 100}
    assert len(rt.store.all("volumes")) == 1


def test_a_restore_counts_against_the_volume_quotas(rt: Runtime) -> None:
    free = new_account(rt, "free")
    snapshot_id = _snapshot(rt, free, size_gb=300)
    rt.advance(30)
    with pytest.raises(QuotaExceeded) as refused:
        call(rt, snapshots.restore_snapshot, free, snapshot_id, {})
    assert refused.value.details is not None
    assert (refused.value.details["quota"], refused.value.details["used"]) == ("storage_gb", 300)
    assert len(rt.store.find("volumes", free)) == 1
