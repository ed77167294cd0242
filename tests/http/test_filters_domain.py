"""List filters whose values form a closed set refuse anything outside it, naming the set.

An SDK that filters by a region the service does not have must hear so (a 400 with
``allowed_values``, as an unknown ``status`` already is), not get an empty list that looks
like "nothing there". The enums live in the query schemas, so the OpenAPI document shows them;
a test below keeps them equal to the fixture catalogues.
"""

from __future__ import annotations

import httpx
import pytest

from lambda_emulator.catalog import load_catalog
from lambda_emulator.http.validation import SchemaSet
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
        ("/v1/vpn", "region", "ap-south-1", REGIONS),
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
    # the filters name the catalogue's components, whose values come from fixtures/
    schemas = SchemaSet(catalog=load_catalog())

    def domain(ref: str) -> object:
        schema = schemas.resolve(ref)
        while "$ref" in schema:
            schema = schemas.resolve(str(schema["$ref"]))
        return schema["enum"]

    for file, name, field, values in [
        ("instances.json", "InstanceListQuery", "region", REGIONS),
        ("instances.json", "InstanceListQuery", "instance_type", TYPES),
        ("instances.json", "InstanceListQuery", "image", IMAGES),
        ("volumes.json", "VolumeListQuery", "region", REGIONS),
        ("snapshots.json", "SnapshotListQuery", "region", REGIONS),
        ("networking.json", "VpnListQuery", "region", REGIONS),
    ]:
        assert domain(f"{file}#/$defs/{name}/properties/{field}") == values, (name, field)


def test_the_openapi_document_shows_the_domains(client: httpx.Client) -> None:
    doc = client.get("/v1/openapi.json").json()
    params = doc["paths"]["/instances"]["get"]["parameters"]
    region = next(p for p in params if p["name"] == "region")
    assert region["schema"] == {"$ref": "#/components/schemas/Region"}
    assert doc["components"]["schemas"]["Region"]["enum"] == REGIONS
