"""``/v1/snapshots``: the reference's five snapshot operations."""

from __future__ import annotations

from lambda_emulator.http.declare import (
    OperationFamily,
    creates,
    lists,
    on_resource,
    on_resource_with_body,
)
from lambda_emulator.resources import snapshots, volumes

__all__ = ["OPERATIONS"]

S = "snapshots.json#/$defs/"
TAG = "Snapshots"
READ, WRITE = "snapshots:read", "snapshots:write"


op = OperationFamily(tag=TAG, read=READ, write=WRITE, response=S + "Snapshot")


OPERATIONS = [
    op(
        "POST",
        "/snapshots",
        "createSnapshot",
        "Create Snapshot",
        creates(snapshots.create_snapshot, snapshots.snapshot_view),
        body=S + "SnapshotCreate",
        status=201,
    ),
    op(
        "GET",
        "/snapshots",
        "listSnapshots",
        "List Snapshots",
        lists(snapshots.list_snapshots),
        query=S + "SnapshotListQuery",
        listing=True,
    ),
    op(
        "GET",
        "/snapshots/{id}",
        "getSnapshot",
        "Get Snapshot",
        on_resource(snapshots.read_snapshot, snapshots.snapshot_view),
    ),
    op(
        "DELETE",
        "/snapshots/{id}",
        "deleteSnapshot",
        "Delete Snapshot",
        on_resource(snapshots.delete_snapshot, snapshots.snapshot_view),
    ),
    op(
        "POST",
        "/snapshots/{id}/restore",
        "restoreSnapshot",
        "Restore Snapshot",
        on_resource_with_body(snapshots.restore_snapshot, volumes.volume_view, 201),
        body=S + "SnapshotRestore",
        response="volumes.json#/$defs/Volume",
        status=201,
        permission="volumes:write",
    ),
]
