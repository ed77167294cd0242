"""Volumes: create, list, attach, detach, resize (grow only) and delete.

Rules between resources: a volume attaches only to an instance of the same account and region
that is not being deleted, to one instance at a time; an attached volume cannot be deleted;
a volume's meter runs from the moment it is ``available`` until it is gone.
"""

from __future__ import annotations

from typing import Any

from lambda_emulator.core.lifecycle import VOLUME
from lambda_emulator.engine import meters, quotas, transitions
from lambda_emulator.engine.events import emit
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import Conflict, InvalidRequest
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "SPEC",
    "VOLUMES",
    "attach_volume",
    "create_volume",
    "delete_volume",
    "detach_all",
    "detach_volume",
    "get_volume",
    "list_volumes",
    "read_volume",
    "resize_volume",
    "volume_view",
]

VOLUMES = "volumes"


#: What the API shows of a stored document: the properties of its response schema.
volume_view = PublicView("volumes.json#/$defs/Volume")


def _on_change(rt: Runtime, doc: Doc, previous: str | None) -> Doc:
    state = doc["status"]
    if previous == "creating" and state == "available":
        meters.open_storage_meter(rt, "volume", doc)
    if previous == "detaching" and state == "available":
        doc = dict(doc, instance_id=None)
    return doc


SPEC = transitions.Spec(
    lifecycle=VOLUME,
    table=VOLUMES,
    event_fields=("region", "size_gb", "instance_id"),
    on_change=_on_change,
    view=volume_view,
    filters=("status", "region", "instance_id", "name"),
)


def new_volume(
    rt: Runtime,
    account_id: str,
    *,
    name: str,
    size_gb: int,
    region: str,
    source_snapshot_id: str | None = None,
) -> Doc:
    """Check the quotas and create a volume (``creating``); used by create and restore."""
    rt.catalog.require("region", region)
    quotas.check_quota(rt, account_id, "volumes", 1)
    quotas.check_quota(rt, account_id, "storage_gb", size_gb)
    doc: Doc = {
        "id": rt.new_id("vol"),
        "account_id": account_id,
        "name": name,
        "status": VOLUME.initial,
        "size_gb": size_gb,
        "region": region,
        "instance_id": None,
        "source_snapshot_id": source_snapshot_id,
    }
    return transitions.create(rt, SPEC, doc)


def create_volume(rt: Runtime, account_id: str, body: dict[str, Any]) -> Doc:
    return new_volume(
        rt, account_id, name=body["name"], size_gb=int(body["size_gb"]), region=body["region"]
    )


get_volume = SPEC.get
read_volume = SPEC.read
list_volumes = SPEC.page


def _instance_for_attach(rt: Runtime, account_id: str, instance_id: str, volume: Doc) -> Doc:
    instance = transitions.load_for(
        rt, transitions.INSTANCE_KIND, account_id, instance_id, "attach_volume", "instance_id"
    )
    if instance["region"] != volume["region"]:
        raise InvalidRequest(
            f"Instance '{instance_id}' is in {instance['region']}; volume '{volume['id']}' is in "
            f"{volume['region']}: a volume attaches only to an instance in its own region",
            {
                "field": "instance_id",
                "value": instance_id,
                "constraint": "an instance in the volume's region",
                "instance_region": instance["region"],
                "volume_region": volume["region"],
            },
        )
    return instance


def attach_volume(rt: Runtime, account_id: str, volume_id: str, instance_id: str) -> Doc:
    doc = get_volume(rt, account_id, volume_id)
    if doc["status"] == "in-use" or doc["status"] == "attaching":
        raise Conflict(
            f"Volume '{volume_id}' is already attached to instance '{doc['instance_id']}'; "
            "detach it first",
            {
                "resource": "volume",
                "id": volume_id,
                "action": "attach",
                "current_state": doc["status"],
                "attached_to": doc["instance_id"],
                "allowed_actions": VOLUME.allowed_actions(doc["status"]),
            },
        )
    transitions.check(SPEC, doc, "attach")
    _instance_for_attach(rt, account_id, instance_id, doc)
    return transitions.act(rt, SPEC, doc, "attach", {"instance_id": instance_id})


def detach_volume(rt: Runtime, account_id: str, volume_id: str) -> Doc:
    doc = get_volume(rt, account_id, volume_id)
    return transitions.act(rt, SPEC, doc, "detach")


def detach_all(rt: Runtime, account_id: str, instance_id: str) -> None:
    """Detach every volume attached (or attaching) to an instance that is being deleted."""
    for doc in rt.store.find(VOLUMES, account_id):
        if doc["instance_id"] == instance_id and doc["status"] in VOLUME.actions["detach"]:
            transitions.act(rt, SPEC, doc, "detach")


def resize_volume(rt: Runtime, account_id: str, volume_id: str, size_gb: int) -> Doc:
    doc = get_volume(rt, account_id, volume_id)
    transitions.check(SPEC, doc, "resize")
    if size_gb <= doc["size_gb"]:
        raise InvalidRequest(
            f"A volume only grows: {size_gb} GB is not more than its {doc['size_gb']} GB",
            {
                "field": "size_gb",
                "value": size_gb,
                "constraint": {"exclusiveMinimum": doc["size_gb"]},
            },
        )
    quotas.check_quota(rt, account_id, "storage_gb", size_gb - int(doc["size_gb"]))
    new = dict(doc, size_gb=size_gb, updated_at=rt.timestamp())
    rt.store.put(VOLUMES, new)
    meters.open_storage_meter(
        rt, "volume", new
    )  # closes the meter at the old size and opens one at the new size
    data = dict(SPEC.event_data(new, doc["status"]), previous_size_gb=doc["size_gb"])
    emit(rt, account_id, "volume.resized", data)
    return new


def delete_volume(rt: Runtime, account_id: str, volume_id: str) -> Doc:
    doc = get_volume(rt, account_id, volume_id)
    if doc["status"] in ("in-use", "attaching"):
        raise Conflict(
            f"Volume '{volume_id}' is attached to instance '{doc['instance_id']}'; "
            "detach it before deleting it",
            {
                "resource": "volume",
                "id": volume_id,
                "action": "delete",
                "current_state": doc["status"],
                "attached_to": doc["instance_id"],
                "allowed_actions": VOLUME.allowed_actions(doc["status"]),
            },
        )
    return transitions.act(rt, SPEC, doc, "delete")


def on_instance_event(rt: Runtime, event: Doc) -> None:
    """An instance being deleted lets go of its volumes (after its own event is out)."""
    if event["type"] == "instance.deleting":
        detach_all(rt, event["account_id"], event["data"]["instance_id"])
