"""``/v1/snapshots``: the reference's five snapshot operations."""

from __future__ import annotations

from lambda_emulator.http.declare import OperationFamily, on_resource_with_body
from lambda_emulator.resources import snapshots, volumes

__all__ = ["OPERATIONS"]

S = "snapshots.json#/$defs/"
TAG = "Snapshots"
READ, WRITE = "snapshots:read", "snapshots:write"


op = OperationFamily(tag=TAG, read=READ, write=WRITE, response=S + "Snapshot")


OPERATIONS = [
    *op.collection(
        "/snapshots",
        S,
        "Snapshot",
        snapshots.snapshot_view,
        create=snapshots.create_snapshot,
        page=snapshots.list_snapshots,
        get=snapshots.read_snapshot,
        delete=snapshots.delete_snapshot,
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
