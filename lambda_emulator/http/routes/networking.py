"""Networking: an instance's network info, firewall rules and VPNs (the reference's six
operations, plus getting and deleting one VPN)."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import Call, OperationFamily
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
    *op.collection(
        "/firewall/rules",
        S,
        "FirewallRule",
        firewall.rule_view,
        create=firewall.create_rule,
        page=firewall.list_rules,
        delete=firewall.delete_rule,
    ),
    *op.collection(
        "/vpn",
        S,
        "Vpn",
        vpns.vpn_view,
        create=vpns.create_vpn,
        page=vpns.list_vpns,
        get=vpns.read_vpn,
        delete=vpns.delete_vpn,
        title="VPN",
    ),
]
