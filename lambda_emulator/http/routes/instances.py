"""``/v1/instances``: the reference's nine instance operations."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, Result
from lambda_emulator.resources import instances

__all__ = ["OPERATIONS"]

S = "instances.json#/$defs/"
TAG = "Instances"
READ, WRITE = "instances:read", "instances:write"


def create(call: Call) -> Any:
    doc = instances.create_instance(call.rt, call.account_id, call.body)
    return Result(instances.instance_view(doc), status=201)


def list_(call: Call) -> Any:
    return instances.list_instances(call.rt, call.account_id, call.query)


def get(call: Call) -> Any:
    doc = instances.read_instance(call.rt, call.account_id, call.params["id"])
    return instances.instance_view(doc)


def update(call: Call) -> Any:
    doc = instances.update_instance(call.rt, call.account_id, call.params["id"], call.body)
    return instances.instance_view(doc)


def delete(call: Call) -> Any:
    return instances.instance_view(
        instances.delete_instance(call.rt, call.account_id, call.params["id"])
    )


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
        create,
        body=S + "InstanceCreate",
        status=201,
    ),
    op(
        "GET",
        "/instances",
        "listInstances",
        "List Instances",
        list_,
        query=S + "InstanceListQuery",
        listing=True,
    ),
    op("GET", "/instances/{id}", "getInstance", "Get Instance", get),
    op(
        "PATCH",
        "/instances/{id}",
        "updateInstance",
        "Update Instance",
        update,
        body=S + "InstanceUpdate",
    ),
    op("DELETE", "/instances/{id}", "deleteInstance", "Delete Instance", delete),
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
