"""Declarations of operations: the collection convention and the control plane's family."""

from __future__ import annotations

from typing import Any

from lambda_emulator.http.declare import CONTROL, OperationFamily
from lambda_emulator.runtime import Doc


def _service(*args: Any) -> Doc:
    return {}


def test_a_collection_names_its_operations_and_schemas_by_the_api_convention() -> None:
    family = OperationFamily(tag="T", read="t:read", write="t:write")
    ops = family.collection(
        "/firewall/rules",
        "networking.json#/$defs/",
        "FirewallRule",
        dict,
        create=_service,
        page=_service,
        delete=_service,
    )
    assert [(o.method, o.path, o.operation_id, o.summary) for o in ops] == [
        ("POST", "/firewall/rules", "createFirewallRule", "Create Firewall Rule"),
        ("GET", "/firewall/rules", "listFirewallRules", "List Firewall Rules"),
        ("DELETE", "/firewall/rules/{id}", "deleteFirewallRule", "Delete Firewall Rule"),
    ]
    create, listing, _ = ops
    assert create.body == "networking.json#/$defs/FirewallRuleCreate" and create.status == 201
    assert listing.query == "networking.json#/$defs/FirewallRuleListQuery" and listing.listing
    assert {o.response for o in ops} == {"networking.json#/$defs/FirewallRule"}
    assert [o.permission for o in ops] == ["t:write", "t:read", "t:write"]


def test_a_title_spells_the_noun_where_splitting_it_would_not() -> None:
    ops = OperationFamily(tag="T").collection(
        "/vpn", "x.json#/$defs/", "Vpn", dict, page=_service, get=_service, title="VPN"
    )
    assert [(o.operation_id, o.summary) for o in ops] == [
        ("listVpns", "List VPNs"),
        ("getVpn", "Get VPN"),
    ]


def test_a_clear_is_a_control_plane_delete_answering_cleared() -> None:
    op = CONTROL.clear("/things", "emulatorClearThings", "Delete every thing", lambda call: 3)
    assert (op.method, op.authenticated, op.tag) == ("DELETE", False, "Emulator control")
    assert op.response == "traffic.json#/$defs/Cleared"
