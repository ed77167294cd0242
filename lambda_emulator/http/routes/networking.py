"""Networking: an instance's network info, firewall rules and VPNs (the reference's six
operations, plus getting and deleting one VPN)."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily, creates, lists, on_resource
from lambda_emulator.resources import firewall, instances, vpns

__all__ = ["OPERATIONS"]

S = "networking.json#/$defs/"
TAG = "Networking"
READ, WRITE = "networking:read", "networking:write"


def network_info(call: Call) -> Any:
    instance = instances.read_instance(call.rt, call.account_id, call.params["id"])
    return firewall.network_info(call.rt, instance)


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
        creates(firewall.create_rule, firewall.rule_view),
        body=S + "FirewallRuleCreate",
        response=S + "FirewallRule",
        status=201,
    ),
    op(
        "GET",
        "/firewall/rules",
        "listFirewallRules",
        "List Firewall Rules",
        lists(firewall.list_rules),
        query=S + "FirewallRuleListQuery",
        response=S + "FirewallRule",
        listing=True,
    ),
    op(
        "DELETE",
        "/firewall/rules/{id}",
        "deleteFirewallRule",
        "Delete Firewall Rule",
        on_resource(firewall.delete_rule, firewall.rule_view),
        response=S + "FirewallRule",
    ),
    op(
        "POST",
        "/vpn",
        "createVpn",
        "Create VPN",
        creates(vpns.create_vpn, vpns.vpn_view),
        body=S + "VpnCreate",
        response=S + "Vpn",
        status=201,
    ),
    op(
        "GET",
        "/vpn",
        "listVpns",
        "List VPNs",
        lists(vpns.list_vpns),
        query=S + "VpnListQuery",
        response=S + "Vpn",
        listing=True,
    ),
    op(
        "GET",
        "/vpn/{id}",
        "getVpn",
        "Get VPN",
        on_resource(vpns.read_vpn, vpns.vpn_view),
        response=S + "Vpn",
    ),
    op(
        "DELETE",
        "/vpn/{id}",
        "deleteVpn",
        "Delete VPN",
        on_resource(vpns.delete_vpn, vpns.vpn_view),
        response=S + "Vpn",
    ),
]
