"""List filters whose values form a closed set refuse anything outside it, naming the set.

An SDK that filters by a region the service does not have must hear so (a 400 with
``allowed_values``, as an unknown ``status`` already is), not get an empty list that looks
like "nothing there". The enums live in the query schemas, so the OpenAPI document shows them;
a test below keeps them equal to the fixture catalogues.
"""

from __future__ import annotations

import json

import httpx
import pytest

from lambda_emulator.catalog import load_catalog
from lambda_emulator.package_data import data_dir
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok

CATALOG = load_catalog()
REGIONS = list(CATALOG.regions)
TYPES = list(CATALOG.instance_types)
IMAGES = list(CATALOG.images)


@pytest.mark.parametrize(
    ("path", "name", "value", "allowed"),
    [
        ("/v1/instances", "region", "mars-north-1", REGIONS),
        ("/v1/instances", "instance_type", "compute-3x", TYPES),
        ("/v1/instances", "image", "windows-95", IMAGES),
        ("/v1/volumes", "region", "us-west-9", REGIONS),
        ("/v1/snapshots", "region", "US-WEST-1", REGIONS),
        ("/v1/vpn", "region", "", REGIONS),
        ("/v1/firewall/rules", "direction", "sideways", ["inbound", "outbound"]),
        ("/v1/firewall/rules", "protocol", "sctp", ["tcp", "udp", "icmp", "all"]),
        ("/v1/instances", "status", "exploded", None),
    ],
)
def test_a_value_outside_the_domain_is_a_400_with_allowed_values(
    client: httpx.Client, path: str, name: str, value: str, allowed: list[str] | None
) -> None:
    error = err(client.get(path, params={name: value}), 400, "invalid_request")
    details = error["details"]
    assert (details["field"], details["value"]) == (name, value)
    if allowed is not None:
        assert details["allowed_values"] == allowed
    else:
        assert value not in details["allowed_values"]


def test_the_delivery_filters_know_the_event_types(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as control:
        path = "/_emulator/webhooks/deliveries"
        error = err(
            control.get(path, params={"event_type": "instance.exploded"}), 400, "invalid_request"
        )
        assert "instance.created" in error["details"]["allowed_values"]
        ok(control.get(path, params={"event_type": "instance.created"}))


def test_known_values_filter_as_before(client: httpx.Client) -> None:
    created = ok(
        client.post(
            "/v1/instances",
            json={
                "name": "a",
                "instance_type": "compute-2x",
                "region": "eu-west-1",
                "image": "debian-12",
            },
        ),
        201,
    )
    for name, value, expected in [
        ("region", "eu-west-1", [created["id"]]),
        ("region", "us-west-1", []),
        ("instance_type", "compute-2x", [created["id"]]),
        ("image", "ubuntu-22.04", []),
    ]:
        listed = ok(client.get("/v1/instances", params={name: value}))
        assert [i["id"] for i in listed] == expected, (name, value)


def test_the_query_schemas_enumerate_exactly_the_catalogue() -> None:
    def query(file: str, name: str) -> dict[str, dict[str, object]]:
        doc = json.loads((data_dir("schemas") / file).read_text(encoding="utf-8"))
        props: dict[str, dict[str, object]] = doc["$defs"][name]["properties"]
        return props

    instances = query("instances.json", "InstanceListQuery")
    assert instances["region"]["enum"] == REGIONS
    assert instances["instance_type"]["enum"] == TYPES
    assert instances["image"]["enum"] == IMAGES
    for file, name in [
        ("volumes.json", "VolumeListQuery"),
        ("snapshots.json", "SnapshotListQuery"),
        ("networking.json", "VpnListQuery"),
    ]:
        assert query(file, name)["region"]["enum"] == REGIONS, name


def test_the_openapi_document_shows_the_domains(client: httpx.Client) -> None:
    doc = client.get("/v1/openapi.json").json()
    params = doc["paths"]["/instances"]["get"]["parameters"]
    region = next(p for p in params if p["name"] == "region")
    assert json.dumps(region).count("eu-west-1") == 1, region
