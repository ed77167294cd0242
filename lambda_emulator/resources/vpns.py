"""VPN gateways into a region's private network: ``pending`` → ``active``, deletable.

``cidr`` is the address pool handed to VPN clients. It must be a private IPv4 network between
/16 and /28 that does not overlap the region's private network nor another VPN of the account
in the same region; when omitted, a free /24 of 172.16.0.0/12 is chosen. The gateway's public
``endpoint`` is assigned when it becomes ``active``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from lambda_emulator.core.lifecycle import VPN
from lambda_emulator.core.network import VPN_ENDPOINT_POOL, pick_address
from lambda_emulator.engine import transitions
from lambda_emulator.engine.quotas import check_quota
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import Conflict, InvalidRequest
from lambda_emulator.resources.firewall import cidr_field
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "SPEC",
    "VPNS",
    "create_vpn",
    "delete_vpn",
    "get_vpn",
    "list_vpns",
    "read_vpn",
    "vpn_view",
]

VPNS = "vpns"
_DEFAULT_POOL = ipaddress.ip_network("172.16.0.0/12")


#: What the API shows of a stored document: the properties of its response schema.
vpn_view = PublicView("networking.json#/$defs/Vpn")


def _on_change(rt: Runtime, doc: Doc, previous: str | None) -> Doc:
    if doc["status"] == "active" and not doc.get("endpoint"):
        taken = {d["endpoint"] for d in rt.store.all(VPNS) if d.get("endpoint")}
        endpoint = pick_address(VPN_ENDPOINT_POOL, rt.rng("vpn-endpoint", doc["id"]), taken)
        doc = dict(doc, endpoint=endpoint)
    return doc


SPEC = transitions.Spec(
    lifecycle=VPN,
    table=VPNS,
    event_fields=("region", "cidr", "endpoint"),
    on_change=_on_change,
    view=vpn_view,
    filters=("status", "region", "name"),
)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _pick_pool(rt: Runtime, vpn_id: str, used: list[Network]) -> str:
    subnets = 1 << (24 - _DEFAULT_POOL.prefixlen)
    rng = rt.rng("vpn-cidr", vpn_id)
    start = rng.randrange(subnets)
    base = int(_DEFAULT_POOL.network_address)
    for step in range(subnets):
        candidate = ipaddress.ip_network((base + ((start + step) % subnets) * 256, 24))
        if not any(candidate.overlaps(u) for u in used):
            return str(candidate)
    raise Conflict("No free /24 is left in 172.16.0.0/12 for this region's VPNs")


def create_vpn(rt: Runtime, account_id: str, body: dict[str, Any]) -> Doc:
    region = body["region"]
    region_net = ipaddress.ip_network(rt.catalog.require("region", region)["private_cidr"])
    others = [d for d in rt.store.find(VPNS, account_id) if d["region"] == region]
    check_quota(rt, account_id, "vpns", 1)
    vpn_id = rt.new_id("vpn")
    if body.get("cidr") is None:
        cidr = _pick_pool(
            rt, vpn_id, [region_net, *(ipaddress.ip_network(d["cidr"]) for d in others)]
        )
    else:
        cidr = cidr_field(body["cidr"])
        net = ipaddress.ip_network(cidr)
        if net.version != 4 or not net.is_private or not 16 <= net.prefixlen <= 28:
            raise InvalidRequest(
                f"A VPN's cidr must be a private IPv4 network from /16 to /28; got '{cidr}'",
                {"field": "cidr", "value": cidr, "constraint": "private IPv4, prefix /16-/28"},
            )
        if net.overlaps(region_net):
            raise InvalidRequest(
                f"'{cidr}' overlaps {region}'s private network {region_net}",
                {"field": "cidr", "value": cidr, "constraint": f"no overlap with {region_net}"},
            )
        for other in others:
            if net.overlaps(ipaddress.ip_network(other["cidr"])):
                raise Conflict(
                    f"'{cidr}' overlaps VPN '{other['id']}' ({other['cidr']}) in {region}",
                    {
                        "field": "cidr",
                        "resource": "vpn",
                        "id": other["id"],
                        "constraint": "no overlap with the account's VPNs in the region",
                    },
                )
    doc: Doc = {
        "id": vpn_id,
        "account_id": account_id,
        "name": body["name"],
        "status": VPN.initial,
        "region": region,
        "cidr": cidr,
        "endpoint": None,
    }
    return transitions.create(rt, SPEC, doc)


get_vpn = SPEC.get
read_vpn = SPEC.read
list_vpns = SPEC.page


def delete_vpn(rt: Runtime, account_id: str, vpn_id: str) -> Doc:
    return transitions.act(rt, SPEC, get_vpn(rt, account_id, vpn_id), "delete")
