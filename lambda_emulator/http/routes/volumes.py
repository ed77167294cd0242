"""``/v1/volumes``: the reference's seven storage operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.operations import Call, Operation, Result
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


def _op(method: str, path: str, name: str, summary: str, handler: Any, **kw: Any) -> Operation:
    kw.setdefault("permission", WRITE if method != "GET" else READ)
    kw.setdefault("response", S + "Volume")
    return Operation(method, path, name, summary, TAG, handler, **kw)


OPERATIONS = [
    _op(
        "POST",
        "/volumes",
        "createVolume",
        "Create Volume",
        create,
        body=S + "VolumeCreate",
        status=201,
    ),
    _op(
        "GET",
        "/volumes",
        "listVolumes",
        "List Volumes",
        list_,
        query=S + "VolumeListQuery",
        listing=True,
    ),
    _op("GET", "/volumes/{id}", "getVolume", "Get Volume", get),
    _op("DELETE", "/volumes/{id}", "deleteVolume", "Delete Volume", delete),
    _op(
        "POST",
        "/volumes/{id}/attach",
        "attachVolume",
        "Attach Volume",
        attach,
        body=S + "VolumeAttach",
    ),
    _op("POST", "/volumes/{id}/detach", "detachVolume", "Detach Volume", detach),
    _op(
        "POST",
        "/volumes/{id}/resize",
        "resizeVolume",
        "Resize Volume",
        resize,
        body=S + "VolumeResize",
    ),
]
