"""Query coercion follows refs wherever they point, local ones included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lambda_emulator.errors import InvalidRequest
from lambda_emulator.http.validation import SchemaSet


def test_local_refs_in_query_schemas_are_followed(tmp_path: Path) -> None:
    for source in (Path(__file__).resolve().parents[2] / "schemas").glob("*.json"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "probe.json").write_text(
        json.dumps(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": "https://lambda-emulator.invalid/schemas/probe.json",
                "$defs": {
                    "Count": {"type": "integer", "minimum": 1},
                    "Query": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "count": {"$ref": "#/$defs/Count"},
                            "page": {"$ref": "common.json#/$defs/Page"},
                        },
                    },
                },
            }
        )
    )
    schemas = SchemaSet(tmp_path)
    assert schemas.coerce_query("probe.json#/$defs/Query", [("count", "3"), ("page", "2")]) == {
        "count": 3,
        "page": 2,
    }
    with pytest.raises(InvalidRequest) as raised:
        schemas.coerce_query("probe.json#/$defs/Query", [("count", "0")])
    assert raised.value.details == {"field": "count", "value": 0, "constraint": {"minimum": 1}}
