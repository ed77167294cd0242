"""``/v1/volumes``: the reference's seven storage operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, Result
from lambda_emulator.resources import volumes

__all__ = ["OPERATIONS"]

S = "volumes.json#/$defs/"
TAG = "Storage"
READ, WRITE = "volumes:read", "volumes:write"


def create(call: Call) -> Any:
    doc = volumes.create_volume(call.rt, call.account_id, call.body)
    return Result(volumes.volume_view(doc), status=201)


def list_(call: Call) -> Any:
    return volumes.list_volumes(call.rt, call.account_id, call.query)


def get(call: Call) -> Any:
    return volumes.volume_view(volumes.read_volume(call.rt, call.account_id, call.params["id"]))


def delete(call: Call) -> Any:
    return volumes.volume_view(volumes.delete_volume(call.rt, call.account_id, call.params["id"]))


def attach(call: Call) -> Any:
    doc = volumes.attach_volume(
        call.rt, call.account_id, call.params["id"], call.body["instance_id"]
    )
    return volumes.volume_view(doc)


def detach(call: Call) -> Any:
    return volumes.volume_view(volumes.detach_volume(call.rt, call.account_id, call.params["id"]))


def resize(call: Call) -> Any:
    doc = volumes.resize_volume(call.rt, call.account_id, call.params["id"], call.body["size_gb"])
    return volumes.volume_view(doc)


op = OperationFamily(tag=TAG, read=READ, write=WRITE, response=S + "Volume")


OPERATIONS = [
    op(
        "POST",
        "/volumes",
        "createVolume",
        "Create Volume",
        create,
        body=S + "VolumeCreate",
        status=201,
    ),
    op(
        "GET",
        "/volumes",
        "listVolumes",
        "List Volumes",
        list_,
        query=S + "VolumeListQuery",
        listing=True,
    ),
    op("GET", "/volumes/{id}", "getVolume", "Get Volume", get),
    op("DELETE", "/volumes/{id}", "deleteVolume", "Delete Volume", delete),
    op(
        "POST",
        "/volumes/{id}/attach",
        "attachVolume",
        "Attach Volume",
        attach,
        body=S + "VolumeAttach",
    ),
    op("POST", "/volumes/{id}/detach", "detachVolume", "Detach Volume", detach),
    op(
        "POST",
        "/volumes/{id}/resize",
        "resizeVolume",
        "Resize Volume",
        resize,
        body=S + "VolumeResize",
    ),
]
