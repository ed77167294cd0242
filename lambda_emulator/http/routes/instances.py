"""``/v1/instances``: the reference's nine instance operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily
from lambda_emulator.resources import instances

__all__ = ["OPERATIONS"]

S = "instances.json#/$defs/"
TAG = "Instances"
READ, WRITE = "instances:read", "instances:write"


def _power(action: str) -> Any:
    def handler(call: Call) -> Any:
        doc = instances.power(call.rt, call.account_id, call.params["id"], action)
        return instances.instance_view(doc)

    handler.__name__ = action
    return handler


def resize(call: Call) -> Any:
    doc = instances.resize_instance(
        call.rt, call.account_id, call.params["id"], call.body["instance_type"]
    )
    return instances.instance_view(doc)


op = OperationFamily(tag=TAG, read=READ, write=WRITE, response=S + "Instance")


OPERATIONS = [
    *op.collection(
        "/instances",
        S,
        "Instance",
        instances.instance_view,
        create=instances.create_instance,
        page=instances.list_instances,
        get=instances.read_instance,
        update=instances.update_instance,
        delete=instances.delete_instance,
    ),
    op("POST", "/instances/{id}/start", "startInstance", "Start Instance", _power("start")),
    op("POST", "/instances/{id}/stop", "stopInstance", "Stop Instance", _power("stop")),
    op("POST", "/instances/{id}/restart", "restartInstance", "Restart Instance", _power("restart")),
    op(
        "POST",
        "/instances/{id}/resize",
        "resizeInstance",
        "Resize Instance",
        resize,
        body=S + "InstanceResize",
    ),
]
