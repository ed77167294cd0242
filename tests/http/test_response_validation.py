"""Response validation: the compiled check (jsonschema-rs) gives the same verdicts as
``jsonschema``, which explains every refusal."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lambda_emulator.app import API_OPERATIONS
from lambda_emulator.http.validation import SchemaSet, ValidationFailure

SCHEMAS = SchemaSet()

INSTANCE: dict[str, Any] = {
    "id": "inst_abc123",
    "name": "my-instance",
    "status": "running",
    "instance_type": "compute-4x",
    "vcpus": 4,
    "memory_gb": 8,
    "region": "us-west-1",
    "image": "ubuntu-22.04",
    "ssh_keys": ["key_abc123"],
    "tags": {"env": "dev"},
    "public_ip": "203.0.113.42",
    "private_ip": "10.10.0.7",
    "created_at": "2026-01-24T10:30:00Z",
    "updated_at": "2026-01-24T10:30:00Z",
}


def _mutations() -> list[tuple[str, Any]]:
    def change(**kw: Any) -> dict[str, Any]:
        doc = copy.deepcopy(INSTANCE)
        doc.update(kw)
        return doc

    missing = copy.deepcopy(INSTANCE)
    del missing["private_ip"]
    return [
        ("status not in the enum", change(status="exploded")),
        ("wrong type", change(vcpus="4")),
        ("extra field", change(secret="x")),
        ("missing required", missing),
        ("bad id pattern", change(id="instance-1")),
        ("bad timestamp", change(created_at="2026-01-24 10:30")),
        ("bad tag value", change(tags={"env": 1})),
        ("null where not nullable", change(private_ip=None)),
    ]


def test_a_valid_instance_passes_both_ways() -> None:
    ref = "instances.json#/$defs/Instance"
    assert SCHEMAS.prepare(ref)(INSTANCE)
    SCHEMAS.check_response(ref, INSTANCE)
    assert SCHEMAS.validator(ref).is_valid(INSTANCE)
    SCHEMAS.check_response(ref, dict(INSTANCE, public_ip=None, status="pending"))


@pytest.mark.parametrize(("why", "doc"), _mutations(), ids=[m[0] for m in _mutations()])
def test_broken_instances_fail_both_ways(why: str, doc: Any) -> None:
    ref = "instances.json#/$defs/Instance"
    assert not SCHEMAS.validator(ref).is_valid(doc), why
    with pytest.raises(ValidationFailure):
        SCHEMAS.check_response(ref, doc)


def test_every_response_schema_compiles() -> None:
    refs = {op.response for op in API_OPERATIONS if op.response}
    for ref in refs:
        assert callable(SCHEMAS.prepare(ref)), ref
