"""``/v1/instances``: the reference's nine instance operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import (
    Call,
    OperationFamily,
    creates,
    lists,
    on_resource,
    on_resource_with_body,
)
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
    op(
        "POST",
        "/instances",
        "createInstance",
        "Create Instance",
        creates(instances.create_instance, instances.instance_view),
        body=S + "InstanceCreate",
        status=201,
    ),
    op(
        "GET",
        "/instances",
        "listInstances",
        "List Instances",
        lists(instances.list_instances),
        query=S + "InstanceListQuery",
        listing=True,
    ),
    op(
        "GET",
        "/instances/{id}",
        "getInstance",
        "Get Instance",
        on_resource(instances.read_instance, instances.instance_view),
    ),
    op(
        "PATCH",
        "/instances/{id}",
        "updateInstance",
        "Update Instance",
        on_resource_with_body(instances.update_instance, instances.instance_view),
        body=S + "InstanceUpdate",
    ),
    op(
        "DELETE",
        "/instances/{id}",
        "deleteInstance",
        "Delete Instance",
        on_resource(instances.delete_instance, instances.instance_view),
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
