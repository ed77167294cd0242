"""``/v1/snapshots``: the reference's five snapshot operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, Result
from lambda_emulator.resources import snapshots, volumes

__all__ = ["OPERATIONS"]

S = "snapshots.json#/$defs/"
TAG = "Snapshots"
READ, WRITE = "snapshots:read", "snapshots:write"


def create(call: Call) -> Any:
    doc = snapshots.create_snapshot(call.rt, call.account_id, call.body)
    return Result(snapshots.snapshot_view(doc), status=201)


def list_(call: Call) -> Any:
    return snapshots.list_snapshots(call.rt, call.account_id, call.query)


def get(call: Call) -> Any:
    doc = snapshots.read_snapshot(call.rt, call.account_id, call.params["id"])
    return snapshots.snapshot_view(doc)


def delete(call: Call) -> Any:
    doc = snapshots.delete_snapshot(call.rt, call.account_id, call.params["id"])
    return snapshots.snapshot_view(doc)


def restore(call: Call) -> Any:
    doc = snapshots.restore_snapshot(call.rt, call.account_id, call.params["id"], call.body)
    return Result(volumes.volume_view(doc), status=201)


op = OperationFamily(tag=TAG, read=READ, write=WRITE, response=S + "Snapshot")


OPERATIONS = [
    op(
        "POST",
        "/snapshots",
        "createSnapshot",
        "Create Snapshot",
        create,
        body=S + "SnapshotCreate",
        status=201,
    ),
    op(
        "GET",
        "/snapshots",
        "listSnapshots",
        "List Snapshots",
        list_,
        query=S + "SnapshotListQuery",
        listing=True,
    ),
    op("GET", "/snapshots/{id}", "getSnapshot", "Get Snapshot", get),
    op("DELETE", "/snapshots/{id}", "deleteSnapshot", "Delete Snapshot", delete),
    op(
        "POST",
        "/snapshots/{id}/restore",
        "restoreSnapshot",
        "Restore Snapshot",
        restore,
        body=S + "SnapshotRestore",
        response="volumes.json#/$defs/Volume",
        status=201,
        permission="volumes:write",
    ),
]
