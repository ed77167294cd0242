"""Networking: an instance's network info, firewall rules and VPNs (the reference's six
operations, plus getting and deleting one VPN)."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, Result
from lambda_emulator.resources import firewall, instances, vpns

__all__ = ["OPERATIONS"]

S = "networking.json#/$defs/"
TAG = "Networking"
READ, WRITE = "networking:read", "networking:write"


def network_info(call: Call) -> Any:
    instance = instances.read_instance(call.rt, call.account_id, call.params["id"])
    return firewall.network_info(call.rt, instance)


def create_rule(call: Call) -> Any:
    doc = firewall.create_rule(call.rt, call.account_id, call.body)
    return Result(firewall.rule_view(doc), status=201)


def list_rules(call: Call) -> Any:
    return firewall.list_rules(call.rt, call.account_id, call.query)


def delete_rule(call: Call) -> Any:
    return firewall.rule_view(firewall.delete_rule(call.rt, call.account_id, call.params["id"]))


def create_vpn(call: Call) -> Any:
    return Result(vpns.vpn_view(vpns.create_vpn(call.rt, call.account_id, call.body)), status=201)


def list_vpns(call: Call) -> Any:
    return vpns.list_vpns(call.rt, call.account_id, call.query)


def get_vpn(call: Call) -> Any:
    return vpns.vpn_view(vpns.read_vpn(call.rt, call.account_id, call.params["id"]))


def delete_vpn(call: Call) -> Any:
    return vpns.vpn_view(vpns.delete_vpn(call.rt, call.account_id, call.params["id"]))


op = OperationFamily(tag=TAG, read=READ, write=WRITE)


OPERATIONS = [
    op(
        "GET",
        "/instances/{id}/network",
        "getNetworkInfo",
        "Get Network Info",
        network_info,
        response=S + "NetworkInfo",
    ),
    op(
        "POST",
        "/firewall/rules",
        "createFirewallRule",
        "Create Firewall Rule",
        create_rule,
        body=S + "FirewallRuleCreate",
        response=S + "FirewallRule",
        status=201,
    ),
    op(
        "GET",
        "/firewall/rules",
        "listFirewallRules",
        "List Firewall Rules",
        list_rules,
        query=S + "FirewallRuleListQuery",
        response=S + "FirewallRule",
        listing=True,
    ),
    op(
        "DELETE",
        "/firewall/rules/{id}",
        "deleteFirewallRule",
        "Delete Firewall Rule",
        delete_rule,
        response=S + "FirewallRule",
    ),
    op(
        "POST",
        "/vpn",
        "createVpn",
        "Create VPN",
        create_vpn,
        body=S + "VpnCreate",
        response=S + "Vpn",
        status=201,
    ),
    op(
        "GET",
        "/vpn",
        "listVpns",
        "List VPNs",
        list_vpns,
        query=S + "VpnListQuery",
        response=S + "Vpn",
        listing=True,
    ),
    op("GET", "/vpn/{id}", "getVpn", "Get VPN", get_vpn, response=S + "Vpn"),
    op("DELETE", "/vpn/{id}", "deleteVpn", "Delete VPN", delete_vpn, response=S + "Vpn"),
]
