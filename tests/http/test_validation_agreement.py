"""The compiled checks (jsonschema-rs) must agree with jsonschema on every verdict.

A compiled check that accepts what jsonschema refuses would let a bad request through (or a bad
response out) silently, so every keyword is tried against jsonschema itself on instances made to
sit on each side of each rule, and every definition in ``schemas/`` on instances derived from it.
"""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lambda_emulator.http.validation import SCHEMA_BASE, SchemaSet

BASE = "https://example.invalid/s.json"

GENERIC: list[Any] = [
    None, True, False, 0, 1, -1, 1.0, 1.5, 2, 3, 10, 1e300, "", "a", "ab", "abc", "acct_x1",
    "λ_sk_abc", "x" * 300, [], [1], [1, 1], [1, "1"], [True, 1], [0, False], [1, 2, 3],
    [{"a": 1}, {"a": 1}], {}, {"a": 1}, {"a": "x"}, {"b": 2}, {"a": 1, "b": 2},
    {"a": 1, "b": 2, "c": 3}, {"x-1": 1}, {"a": None}, {"a": [1]}, {"a": {"a": 1}},
]  # fmt: skip

KEYWORD_SCHEMAS: list[Any] = [
    True, False, {}, {"type": "integer"}, {"type": "number"}, {"type": ["string", "null"]},
    {"type": "boolean"}, {"type": "array"}, {"type": "object"}, {"enum": [1, "a", None, [1]]},
    {"enum": [True]}, {"enum": [1]}, {"const": 1}, {"const": False}, {"const": {"a": 1}},
    {"minimum": 1}, {"maximum": 2}, {"exclusiveMinimum": 1}, {"exclusiveMaximum": 2},
    {"multipleOf": 2}, {"multipleOf": 0.5}, {"minLength": 2}, {"maxLength": 2},
    {"type": "string", "minLength": 1, "maxLength": 2, "pattern": "^a"}, {"pattern": "b"},
    {"minItems": 2}, {"maxItems": 1}, {"uniqueItems": True}, {"items": {"type": "integer"}},
    {"prefixItems": [{"type": "integer"}], "items": False}, {"contains": {"type": "string"}},
    {"contains": {"const": 1}, "minContains": 2}, {"contains": {"const": 1}, "maxContains": 1},
    {"required": ["a"]}, {"properties": {"a": {"type": "integer"}}},
    {"properties": {"a": {"type": "integer"}}, "additionalProperties": False},
    {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}},
    {"patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": False},
    {"patternProperties": {"1": {"type": "string"}}}, {"minProperties": 2},
    {"maxProperties": 1}, {"propertyNames": {"maxLength": 1}},
    {"dependentRequired": {"a": ["b"]}}, {"dependentSchemas": {"a": {"required": ["c"]}}},
    {"allOf": [{"type": "object"}, {"required": ["a"]}]},
    {"anyOf": [{"type": "integer"}, {"type": "string"}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 2}]}, {"not": {"type": "integer"}},
    {"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}},
    {"$ref": "#/$defs/int"},
    {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": False},
    {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
    {"anyOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {}}}],
     "unevaluatedProperties": False},
    {"$ref": "#/$defs/obj", "properties": {"b": {}}, "unevaluatedProperties": False},
    {"if": {"required": ["a"]}, "then": {"properties": {"b": {}}},
     "unevaluatedProperties": {"type": "integer"}},
    {"additionalProperties": {"type": "integer"}, "unevaluatedProperties": False},
    {"$ref": "#/$defs/tree"},
]  # fmt: skip

DEFS = {
    "int": {"type": "integer"},
    "obj": {"properties": {"a": {"type": "integer"}}},
    "tree": {"type": "object", "properties": {"a": {"$ref": "#/$defs/tree"}}},
}


def _jsonschema(schema: Any) -> Draft202012Validator:
    document = {"$id": BASE, "$defs": DEFS, "allOf": [schema]}
    registry: Registry[Any] = Registry().with_resource(
        BASE, Resource.from_contents(document, DRAFT202012)
    )
    return Draft202012Validator({"$ref": BASE + "#/allOf/0"}, registry=registry)


@pytest.mark.parametrize("schema", KEYWORD_SCHEMAS, ids=[str(s)[:60] for s in KEYWORD_SCHEMAS])
def test_every_keyword_agrees_with_jsonschema(schema: Any) -> None:
    reference = _jsonschema(schema)
    document = {"$id": BASE, "$defs": DEFS, "allOf": [schema]}
    registry = jsonschema_rs.Registry([(BASE, document)])
    check = jsonschema_rs.Draft202012Validator(
        {"$ref": BASE + "#/allOf/0"}, registry=registry, validate_formats=False
    ).is_valid
    for instance in GENERIC:
        assert check(instance) == reference.is_valid(instance), (schema, instance)


# every definition in schemas/, on instances derived from it ------------------------------------


def _samples(schemas: SchemaSet, schema: Any, filename: str, depth: int = 0) -> list[Any]:
    """Values on both sides of the schema: its examples, enum and const values, generic values of
    each type, and for objects a full instance, one with each required property missing, one with
    an unknown property and one with each property replaced by a wrong value."""
    if not isinstance(schema, dict) or depth > 4:
        return []
    if "$ref" in schema:
        ref = schema["$ref"].removeprefix(SCHEMA_BASE)
        ref = filename + ref if ref.startswith("#") else ref
        filename = ref.split("#", 1)[0]
        return _samples(schemas, schemas.resolve(ref), filename, depth + 1)
    out: list[Any] = []
    out += schema.get("examples", [])
    out += schema.get("enum", [])
    if "const" in schema:
        out.append(schema["const"])
    if "default" in schema:
        out.append(schema["default"])
    for sub in schema.get("allOf", []) + schema.get("anyOf", []) + schema.get("oneOf", []):
        out += _samples(schemas, sub, filename, depth + 1)[:3]
    props: dict[str, Any] = schema.get("properties", {})
    if props:
        choices = {
            name: (_samples(schemas, sub, filename, depth + 1) or [None])
            for name, sub in props.items()
        }
        full = {name: values[0] for name, values in choices.items()}
        out.append(full)
        for name in schema.get("required", []):
            out.append({k: v for k, v in full.items() if k != name})
        out.append({**full, "unexpected": 1})
        for name, values in choices.items():
            for value in itertools.islice(values, 1, 4):
                out.append({**full, name: value})
            out.append({**full, name: ["wrong"]})
    if schema.get("type") == "string" or "pattern" in schema:
        out += ["", "2026-01-24T10:30:00Z", "dev@example.com", "λ_sk_1234567890abcdef", "x" * 300]
    if schema.get("type") in ("integer", "number"):
        out += [0, 1, -1, 2.5, 10**6, schema.get("minimum", 0) - 1, schema.get("maximum", 0) + 1]
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        inner = _samples(schemas, schema["items"], filename, depth + 1)
        out += [inner[:1], inner[:2], inner[:1] * 2]
    return out


def test_every_schema_definition_agrees_with_jsonschema() -> None:
    schemas = SchemaSet()
    checked = 0
    for filename, document in schemas.documents.items():
        for name in document.get("$defs", {}):
            ref = f"{filename}#/$defs/{name}"
            check = schemas.prepare(ref)
            reference = schemas.validator(ref)
            instances = _samples(schemas, schemas.resolve(ref), filename) + GENERIC
            for instance in instances:
                assert check(instance) == reference.is_valid(instance), (ref, instance)
                checked += 1
    assert checked > 1000
