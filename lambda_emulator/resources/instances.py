"""Instances: create, read, list, update, the power actions, resize and delete.

Side effects of the lifecycle live in ``_on_change``: an instance gets its public address when
it first runs (kept until it is deleted), its billing meter is open exactly while it is
``running`` or ``restarting``, and deleting it detaches its volumes at once (they settle in
``available``) and removes the firewall rules that name it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from lambda_emulator.core.lifecycle import GONE, INSTANCE
from lambda_emulator.core.network import PRIVATE_RESERVED, PUBLIC_POOL, pick_address
from lambda_emulator.core.pagination import Page
from lambda_emulator.engine import meters, quotas, transitions
from lambda_emulator.engine.events import emit
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import InvalidRequest
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "INSTANCES",
    "SPEC",
    "create_instance",
    "delete_instance",
    "get_instance",
    "instance_view",
    "list_instances",
    "power",
    "read_instance",
    "resize_instance",
    "update_instance",
]

INSTANCES = "instances"
#: States in which an instance is billed (a restart does not stop the meter).
BILLED_STATES = ("running", "restarting")


#: What the API shows of a stored document: the properties of its response schema.
instance_view = PublicView("instances.json#/$defs/Instance")


def _public_ips(rt: Runtime) -> Counter[str]:
    """Public addresses held by live instances (all accounts: the pool is shared)."""
    index = rt.caches.public_ips
    if index is None:
        index = Counter(d["public_ip"] for d in rt.store.all(INSTANCES) if d.get("public_ip"))
        rt.caches.public_ips = index
    return index


def _private_ips(rt: Runtime, region: str) -> set[str]:
    index = rt.caches.private_ips
    if index is None:
        index = {}
        for d in rt.store.all(INSTANCES):
            index.setdefault(d["region"], set()).add(d["private_ip"])
        rt.caches.private_ips = index
    return index.setdefault(region, set())


def _on_change(rt: Runtime, doc: Doc, previous: str | None) -> Doc:
    state = doc["status"]
    if state == "running" and not doc.get("public_ip"):
        taken = _public_ips(rt)
        ip = pick_address(PUBLIC_POOL, rt.rng("public-ip", doc["id"]), taken)
        taken[ip] += 1
        doc = dict(doc, public_ip=ip)
    billed = bool(meters.open_meters(rt, doc["id"]))
    if state in BILLED_STATES and not billed:
        itype = doc["instance_type"]
        meters.open_meter(
            rt,
            doc["account_id"],
            "instance",
            doc["id"],
            sku=itype,
            quantity=1,
            unit="hour",
            description=f"Instance {doc['name']} ({itype})",
        )
    elif state not in BILLED_STATES and billed:
        meters.close_meter(rt, doc["id"])
    if state == GONE:
        if doc.get("public_ip"):
            taken = _public_ips(rt)
            taken[doc["public_ip"]] -= 1
            if taken[doc["public_ip"]] <= 0:
                del taken[doc["public_ip"]]
        _private_ips(rt, doc["region"]).discard(doc["private_ip"])
    return doc


SPEC = transitions.Spec(
    lifecycle=INSTANCE,
    table=transitions.INSTANCE_KIND.table,
    event_fields=("region", "instance_type", "public_ip", "private_ip"),
    on_change=_on_change,
    view=instance_view,
    filters=("status", "region", "instance_type", "image", "name"),
)


def create_instance(rt: Runtime, account_id: str, body: dict[str, Any]) -> Doc:
    itype = rt.catalog.require("instance_type", body["instance_type"])
    region = rt.catalog.require("region", body["region"])
    rt.catalog.require("image", body["image"])
    quotas.check_quota(rt, account_id, "instances", 1)
    quotas.check_quota(rt, account_id, "vcpus", int(itype["vcpus"]))
    instance_id = rt.new_id("inst")
    taken = _private_ips(rt, body["region"])
    private_ip = pick_address(
        region["private_cidr"],
        rt.rng("private-ip", instance_id),
        taken,
        reserved_low=PRIVATE_RESERVED,
    )
    taken.add(private_ip)
    doc: Doc = {
        "id": instance_id,
        "account_id": account_id,
        "name": body["name"],
        "status": INSTANCE.initial,
        "instance_type": itype["id"],
        "vcpus": int(itype["vcpus"]),
        "memory_gb": int(itype["memory_gb"]),
        "region": body["region"],
        "image": body["image"],
        "ssh_keys": list(body.get("ssh_keys", [])),
        "tags": dict(body.get("tags", {})),
        "public_ip": None,
        "private_ip": private_ip,
    }
    return transitions.create(rt, SPEC, doc)


get_instance = SPEC.get
read_instance = SPEC.read


def list_instances(rt: Runtime, account_id: str, query: dict[str, Any]) -> Page:
    """Like every list, plus ``tag``: ``key`` (has the tag) or ``key:value``."""
    docs = rt.store.find(INSTANCES, account_id)
    tag = query.get("tag")
    if tag is not None:
        key, _, value = tag.partition(":")
        docs = [d for d in docs if key in d["tags"] and (not value or d["tags"][key] == value)]
    return SPEC.page_from(docs, query)


def update_instance(rt: Runtime, account_id: str, instance_id: str, body: dict[str, Any]) -> Doc:
    doc = get_instance(rt, account_id, instance_id)
    transitions.check(SPEC, doc, "update")
    new = dict(doc, updated_at=rt.timestamp())
    if "name" in body:
        new["name"] = body["name"]
    if "tags" in body:
        new["tags"] = dict(body["tags"])
    rt.store.put(INSTANCES, new)
    emit(rt, account_id, "instance.updated", SPEC.event_data(new, doc["status"]))
    return new


def power(rt: Runtime, account_id: str, instance_id: str, action: str) -> Doc:
    """``start``, ``stop`` or ``restart``."""
    doc = get_instance(rt, account_id, instance_id)
    return transitions.act(rt, SPEC, doc, action)


def resize_instance(rt: Runtime, account_id: str, instance_id: str, new_type: str) -> Doc:
    doc = get_instance(rt, account_id, instance_id)
    transitions.check(SPEC, doc, "resize")
    rt.catalog.require("instance_type", new_type)
    if new_type == doc["instance_type"]:
        raise InvalidRequest(
            f"Instance '{instance_id}' is already of type '{new_type}'",
            {"field": "instance_type", "value": new_type, "constraint": "a different type"},
        )
    itype = rt.catalog.instance_types[new_type]
    grow = int(itype["vcpus"]) - int(doc["vcpus"])
    if grow > 0:
        quotas.check_quota(rt, account_id, "vcpus", grow)
    changes = {
        "instance_type": new_type,
        "vcpus": int(itype["vcpus"]),
        "memory_gb": int(itype["memory_gb"]),
    }
    return transitions.act(rt, SPEC, doc, "resize", changes)


def delete_instance(rt: Runtime, account_id: str, instance_id: str) -> Doc:
    doc = get_instance(rt, account_id, instance_id)
    return transitions.act(rt, SPEC, doc, "delete")
