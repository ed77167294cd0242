"""``/v1/volumes``: the reference's seven storage operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, on_resource
from lambda_emulator.resources import volumes

__all__ = ["OPERATIONS"]

S = "volumes.json#/$defs/"
TAG = "Storage"
READ, WRITE = "volumes:read", "volumes:write"


def attach(call: Call) -> Any:
    doc = volumes.attach_volume(
        call.rt, call.account_id, call.params["id"], call.body["instance_id"]
    )
    return volumes.volume_view(doc)


def resize(call: Call) -> Any:
    doc = volumes.resize_volume(call.rt, call.account_id, call.params["id"], call.body["size_gb"])
    return volumes.volume_view(doc)


op = OperationFamily(tag=TAG, read=READ, write=WRITE, response=S + "Volume")


OPERATIONS = [
    *op.collection(
        "/volumes",
        S,
        "Volume",
        volumes.volume_view,
        create=volumes.create_volume,
        page=volumes.list_volumes,
        get=volumes.read_volume,
        delete=volumes.delete_volume,
    ),
    op(
        "POST",
        "/volumes/{id}/attach",
        "attachVolume",
        "Attach Volume",
        attach,
        body=S + "VolumeAttach",
    ),
    op(
        "POST",
        "/volumes/{id}/detach",
        "detachVolume",
        "Detach Volume",
        on_resource(volumes.detach_volume, volumes.volume_view),
    ),
    op(
        "POST",
        "/volumes/{id}/resize",
        "resizeVolume",
        "Resize Volume",
        resize,
        body=S + "VolumeResize",
    ),
]
