"""``/v1/snapshots`` over a real server: taking, completing, restoring, deleting, and what
happens when the volume is gone."""

from __future__ import annotations

import httpx

from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.events import assert_events_match_catalogue, event_types, meters_of
from tests.support.resources import SETTLE, available_volume, running_instance


def _completed(
    emu: EmulatorHandle, client: httpx.Client, volume_id: str, **extra: object
) -> dict[str, object]:
    snap = ok(client.post("/v1/snapshots", json={"volume_id": volume_id, **extra}), 201)
    emu.advance(SETTLE)
    data: dict[str, object] = ok(client.get(f"/v1/snapshots/{snap['id']}"))
    assert data["status"] == "completed"
    return data


def test_snapshot_lifecycle_and_meter(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    volume = available_volume(lambda_emulator, client, size_gb=80, region="eu-west-1")
    snap = ok(
        client.post("/v1/snapshots", json={"volume_id": volume["id"], "name": "nightly"}), 201
    )
    assert (snap["status"], snap["size_gb"], snap["region"], snap["volume_id"], snap["name"]) == (
        "pending",
        80,
        "eu-west-1",
        volume["id"],
        "nightly",
    )
    assert snap["completed_at"] is None and snap["id"].startswith("snap_")
    assert meters_of(runtime, snap["id"]) == []
    lambda_emulator.advance(29)
    assert ok(client.get(f"/v1/snapshots/{snap['id']}"))["status"] == "pending"
    lambda_emulator.advance(1)
    done = ok(client.get(f"/v1/snapshots/{snap['id']}"))
    assert (done["status"], done["completed_at"]) == ("completed", "2026-01-24T10:40:30Z")
    meter = meters_of(runtime, snap["id"])
    assert [(m["sku"], m["quantity"], m["unit"]) for m in meter] == [("snapshot", 80, "GB-hour")]
    assert ok(client.delete(f"/v1/snapshots/{snap['id']}"))["status"] == "deleting"
    lambda_emulator.advance(5)
    err(client.get(f"/v1/snapshots/{snap['id']}"), 404, "not_found")
    assert meters_of(runtime, snap["id"])[0]["ended_at"] == 1769251235.0
    assert event_types(runtime, prefix="snapshot.") == [
        "snapshot.pending",
        "snapshot.completed",
        "snapshot.deleting",
        "snapshot.deleted",
    ]
    assert_events_match_catalogue(runtime)


def test_default_name_is_readable_and_deterministic(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    volume = available_volume(lambda_emulator, client, name="pgdata")
    first = ok(client.post("/v1/snapshots", json={"volume_id": volume["id"]}), 201)["name"]
    assert first.startswith("pgdata-20260124-")
    lambda_emulator.reset()
    volume = available_volume(lambda_emulator, client, name="pgdata")
    assert ok(client.post("/v1/snapshots", json={"volume_id": volume["id"]}), 201)["name"] == first


def test_snapshot_of_a_missing_or_foreign_volume_is_404_on_volume_id(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    missing = err(client.post("/v1/snapshots", json={"volume_id": "vol_nope"}), 404, "not_found")
    assert missing["details"]["field"] == "volume_id"
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as theirs:
        foreign = available_volume(lambda_emulator, theirs)
    error = err(client.post("/v1/snapshots", json={"volume_id": foreign["id"]}), 404, "not_found")
    assert error["details"] == {"field": "volume_id", "value": foreign["id"], "resource": "volume"}


def test_snapshot_needs_a_settled_volume(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    fresh = ok(
        client.post("/v1/volumes", json={"name": "v", "size_gb": 5, "region": "us-west-1"}), 201
    )
    error = err(client.post("/v1/snapshots", json={"volume_id": fresh["id"]}), 409, "conflict")
    assert error["details"]["current_state"] == "creating"
    instance = running_instance(lambda_emulator, client)
    ok(client.post(f"/v1/volumes/{fresh['id']}/attach", json={"instance_id": instance["id"]}))
    lambda_emulator.advance(SETTLE)
    in_use = ok(client.post("/v1/snapshots", json={"volume_id": fresh["id"]}), 201)
    assert in_use["status"] == "pending"  # a snapshot of an attached volume is allowed


def test_snapshots_outlive_their_volume_and_restore_into_its_region(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    volume = available_volume(lambda_emulator, client, size_gb=40, region="us-east-1")
    snap = _completed(lambda_emulator, client, volume["id"], name="base")
    ok(client.delete(f"/v1/volumes/{volume['id']}"))
    lambda_emulator.advance(SETTLE)
    err(client.get(f"/v1/volumes/{volume['id']}"), 404, "not_found")
    kept = ok(client.get("/v1/snapshots", params={"volume_id": volume["id"]}))
    assert [s["id"] for s in kept] == [snap["id"]]
    gone = err(client.post("/v1/snapshots", json={"volume_id": volume["id"]}), 404, "not_found")
    assert gone["details"]["field"] == "volume_id"
    restored = ok(client.post(f"/v1/snapshots/{snap['id']}/restore"), 201)
    assert restored["id"].startswith("vol_") and restored["id"] != volume["id"]
    assert (
        restored["status"],
        restored["region"],
        restored["size_gb"],
        restored["source_snapshot_id"],
        restored["name"],
        restored["instance_id"],
    ) == ("creating", "us-east-1", 40, snap["id"], "base-restored", None)
    lambda_emulator.advance(SETTLE)
    assert ok(client.get(f"/v1/volumes/{restored['id']}"))["status"] == "available"
    named = ok(
        client.post(f"/v1/snapshots/{snap['id']}/restore", json={"name": "copy", "size_gb": 60}),
        201,
    )
    assert (named["name"], named["size_gb"]) == ("copy", 60)
    small = err(
        client.post(f"/v1/snapshots/{snap['id']}/restore", json={"size_gb": 39}),
        400,
        "invalid_request",
    )
    assert small["details"]["field"] == "size_gb"
    restored_events = [e for e in event_types(runtime) if e == "snapshot.restored"]
    assert len(restored_events) == 2
    assert_events_match_catalogue(runtime)


def test_restore_of_a_pending_snapshot_is_409(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    volume = available_volume(lambda_emulator, client)
    snap = ok(client.post("/v1/snapshots", json={"volume_id": volume["id"]}), 201)
    error = err(client.post(f"/v1/snapshots/{snap['id']}/restore"), 409, "conflict")
    assert error["details"]["current_state"] == "pending"
    assert error["details"]["allowed_actions"] == ["delete"]
    err(client.post("/v1/snapshots/snap_missing/restore"), 404, "not_found")


def test_restore_counts_against_volume_quotas(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        volume = available_volume(lambda_emulator, c, size_gb=300)
        snap = _completed(lambda_emulator, c, volume["id"])
        error = err(c.post(f"/v1/snapshots/{snap['id']}/restore"), 403, "quota_exceeded")
        assert error["details"]["quota"] == "storage_gb"


def test_snapshot_quota(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        volume = available_volume(lambda_emulator, c, size_gb=1)
        for _ in range(10):
            ok(c.post("/v1/snapshots", json={"volume_id": volume["id"]}), 201)
        error = err(
            c.post("/v1/snapshots", json={"volume_id": volume["id"]}), 403, "quota_exceeded"
        )
        assert error["details"]["quota"] == "snapshots"
        assert ok(c.get("/v1/account/quota"))["quotas"]["snapshots"] == {"used": 10, "limit": 10}


def test_list_filters_and_sorts(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    west = available_volume(lambda_emulator, client, name="w", size_gb=10)
    east = available_volume(lambda_emulator, client, name="e", size_gb=20, region="us-east-1")
    for name, vol in [("s2", west), ("s1", east), ("s3", west)]:
        ok(client.post("/v1/snapshots", json={"volume_id": vol["id"], "name": name}), 201)
    lambda_emulator.advance(SETTLE)
    ok(client.post("/v1/snapshots", json={"volume_id": east["id"], "name": "s0"}), 201)

    def names(**params: object) -> list[str]:
        return [s["name"] for s in ok(client.get("/v1/snapshots", params=params))]

    assert names() == ["s2", "s1", "s3", "s0"]
    assert names(sort="name") == ["s0", "s1", "s2", "s3"]
    assert names(sort="name", order="desc", status="completed") == ["s3", "s2", "s1"]
    assert names(region="us-east-1") == ["s1", "s0"]
    assert names(volume_id=west["id"], sort="created_at", order="desc") == ["s3", "s2"]
    assert names(status="pending") == ["s0"]
