"""What SPEC §14 promises of both documents, checked on the documents a real emulator serves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from lambda_emulator.catalog import load_catalog
from lambda_emulator.core.lifecycle import EVENT_TYPES, LIFECYCLES
from lambda_emulator.http.openapi_public import GUARDS
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.contract.conftest import PATHS

OPERATION_IDS = """getAccount updateAccount getQuota createApiKey listApiKeys deleteApiKey
createInstance listInstances getInstance updateInstance deleteInstance startInstance
stopInstance restartInstance resizeInstance createVolume listVolumes getVolume deleteVolume
attachVolume detachVolume resizeVolume createSnapshot listSnapshots getSnapshot deleteSnapshot
restoreSnapshot getNetworkInfo createFirewallRule listFirewallRules deleteFirewallRule createVpn
listVpns getVpn deleteVpn getMetrics streamMetrics getUsage listInvoices getInvoice estimateCost
createWebhook listWebhooks getWebhook updateWebhook deleteWebhook pingWebhook
listWebhookDeliveries getWebhookDelivery redeliverWebhookDelivery""".split()  # noqa: SIM905
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method, path, op


def _walk(node: Any, visit: Callable[[list[str], dict[str, Any]], None], at: list[str]) -> None:
    if isinstance(node, dict):
        visit(at, node)
        for key, value in node.items():
            _walk(value, visit, [*at, key])
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk(value, visit, [*at, str(i)])


@pytest.mark.parametrize("name", PATHS)
def test_the_same_bytes_on_any_port_and_seed(
    name: str, documents: dict[str, bytes], make_emulator: Callable[..., EmulatorHandle]
) -> None:
    other = make_emulator(seed=12345)
    with httpx.Client(base_url=other.url.replace("127.0.0.1", "localhost")) as raw:
        assert raw.get(PATHS[name]).content == documents[name]
    validate(json.loads(documents[name]))


@pytest.mark.parametrize("name", PATHS)
def test_every_operation_is_described_and_tagged(name: str, documents: dict[str, bytes]) -> None:
    doc = json.loads(documents[name])
    declared = {tag["name"] for tag in doc["tags"]}
    ids = []
    for method, path, op in _operations(doc):
        assert op["summary"] and op["description"], (method, path)
        assert len(op["tags"]) == 1 and op["tags"][0] in declared, (method, path)
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids))
    assert doc["info"]["license"]["identifier"] == "Apache-2.0"
    if name == "public":
        assert sorted(ids) == sorted(OPERATION_IDS)


@pytest.mark.parametrize("name", PATHS)
def test_every_enum_is_a_named_component_and_every_component_is_used(
    name: str, documents: dict[str, bytes]
) -> None:
    doc = json.loads(documents[name])
    inline: list[str] = []
    refs: set[str] = set()

    def visit(at: list[str], node: dict[str, Any]) -> None:
        if "enum" in node and not (len(at) == 3 and at[:2] == ["components", "schemas"]):
            inline.append("/".join(at))
        if isinstance(node.get("$ref"), str):
            refs.add(node["$ref"])

    _walk(doc, visit, [])
    assert not inline, inline
    published = {
        f"#/components/{kind}/{n}"
        for kind in ("schemas", "headers")
        for n in doc["components"][kind]
    }
    assert published == refs & published == published - (published - refs)


def test_timestamps_catalogue_and_created_key(documents: dict[str, bytes]) -> None:
    schemas = json.loads(documents["public"])["components"]["schemas"]
    assert schemas["Timestamp"]["format"] == "date-time"
    assert schemas["Instance"]["properties"]["created_at"] == {
        "$ref": "#/components/schemas/Timestamp"
    }
    catalog = load_catalog()
    assert schemas["Region"]["enum"] == list(catalog.regions)
    assert schemas["InstanceType"]["enum"] == list(catalog.instance_types)
    assert schemas["Image"]["enum"] == list(catalog.images)
    created = schemas["ApiKeyCreated"]["allOf"][1]
    assert created["required"] == ["key"] and "key" in created["properties"]
    internal = {"Jobs", "Tables", "StateDocument", "Fault", "Clock", "JournalEntry", "Mode"}
    assert not internal & set(schemas)


def test_lifecycle_conflicts_come_from_the_lifecycle_tables(documents: dict[str, bytes]) -> None:
    doc = json.loads(documents["public"])
    by_id = {op["operationId"]: op for _, _, op in _operations(doc)}
    for operation_id, guards in GUARDS.items():
        op = by_id[operation_id]
        refusing = [
            g
            for g in guards
            if set(LIFECYCLES[g.split(".")[0]].states)
            - set(LIFECYCLES[g.split(".")[0]].actions[g.split(".")[1]])
        ]
        assert bool(refusing) == (
            "conflict" in op["responses"].get("409", {}).get("description", "")
        ), operation_id
    assert by_id["restoreSnapshot"]["requestBody"]["required"] is False  # a missing body is {}
    assert by_id["createInstance"]["requestBody"]["required"] is True
    assert "409" in by_id["deleteVolume"]["responses"]
    assert "409" not in by_id["getInstance"]["responses"]
    assert "409" not in by_id["deleteWebhook"]["responses"]


def test_webhooks_one_per_event_type_and_the_stream_is_a_websocket(
    documents: dict[str, bytes],
) -> None:
    doc = json.loads(documents["public"])
    assert list(doc["webhooks"]) == [*EVENT_TYPES, "webhook.ping"]
    schemas = doc["components"]["schemas"]
    for event_type, item in doc["webhooks"].items():
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        payload = schemas[ref.rsplit("/", 1)[-1]]
        assert payload["properties"]["type"]["const"] == event_type
    stream = doc["paths"]["/instances/{id}/metrics/stream"]["get"]
    assert stream["operationId"] == "streamMetrics"
    assert "101" in stream["responses"] and "200" not in stream["responses"]
    assert stream["x-websocket"]["messages"] == {"$ref": "#/components/schemas/StreamMessage"}


def test_the_control_document_has_every_control_operation(documents: dict[str, bytes]) -> None:
    from lambda_emulator.app import CONTROL_OPERATIONS, SANDBOX_OPERATIONS, SCOPED_OPERATIONS

    doc = json.loads(documents["control"])
    ids = {op["operationId"] for _, _, op in _operations(doc)}
    every = [*CONTROL_OPERATIONS, *SANDBOX_OPERATIONS, *SCOPED_OPERATIONS]
    assert ids == {op.operation_id for op in every}
    assert "sandboxReset" in ids and "emulatorCreateSandbox" in ids
    assert "Instance" not in doc["components"]["schemas"]
