"""Firewall rules and an instance's network view.

A rule names an instance, or none to apply to every instance of the account. Rules take
effect at once (no lifecycle): creating one answers ``active``, deleting one answers it as
``deleted``. Rules naming an instance disappear with it (``firewall_rule.deleted`` each).
"""

from __future__ import annotations

from typing import Any

from lambda_emulator.core.network import NetworkValueError, format_ports, parse_cidr, parse_ports
from lambda_emulator.core.pagination import Page, page_of
from lambda_emulator.engine import transitions
from lambda_emulator.engine.events import emit
from lambda_emulator.engine.quotas import check_quota
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import Conflict, InvalidRequest, NotFound
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "FIREWALL_RULES",
    "cidr_field",
    "create_rule",
    "delete_rule",
    "list_rules",
    "network_info",
    "remove_for_instance",
    "rule_view",
]

FIREWALL_RULES = "firewall_rules"
_PORTED = ("tcp", "udp")


#: What the API shows of a stored document: the properties of its response schema.
rule_view = PublicView("networking.json#/$defs/FirewallRule")


def _event_data(doc: Doc) -> dict[str, Any]:
    return {
        "firewall_rule_id": doc["id"],
        "name": doc["name"],
        "instance_id": doc["instance_id"],
        "direction": doc["direction"],
        "protocol": doc["protocol"],
        "ports": doc["ports"],
        "cidr": doc["cidr"],
        "status": doc["status"],
    }


def _ports(protocol: str, ports: str | None) -> str | None:
    if ports is None:
        return None
    if protocol not in _PORTED:
        raise InvalidRequest(
            f"Protocol '{protocol}' has no ports; give ports only for tcp or udp",
            {"field": "ports", "value": ports, "constraint": "only with protocol tcp or udp"},
        )
    try:
        return format_ports(*parse_ports(ports))
    except NetworkValueError as exc:
        raise InvalidRequest(
            f"Invalid ports: {exc}",
            {"field": "ports", "value": ports, "constraint": exc.constraint},
        ) from None


def cidr_field(text: str, field: str = "cidr") -> str:
    try:
        return str(parse_cidr(text))
    except NetworkValueError as exc:
        raise InvalidRequest(
            f"Invalid {field}: {exc}", {"field": field, "value": text, "constraint": exc.constraint}
        ) from None


def create_rule(rt: Runtime, account_id: str, body: dict[str, Any]) -> Doc:
    instance_id = body.get("instance_id")
    if instance_id is not None:
        transitions.load_for(
            rt, transitions.INSTANCE_KIND, account_id, instance_id, "update", "instance_id"
        )
    protocol = body["protocol"]
    ports = _ports(protocol, body.get("ports"))
    cidr = cidr_field(body["cidr"])
    direction = body["direction"]
    same = (instance_id, direction, protocol, ports, cidr)
    for rule in rt.store.find(FIREWALL_RULES, account_id):
        key = (
            rule["instance_id"],
            rule["direction"],
            rule["protocol"],
            rule["ports"],
            rule["cidr"],
        )
        if key == same:
            raise Conflict(
                f"An identical rule already exists: '{rule['id']}'",
                {"resource": "firewall_rule", "id": rule["id"], "constraint": "unique rule"},
            )
    check_quota(rt, account_id, "firewall_rules", 1)
    now = rt.timestamp()
    doc: Doc = {
        "id": rt.new_id("fw"),
        "account_id": account_id,
        "name": body.get("name") or f"{direction}-{protocol}-{ports or 'all'}",
        "instance_id": instance_id,
        "direction": direction,
        "protocol": protocol,
        "ports": ports,
        "cidr": cidr,
        "description": body.get("description"),
        "status": "active",
        "created_at": now,
        "_seq": rt.next_seq(FIREWALL_RULES),
    }
    rt.store.put(FIREWALL_RULES, doc)
    emit(rt, account_id, "firewall_rule.created", _event_data(doc))
    return doc


FILTERS = ("instance_id", "direction", "protocol", "name")


def list_rules(rt: Runtime, account_id: str, query: dict[str, Any]) -> Page:
    return page_of(
        rt.store.find(FIREWALL_RULES, account_id), query, filters=FILTERS, view=rule_view
    )


def _delete(rt: Runtime, doc: Doc) -> Doc:
    rt.store.delete(FIREWALL_RULES, doc["id"])
    gone = dict(doc, status="deleted")
    emit(rt, doc["account_id"], "firewall_rule.deleted", _event_data(gone))
    return gone


def delete_rule(rt: Runtime, account_id: str, rule_id: str) -> Doc:
    doc = rt.store.get(FIREWALL_RULES, rule_id)
    if doc is None or doc.get("account_id") != account_id:
        raise NotFound(
            f"Firewall rule '{rule_id}' not found",
            {"field": "id", "value": rule_id, "resource": "firewall_rule"},
        )
    return _delete(rt, doc)


def remove_for_instance(rt: Runtime, account_id: str, instance_id: str) -> None:
    for doc in rt.store.find(FIREWALL_RULES, account_id):
        if doc["instance_id"] == instance_id:
            _delete(rt, doc)


def network_info(rt: Runtime, instance: Doc) -> dict[str, Any]:
    """The instance's addresses and every rule that applies to it (its own and account-wide),
    oldest first."""
    found = [
        r
        for r in rt.store.find(FIREWALL_RULES, instance["account_id"])
        if r["instance_id"] in (None, instance["id"])
    ]
    found.sort(key=lambda r: (r["created_at"], r["_seq"]))
    rules = [rule_view(r) for r in found]
    region = rt.catalog.regions[instance["region"]]
    return {
        "instance_id": instance["id"],
        "status": instance["status"],
        "region": instance["region"],
        "public_ip": instance["public_ip"],
        "private_ip": instance["private_ip"],
        "private_cidr": region["private_cidr"],
        "firewall_rules": rules,
    }


def on_instance_event(rt: Runtime, event: Doc) -> None:
    """A deleted instance takes its own rules with it (account-wide rules stay)."""
    if event["type"] == "instance.deleted":
        remove_for_instance(rt, event["account_id"], event["data"]["instance_id"])
