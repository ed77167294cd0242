"""The document builder without a server: what a new operation or schema gets for free."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from lambda_emulator.app import CONTROL_OPERATIONS
from lambda_emulator.catalog import load_catalog
from lambda_emulator.http.openapi import DocumentBuilder
from lambda_emulator.http.openapi_control import build_control_openapi
from lambda_emulator.http.operations import Call, Operation
from lambda_emulator.http.validation import SchemaSet
from lambda_emulator.package_data import data_dir


def _handler(call: Call) -> Any:
    return {}


def test_a_new_control_operation_appears_with_a_tag_of_its_own() -> None:
    widget = Operation(
        method="GET",
        path="/widgets/{id}/clock",
        operation_id="emulatorWidgetClock",
        summary="Read a widget's clock",
        tag="Emulator control",
        handler=_handler,
        authenticated=False,
        response="control.json#/$defs/Clock",
    )
    doc = build_control_openapi([*CONTROL_OPERATIONS, widget], SchemaSet())
    op = doc["paths"]["/widgets/{id}/clock"]["get"]
    assert op["tags"] == ["Widgets"] and op["description"] == "Read a widget's clock."
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ClockEnvelope"
    }
    assert "Widgets" in {tag["name"] for tag in doc["tags"]}


def test_an_inline_enum_is_hoisted_or_reuses_a_component_with_the_same_values(
    tmp_path: Path,
) -> None:
    shutil.copy(data_dir("schemas") / "common.json", tmp_path / "common.json")
    probe = {
        "$id": "https://lambda-emulator.invalid/schemas/probe.json",
        "$defs": {
            "Colour": {"type": "string", "enum": ["red", "blue"]},
            "Thing": {
                "type": "object",
                "properties": {
                    "colour": {"type": "string", "enum": ["red", "blue"]},
                    "size": {"type": "string", "enum": ["s", "m"], "default": "s"},
                    "region": {"$ref": "common.json#/$defs/Region"},
                },
            },
        },
    }
    (tmp_path / "probe.json").write_text(json.dumps(probe))
    builder = DocumentBuilder(SchemaSet(tmp_path))
    builder.ref("probe.json#/$defs/Colour")
    builder.ref("probe.json#/$defs/Thing")
    thing = builder.components["Thing"]["properties"]
    assert thing["colour"] == {"$ref": "#/components/schemas/Colour"}
    assert thing["size"] == {"$ref": "#/components/schemas/ThingSize", "default": "s"}
    assert builder.components["ThingSize"] == {"type": "string", "enum": ["s", "m"]}
    assert builder.components["Region"]["enum"] == list(load_catalog().regions)
