"""JSON Schema validation of request bodies, query strings and responses.

Every file under ``schemas/`` is loaded once into a ``referencing`` registry, and a validator is
compiled once per schema reference that an operation names. A failure becomes the reference's
``details`` shape: ``field`` as a dotted path, ``value``, and ``allowed_values`` for enums (or the
names allowed for an unknown field), else the ``constraint`` that failed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import fastjsonschema

try:  # a compiled 2020-12 validator: ~10x faster again than fastjsonschema on large answers
    import jsonschema_rs
except ImportError:  # pragma: no cover - a dependency; the other checks work without it
    jsonschema_rs = None  # type: ignore[assignment]
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lambda_emulator.errors import InvalidRequest
from lambda_emulator.resources import data_dir

__all__ = ["SCHEMA_BASE", "SchemaSet", "ValidationFailure"]

SCHEMA_BASE = "https://lambda-emulator.invalid/schemas/"


class ValidationFailure(Exception):
    """A response that breaks its own schema: an emulator bug, never the client's fault."""


class _Recursive(Exception):
    """A schema that refers to itself cannot be inlined."""


class SchemaSet:
    """All schema files, and compiled validators for the references in use."""

    def __init__(self, folder: Path | None = None) -> None:
        root = folder or data_dir("schemas")
        self.documents: dict[str, dict[str, Any]] = {}
        resources = []
        for path in sorted(root.glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            self.documents[path.name] = document
            resources.append((document["$id"], Resource.from_contents(document, DRAFT202012)))
        self.registry: Registry[Any] = Registry().with_resources(resources)
        self._validators: dict[str, Draft202012Validator] = {}
        self._fast: dict[str, Callable[[Any], Any] | None] = {}
        self._native: dict[str, Any] = {}
        self._native_registry: Any = None
        if jsonschema_rs is not None:
            self._native_registry = jsonschema_rs.Registry(
                [(doc["$id"], doc) for doc in self.documents.values()]
            )

    def resolve(self, ref: str) -> dict[str, Any]:
        """The schema a reference like ``account.json#/$defs/Account`` points at."""
        resolved = self.registry.resolver().lookup(SCHEMA_BASE + ref)
        return resolved.contents  # type: ignore[no-any-return]

    def validator(self, ref: str) -> Draft202012Validator:
        found = self._validators.get(ref)
        if found is None:
            self.resolve(ref)  # fail at start-up, not on the first request, for a bad ref
            found = Draft202012Validator({"$ref": SCHEMA_BASE + ref}, registry=self.registry)
            self._validators[ref] = found
        return found

    def fast_check(self, ref: str) -> Callable[[Any], Any] | None:
        """The schema compiled to Python by ``fastjsonschema`` (every ``$ref`` inlined first):
        about fifteen times faster than ``jsonschema``, which a list page of 100 items needs.
        ``None`` for a schema that refers to itself or uses a keyword newer than draft-07, whose
        meaning the compiler would not know."""
        if ref not in self._fast:
            compiled: Callable[[Any], Any] | None = None
            try:
                schema = self._inline(ref, ())
                if not _uses_keywords(schema, _NEWER_KEYWORDS):
                    compiled = fastjsonschema.compile(schema)
            except (_Recursive, fastjsonschema.JsonSchemaDefinitionException):
                compiled = None
            self._fast[ref] = compiled
        return self._fast[ref]

    def _inline(self, ref: str, seen: tuple[str, ...]) -> Any:
        if ref in seen:
            raise _Recursive(ref)
        base = ref.split("#", 1)[0]

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                target = node.get("$ref")
                if isinstance(target, str):
                    target = target.removeprefix(SCHEMA_BASE)
                    full = base + target if target.startswith("#") else target
                    inlined = self._inline(full, (*seen, ref))
                    if len(node) == 1:
                        return inlined
                    rest = {k: walk(v) for k, v in node.items() if k != "$ref"}
                    rest["allOf"] = [inlined, *rest.get("allOf", [])]
                    return rest
                return {k: walk(v) for k, v in node.items()}
            if isinstance(node, list):
                return [walk(v) for v in node]
            return node

        return walk(self.resolve(ref))

    # requests ------------------------------------------------------------------------------
    def check_body(self, ref: str, body: Any) -> None:
        self._check(ref, body, root="body")

    def coerce_query(self, ref: str, raw: list[tuple[str, str]]) -> dict[str, Any]:
        """Turn query pairs into typed values by the schema, then validate them."""
        schema = self.resolve(ref)
        props: Mapping[str, Any] = schema.get("properties", {})
        values: dict[str, Any] = {}
        for name, text in raw:
            if name in values:
                raise InvalidRequest(
                    f"Query parameter '{name}' is given more than once",
                    {"field": name, "value": text, "constraint": "at most once"},
                )
            values[name] = _coerce(self._property_type(props.get(name), ref), text)
        self._check(ref, values, root="query")
        return values

    def _property_type(self, prop: Any, within: str) -> str | None:
        """The JSON type a query property takes, following refs (a local ``#/$defs/…`` ref is
        read in the file of the schema that holds it)."""
        while isinstance(prop, dict):
            if "type" in prop:
                kind = prop["type"]
                return kind if isinstance(kind, str) else None
            if "$ref" in prop:
                ref = str(prop["$ref"]).removeprefix(SCHEMA_BASE)
                if ref.startswith("#"):
                    ref = within.split("#")[0] + ref
                within = ref
                prop = self.resolve(ref)
                continue
            return None
        return None

    def _check(self, ref: str, instance: Any, *, root: str) -> None:
        validator = self.validator(ref)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise _to_invalid_request(error, root)

    # responses -----------------------------------------------------------------------------
    def native_accepts(self, ref: str, data: Any) -> bool:
        """True when ``jsonschema-rs`` (compiled, draft 2020-12, no inlining needed) finds
        ``data`` valid: 0.8 ms for a 4,320-point metrics answer, where fastjsonschema takes
        7.5 ms and jsonschema 860 ms. Anything it refuses goes through the checks below."""
        if self._native_registry is None:
            return False
        native = self._native.get(ref)
        if native is None:
            native = jsonschema_rs.Draft202012Validator(
                {"$ref": SCHEMA_BASE + ref}, registry=self._native_registry
            )
            self._native[ref] = native
        return bool(native.is_valid(data))

    def check_response(self, ref: str, data: Any) -> None:
        if self.native_accepts(ref, data):
            return
        fast = self.fast_check(ref)
        if fast is not None:
            try:
                fast(data)
                return
            except fastjsonschema.JsonSchemaException:
                pass  # jsonschema gives the verdict that counts, and the message
        validator = self.validator(ref)
        if validator.is_valid(data):
            return
        error = best_match(validator.iter_errors(data))
        where = ".".join(str(p) for p in error.absolute_path) if error else ""
        raise ValidationFailure(
            f"response breaks {ref} at '{where}': {error.message if error else '?'}"
        )


#: Keywords a draft-07 compiler would silently ignore: a schema using one is checked by
#: ``jsonschema`` alone.
_NEWER_KEYWORDS = frozenset(
    {
        "unevaluatedProperties",
        "unevaluatedItems",
        "prefixItems",
        "dependentRequired",
        "dependentSchemas",
        "minContains",
        "maxContains",
        "$dynamicRef",
        "$recursiveRef",
    }
)


def _uses_keywords(node: Any, keywords: frozenset[str]) -> bool:
    if isinstance(node, dict):
        return any(k in keywords for k in node) or any(
            _uses_keywords(v, keywords) for v in node.values()
        )
    if isinstance(node, list):
        return any(_uses_keywords(v, keywords) for v in node)
    return False


def _coerce(kind: str | None, text: str) -> Any:
    """A query value as its schema type where it reads as one; otherwise the text, which the
    schema then refuses with the field named. Numbers past what Python converts (more digits
    than ``sys.get_int_max_str_digits``) and non-finite floats stay text."""
    if kind == "integer":
        stripped = text.strip()
        if stripped.lstrip("-").isdigit():
            try:
                return int(stripped)
            except ValueError:
                return text
    elif kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) else text
    elif kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _field(path: list[Any], root: str) -> str:
    return ".".join(str(p) for p in path) if path else root


def _to_invalid_request(error: ValidationError, root: str) -> InvalidRequest:
    path = list(error.absolute_path)
    keyword = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    expected: Any = error.validator_value
    what = "query parameter" if root == "query" else "field"

    if keyword == "required":
        missing = next((n for n in expected if n not in instance), None)
        name = _field([*path, missing], root)
        return InvalidRequest(
            f"Missing required {what} '{name}'",
            {"field": name, "constraint": "required"},
        )
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        name = _field([*path, extra[0]], root) if extra else _field(path, root)
        unknown = _cut(", ".join(f"'{n}'" for n in extra))
        return InvalidRequest(
            f"Unknown {what} {unknown}; allowed: {', '.join(allowed) or 'none'}",
            {
                "field": _cut(name),
                "value": _jsonable(extra[0]) if extra else None,
                "allowed_values": allowed,
            },
        )
    name = _field(path, root)
    if keyword == "enum":
        return InvalidRequest(
            f"Invalid value for '{name}': {_cut(repr(instance))} is not one of the allowed values",
            {"field": name, "value": _jsonable(instance), "allowed_values": list(expected)},
        )
    if keyword == "type" and not path and root == "body":
        return InvalidRequest(
            "The request body must be a JSON object",
            {"field": "body", "value": _jsonable(instance), "constraint": {"type": "object"}},
        )
    return InvalidRequest(
        f"Invalid value for '{name}': {_cut(error.message)}",
        {
            "field": name,
            "value": _jsonable(instance),
            "constraint": {str(keyword): _jsonable(expected)},
        },
    )


#: How much of a refused value an error echoes: enough to recognise it, never the megabyte a
#: client sent.
ECHO_LIMIT = 200


def _cut(text: str) -> str:
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + "…"


def _jsonable(value: Any) -> Any:
    """``value`` as the envelope may echo it: strict JSON (no NaN/Infinity), at most 200
    characters, else its ``repr`` or a cut."""
    if isinstance(value, str):
        return _cut(value)
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return repr(value)
    if len(text) > 200:
        return text[:200] + "…"
    return value
