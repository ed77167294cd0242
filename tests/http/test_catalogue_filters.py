"""List filters on catalogue values accept the catalogue alone (SPEC §13), like the bodies: the
enum comes from the fixtures through ``x-catalogue``, shared with the OpenAPI documents.
Found by schemathesis once the document listed the regions: ``?region=AAA`` answered 200."""

from __future__ import annotations

import httpx
import pytest

from lambda_emulator.catalog import load_catalog
from tests.support.envelope import err, ok


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/instances", "region"),
        ("/v1/instances", "instance_type"),
        ("/v1/instances", "image"),
        ("/v1/volumes", "region"),
        ("/v1/snapshots", "region"),
        ("/v1/vpn", "region"),
    ],
)
def test_an_unknown_catalogue_value_in_a_filter_is_a_400_naming_the_allowed_ones(
    client: httpx.Client, path: str, field: str
) -> None:
    error = err(client.get(path, params={field: "AAA"}), 400, "invalid_request")
    catalog = load_catalog()
    known = {"region": catalog.regions, "instance_type": catalog.instance_types}
    allowed = list(known.get(field, catalog.images))
    assert error["details"] == {"field": field, "value": "AAA", "allowed_values": allowed}
    assert ok(client.get(path, params={field: allowed[0]})) == []
