"""Networking over a real server: network info, firewall rules (validated and shown where they
apply), and VPNs with their own lifecycle."""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pytest

from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.events import assert_events_match_catalogue, event_types
from tests.support.resources import SETTLE, create_instance, running_instance

SSH = {"direction": "inbound", "protocol": "tcp", "ports": "22", "cidr": "0.0.0.0/0"}


def _rule(client: httpx.Client, **body: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.post("/v1/firewall/rules", json=body), 201)
    return data


def test_network_info_shows_addresses_and_the_rules_that_apply(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    web = running_instance(lambda_emulator, client, name="web")
    db = running_instance(lambda_emulator, client, name="db")
    everywhere = _rule(client, **SSH)
    own = _rule(
        client,
        instance_id=web["id"],
        direction="inbound",
        protocol="tcp",
        ports="8000-8100",
        cidr="203.0.113.0/24",
        description="app",
    )
    _rule(
        client,
        instance_id=db["id"],
        direction="inbound",
        protocol="tcp",
        ports="5432",
        cidr="10.10.0.0/16",
    )
    info = ok(client.get(f"/v1/instances/{web['id']}/network"))
    assert info == {
        "instance_id": web["id"],
        "status": "running",
        "region": "us-west-1",
        "public_ip": web["public_ip"],
        "private_ip": web["private_ip"],
        "private_cidr": "10.10.0.0/16",
        "firewall_rules": [everywhere, own],
    }
    assert own["name"] == "inbound-tcp-8000-8100" and own["status"] == "active"
    assert ipaddress.ip_address(info["private_ip"]) in ipaddress.ip_network("10.10.0.0/16")
    pending = create_instance(client, name="new")
    fresh = ok(client.get(f"/v1/instances/{pending['id']}/network"))
    assert (fresh["status"], fresh["public_ip"], len(fresh["firewall_rules"])) == (
        "pending",
        None,
        1,
    )
    err(client.get("/v1/instances/inst_nope/network"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SSH, "direction": "sideways"}, "direction"),
        ({**SSH, "protocol": "sctp"}, "protocol"),
        ({**SSH, "ports": "0"}, "ports"),
        ({**SSH, "ports": "65536"}, "ports"),
        ({**SSH, "ports": "9000-8000"}, "ports"),
        ({**SSH, "ports": "22,80"}, "ports"),
        ({**SSH, "protocol": "icmp"}, "ports"),
        ({**SSH, "protocol": "all"}, "ports"),
        ({**SSH, "cidr": "10.0.0.1/8"}, "cidr"),
        ({**SSH, "cidr": "10.0.0.0"}, "cidr"),
        ({**SSH, "cidr": "999.0.0.0/8"}, "cidr"),
        ({**SSH, "cidr": "10.0.0.0/33"}, "cidr"),
        ({k: v for k, v in SSH.items() if k != "cidr"}, "cidr"),
        ({**SSH, "action": "allow"}, "action"),
    ],
)
def test_rule_validation(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    error = err(client.post("/v1/firewall/rules", json=body), 400, "invalid_request")
    assert error["details"]["field"] == field
    assert ok(client.get("/v1/firewall/rules")) == []


@pytest.mark.parametrize(
    ("extra", "shown_ports", "cidr"),
    [
        ({"protocol": "icmp", "cidr": "0.0.0.0/0"}, None, "0.0.0.0/0"),
        ({"protocol": "udp", "ports": "53", "cidr": "10.0.0.0/8"}, "53", "10.0.0.0/8"),
        ({"protocol": "tcp", "cidr": "2001:DB8::/32"}, None, "2001:db8::/32"),
        ({"protocol": "all", "cidr": "192.0.2.0/24"}, None, "192.0.2.0/24"),
        ({"protocol": "tcp", "ports": "1-65535", "cidr": "0.0.0.0/0"}, "1-65535", "0.0.0.0/0"),
    ],
)
def test_valid_rules(
    client: httpx.Client, extra: dict[str, Any], shown_ports: str | None, cidr: str
) -> None:
    rule = _rule(client, direction="outbound", **extra)
    assert (rule["ports"], rule["cidr"], rule["instance_id"]) == (shown_ports, cidr, None)


def test_rule_naming_a_missing_or_foreign_instance_is_404(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    missing = err(
        client.post("/v1/firewall/rules", json={**SSH, "instance_id": "inst_x"}), 404, "not_found"
    )
    assert missing["details"]["field"] == "instance_id"
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as theirs:
        foreign = create_instance(theirs)
        theirs_rule = _rule(theirs, **SSH)
        assert ok(theirs.get("/v1/firewall/rules")) == [theirs_rule]
        err(client.delete(f"/v1/firewall/rules/{theirs_rule['id']}"), 404, "not_found")
    error = err(
        client.post("/v1/firewall/rules", json={**SSH, "instance_id": foreign["id"]}),
        404,
        "not_found",
    )
    assert error["details"]["field"] == "instance_id"
    assert ok(client.get("/v1/firewall/rules")) == []


def test_duplicate_rule_is_409(client: httpx.Client) -> None:
    first = _rule(client, **SSH)
    error = err(client.post("/v1/firewall/rules", json={**SSH, "name": "again"}), 409, "conflict")
    assert error["details"]["id"] == first["id"]


def test_delete_rule_and_events(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    rule = _rule(client, **SSH)
    deleted = ok(client.delete(f"/v1/firewall/rules/{rule['id']}"))
    assert deleted == {**rule, "status": "deleted"}
    err(client.delete(f"/v1/firewall/rules/{rule['id']}"), 404, "not_found")
    assert event_types(runtime, prefix="firewall_rule.") == [
        "firewall_rule.created",
        "firewall_rule.deleted",
    ]
    assert_events_match_catalogue(runtime)


def test_an_instances_rules_go_with_it(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = running_instance(lambda_emulator, client)
    _rule(client, **SSH)
    _rule(client, instance_id=instance["id"], **SSH)
    ok(client.delete(f"/v1/instances/{instance['id']}"))
    refused = err(
        client.post(
            "/v1/firewall/rules", json={**SSH, "cidr": "10.0.0.0/8", "instance_id": instance["id"]}
        ),
        409,
        "conflict",
    )
    assert refused["details"]["current_state"] == "deleting"
    lambda_emulator.advance(SETTLE)
    assert [r["instance_id"] for r in ok(client.get("/v1/firewall/rules"))] == [None]


def test_rule_list_filters_and_sorts(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    instance = create_instance(client)
    _rule(client, name="b", **SSH)
    _rule(
        client,
        name="a",
        instance_id=instance["id"],
        direction="outbound",
        protocol="udp",
        cidr="10.0.0.0/8",
    )
    _rule(client, name="c", direction="inbound", protocol="icmp", cidr="0.0.0.0/0")

    def names(**params: object) -> list[str]:
        return [r["name"] for r in ok(client.get("/v1/firewall/rules", params=params))]

    assert names() == ["b", "a", "c"]
    assert names(sort="name") == ["a", "b", "c"]
    assert names(direction="inbound", sort="name", order="desc") == ["c", "b"]
    assert names(instance_id=instance["id"]) == ["a"]
    assert names(protocol="icmp") == ["c"]


def test_firewall_rule_quota(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        for port in range(1, 21):
            _rule(c, direction="inbound", protocol="tcp", ports=str(port), cidr="0.0.0.0/0")
        error = err(c.post("/v1/firewall/rules", json=SSH | {"ports": "99"}), 403, "quota_exceeded")
        assert error["details"]["quota"] == "firewall_rules"


def test_vpn_lifecycle(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    vpn = ok(client.post("/v1/vpn", json={"name": "office", "region": "us-west-1"}), 201)
    assert (vpn["status"], vpn["endpoint"]) == ("pending", None)
    assert ipaddress.ip_network(vpn["cidr"]).subnet_of(ipaddress.ip_network("172.16.0.0/12"))
    lambda_emulator.advance(89)
    assert ok(client.get(f"/v1/vpn/{vpn['id']}"))["status"] == "pending"
    lambda_emulator.advance(1)
    active = ok(client.get(f"/v1/vpn/{vpn['id']}"))
    assert active["status"] == "active"
    assert ipaddress.ip_address(active["endpoint"]) in ipaddress.ip_network("198.51.100.0/24")
    assert ok(client.get("/v1/vpn")) == [active]
    assert ok(client.delete(f"/v1/vpn/{vpn['id']}"))["status"] == "deleting"
    again = err(client.delete(f"/v1/vpn/{vpn['id']}"), 409, "conflict")
    assert again["details"]["current_state"] == "deleting"
    lambda_emulator.advance(30)
    err(client.get(f"/v1/vpn/{vpn['id']}"), 404, "not_found")
    assert event_types(runtime, prefix="vpn.") == [
        "vpn.pending",
        "vpn.active",
        "vpn.deleting",
        "vpn.deleted",
    ]
    assert_events_match_catalogue(runtime)


@pytest.mark.parametrize(
    ("cidr", "status", "field"),
    [
        ("8.8.8.0/24", 400, "cidr"),
        ("10.10.5.0/24", 400, "cidr"),
        ("172.16.0.0/12", 400, "cidr"),
        ("192.168.0.0/30", 400, "cidr"),
        ("192.168.1.1/24", 400, "cidr"),
        ("fd00::/64", 400, "cidr"),
    ],
)
def test_vpn_cidr_rules(client: httpx.Client, cidr: str, status: int, field: str) -> None:
    error = err(
        client.post("/v1/vpn", json={"name": "v", "region": "us-west-1", "cidr": cidr}),
        status,
        "invalid_request",
    )
    assert error["details"]["field"] == field


def test_vpn_overlap_region_and_quota(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    first = ok(
        client.post("/v1/vpn", json={"name": "a", "region": "us-west-1", "cidr": "192.168.0.0/24"}),
        201,
    )
    overlap = err(
        client.post(
            "/v1/vpn", json={"name": "b", "region": "us-west-1", "cidr": "192.168.0.128/25"}
        ),
        409,
        "conflict",
    )
    assert overlap["details"]["id"] == first["id"]
    ok(
        client.post("/v1/vpn", json={"name": "c", "region": "eu-west-1", "cidr": "192.168.0.0/24"}),
        201,
    )
    region = err(
        client.post("/v1/vpn", json={"name": "d", "region": "mars"}), 400, "invalid_request"
    )
    assert region["details"]["field"] == "region"
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        ok(c.post("/v1/vpn", json={"name": "only", "region": "us-west-1"}), 201)
        assert (
            err(
                c.post("/v1/vpn", json={"name": "two", "region": "us-east-1"}),
                403,
                "quota_exceeded",
            )["details"]["quota"]
            == "vpns"
        )


def test_vpn_list_filters(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    for name, region in [("b", "us-west-1"), ("a", "eu-west-1")]:
        ok(client.post("/v1/vpn", json={"name": name, "region": region}), 201)
    lambda_emulator.advance(SETTLE)
    ok(client.post("/v1/vpn", json={"name": "c", "region": "us-west-1"}), 201)
    names = lambda **p: [v["name"] for v in ok(client.get("/v1/vpn", params=p))]  # noqa: E731
    assert names() == ["b", "a", "c"]
    assert names(sort="name", order="desc") == ["c", "b", "a"]
    assert names(status="active", region="us-west-1") == ["b"]
    assert names(status="pending") == ["c"]
