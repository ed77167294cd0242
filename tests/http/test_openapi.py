"""``/v1/openapi.json``: a valid OpenAPI 3.1 document built from the schema files."""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate

from lambda_emulator.testing.pytest_plugin import EmulatorHandle


def test_openapi_document_is_valid_and_needs_no_key(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        response = raw.get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    # the same bytes on any port: servers names serve's default address, not this one
    assert [s["url"] for s in document["servers"]] == ["http://127.0.0.1:8787/v1"]
    account = document["paths"]["/account"]
    assert set(account) == {"get", "patch"}
    body = account["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/AccountUpdate"}
    assert "AccountUpdate" in document["components"]["schemas"]
    params = {p["name"] for p in document["paths"]["/account/api-keys"]["get"]["parameters"]}
    assert params == {"page", "limit", "sort", "order"}


def test_every_ref_in_the_document_resolves(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        document = raw.get("/v2/openapi.json").json()
    names = {
        f"#/components/{kind}/{name}"
        for kind, entries in document["components"].items()
        for name in entries
    }

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                assert ref in names, ref
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def test_creates_link_to_the_operations_on_their_id(client: httpx.Client) -> None:
    """The links the stateful fuzzer follows: data.id of a 201 into every {id} operation."""
    paths = client.get("/v1/openapi.json").json()["paths"]
    links = paths["/instances"]["post"]["responses"]["201"]["links"]
    assert {"getInstance", "deleteInstance", "startInstance", "getMetrics"} <= set(links)
    assert links["getInstance"]["parameters"] == {"path.id": "$response.body#/data/id"}
    volume_links = paths["/volumes"]["post"]["responses"]["201"]["links"]
    assert volume_links["createSnapshot"]["requestBody"] == {"volume_id": "$response.body#/data/id"}
    assert "links" not in paths["/instances/{id}/start"]["post"]["responses"]["200"]
