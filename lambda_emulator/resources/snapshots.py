"""Snapshots: point-in-time copies of a volume, kept after the volume is gone, restorable.

A snapshot records its volume's id, size and region when it is taken, so deleting the volume
later changes nothing about it: it can still be listed, filtered by ``volume_id`` and restored.
Restoring makes a new volume in the snapshot's region with the snapshot's size.
"""

from __future__ import annotations

from typing import Any

from lambda_emulator.core.lifecycle import SNAPSHOT
from lambda_emulator.engine import meters, transitions
from lambda_emulator.engine.events import emit
from lambda_emulator.engine.fake_values import faker_for
from lambda_emulator.engine.quotas import check_quota
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import InvalidRequest
from lambda_emulator.resources import volumes
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "SNAPSHOTS",
    "SPEC",
    "create_snapshot",
    "delete_snapshot",
    "get_snapshot",
    "list_snapshots",
    "read_snapshot",
    "restore_snapshot",
    "snapshot_view",
]

SNAPSHOTS = "snapshots"


#: What the API shows of a stored document: the properties of its response schema.
snapshot_view = PublicView("snapshots.json#/$defs/Snapshot")


def _on_change(rt: Runtime, doc: Doc, previous: str | None) -> Doc:
    state = doc["status"]
    if previous == "pending" and state == "completed":
        doc = dict(doc, completed_at=rt.timestamp())
        meters.open_storage_meter(rt, "snapshot", doc)
    return doc


SPEC = transitions.Spec(
    lifecycle=SNAPSHOT,
    table=SNAPSHOTS,
    event_fields=("volume_id", "region", "size_gb"),
    on_change=_on_change,
    view=snapshot_view,
    filters=("status", "region", "volume_id", "name"),
)


def _default_name(rt: Runtime, volume: Doc, snapshot_id: str) -> str:
    """``<volume name>-<date>-<word>``: readable, unique enough, deterministic by the seed."""
    word = faker_for(rt, "snapshot-name", snapshot_id).word()
    return f"{volume['name']}-{rt.now():%Y%m%d}-{word}"[:128]


def create_snapshot(rt: Runtime, account_id: str, body: dict[str, Any]) -> Doc:
    volume = volumes.get_volume(rt, account_id, body["volume_id"], field="volume_id")
    transitions.check(volumes.SPEC, volume, "snapshot")
    check_quota(rt, account_id, "snapshots", 1)
    snapshot_id = rt.new_id("snap")
    doc: Doc = {
        "id": snapshot_id,
        "account_id": account_id,
        "name": body.get("name") or _default_name(rt, volume, snapshot_id),
        "status": SNAPSHOT.initial,
        "volume_id": volume["id"],
        "size_gb": int(volume["size_gb"]),
        "region": volume["region"],
        "completed_at": None,
    }
    return transitions.create(rt, SPEC, doc)


get_snapshot = SPEC.get
read_snapshot = SPEC.read
list_snapshots = SPEC.page


def restore_snapshot(rt: Runtime, account_id: str, snapshot_id: str, body: dict[str, Any]) -> Doc:
    """A new volume from the snapshot, in the snapshot's region, of the snapshot's size."""
    doc = get_snapshot(rt, account_id, snapshot_id)
    transitions.check(SPEC, doc, "restore")
    size_gb = int(body.get("size_gb") or doc["size_gb"])
    if size_gb < int(doc["size_gb"]):
        raise InvalidRequest(
            f"A volume restored from a {doc['size_gb']} GB snapshot needs at least "
            f"{doc['size_gb']} GB",
            {"field": "size_gb", "value": size_gb, "constraint": {"minimum": doc["size_gb"]}},
        )
    volume = volumes.new_volume(
        rt,
        account_id,
        name=body.get("name") or f"{doc['name']}-restored"[:128],
        size_gb=size_gb,
        region=doc["region"],
        source_snapshot_id=doc["id"],
    )
    data = dict(SPEC.event_data(doc, doc["status"]), restored_volume_id=volume["id"])
    emit(rt, account_id, "snapshot.restored", data)
    return volume


def delete_snapshot(rt: Runtime, account_id: str, snapshot_id: str) -> Doc:
    doc = get_snapshot(rt, account_id, snapshot_id)
    return transitions.act(rt, SPEC, doc, "delete")
