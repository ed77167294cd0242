"""JSON Schema validation of request bodies, query strings and responses.

Every file under ``schemas/`` is loaded once, and every schema reference an operation names is
compiled once at start-up by ``jsonschema-rs`` (a compiled draft 2020-12 validator): that is the
check every request and response pays, a few microseconds. Only when it says "invalid" is
jsonschema asked for the error, so a failure keeps jsonschema's verdict and the reference's
``details`` shape: ``field`` as a dotted path, ``value``, and ``allowed_values`` for enums (or
the names allowed for an unknown field), else the ``constraint`` that failed. jsonschema itself
(and ``referencing``) is imported on the first invalid input, which keeps it out of start-up.

Why not jsonschema on every request: it resolves ``$ref`` through ``referencing`` on each descent,
about 0.5 ms per small response (and 860 ms for a 4,320-point metrics answer, where jsonschema-rs
takes 0.8 ms), which held ``GET /v1/account`` to 29% of a bare Starlette route's rate; see
docs/performance.md.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from lambda_emulator.catalog import Catalog, load_catalog
from lambda_emulator.errors import InvalidRequest
from lambda_emulator.package_data import data_dir

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

__all__ = ["SCHEMA_BASE", "STORED_TABLES", "SchemaSet", "ValidationFailure", "check_state_tables"]

SCHEMA_BASE = "https://lambda-emulator.invalid/schemas/"

log = logging.getLogger("lambda_emulator")

#: A compiled schema: ``True`` when the instance is valid.
Check = Callable[[Any], bool]


class ValidationFailure(Exception):
    """A response that breaks its own schema: an emulator bug, never the client's fault."""


def _fill_catalogues(node: Any, catalog: Catalog) -> None:
    """A schema marked ``"x-catalogue": "regions"`` accepts the catalogue's ids alone: its
    ``enum`` comes from the fixtures, so validation and the OpenAPI documents share it."""
    if isinstance(node, dict):
        table = node.get("x-catalogue")
        if isinstance(table, str):
            node["enum"] = list(getattr(catalog, table))
        for value in node.values():
            _fill_catalogues(value, catalog)
    elif isinstance(node, list):
        for value in node:
            _fill_catalogues(value, catalog)


class SchemaSet:
    """All schema files, their compiled checks, and jsonschema validators for error reports."""

    def __init__(self, folder: Path | None = None, catalog: Catalog | None = None) -> None:
        root = folder or data_dir("schemas")
        self.documents: dict[str, dict[str, Any]] = {}
        for path in sorted(root.glob("*.json")):
            self.documents[path.name] = json.loads(path.read_text(encoding="utf-8"))
        _fill_catalogues(self.documents, catalog or load_catalog())
        self._native = jsonschema_rs.Registry([(d["$id"], d) for d in self.documents.values()])
        self._checks: dict[str, Check] = {}
        self._query_types: dict[str, dict[str, str | None]] = {}
        self._registry: Registry[Any] | None = None
        self._validators: dict[str, Draft202012Validator] = {}

    def resolve(self, ref: str) -> dict[str, Any]:
        """The schema a reference like ``account.json#/$defs/Account`` points at."""
        file, _, pointer = ref.removeprefix(SCHEMA_BASE).partition("#")
        node: Any = self.documents.get(file)
        for part in (p for p in pointer.split("/") if p):
            if not isinstance(node, dict) or part.replace("~1", "/").replace("~0", "~") not in node:
                raise LookupError(f"unknown schema reference {ref!r}")
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if not isinstance(node, dict):
            raise LookupError(f"schema reference {ref!r} is not a schema")
        return node

    def prepare(self, ref: str) -> Check:
        """Compile the check for ``ref`` (once); a bad reference fails here, at start-up."""
        check = self._checks.get(ref)
        if check is None:
            self.resolve(ref)
            # ``format`` is an annotation in 2020-12, as jsonschema treats it without a checker.
            compiled = jsonschema_rs.Draft202012Validator(
                {"$ref": SCHEMA_BASE + ref}, registry=self._native, validate_formats=False
            )
            check = compiled.is_valid
            self._checks[ref] = check
        return check

    @property
    def registry(self) -> Registry[Any]:
        if self._registry is None:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            resources = [
                (d["$id"], Resource.from_contents(d, DRAFT202012)) for d in self.documents.values()
            ]
            self._registry = Registry().with_resources(resources)
        return self._registry

    def validator(self, ref: str) -> Draft202012Validator:
        """jsonschema's validator for ``ref``: the authority on errors, built on first use."""
        found = self._validators.get(ref)
        if found is None:
            from jsonschema import Draft202012Validator

            self.resolve(ref)
            found = Draft202012Validator({"$ref": SCHEMA_BASE + ref}, registry=self.registry)
            self._validators[ref] = found
        return found

    # requests ------------------------------------------------------------------------------
    def check_body(self, ref: str, body: Any) -> None:
        self._check(ref, body, root="body")

    def check_at(self, ref: str, instance: Any, where: str) -> None:
        """Check a value found at ``where`` in a body (e.g. ``tables`` of a state document):
        a refusal names the field from there (``tables.instances.inst_x.status``)."""
        self._check(ref, instance, root=where, prefix=where)

    def coerce_query(self, ref: str, raw: list[tuple[str, str]]) -> dict[str, Any]:
        """Turn query pairs into typed values by the schema, then validate them."""
        types = self._query_types.get(ref)
        if types is None:
            props: Mapping[str, Any] = self.resolve(ref).get("properties", {})
            types = {name: self._property_type(prop, ref) for name, prop in props.items()}
            self._query_types[ref] = types
        values: dict[str, Any] = {}
        for name, text in raw:
            if name in values:
                raise InvalidRequest(
                    f"Query parameter '{name}' is given more than once",
                    {"field": name, "value": text, "constraint": "at most once"},
                )
            values[name] = _coerce(types.get(name), text)
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

    def _check(self, ref: str, instance: Any, *, root: str, prefix: str = "") -> None:
        if self.prepare(ref)(instance):
            return
        from jsonschema.exceptions import best_match

        error = best_match(self.validator(ref).iter_errors(instance))
        if error is not None:
            raise _to_invalid_request(error, root, prefix)
        _disagreement(ref, instance)

    # responses -----------------------------------------------------------------------------
    def check_response(self, ref: str, data: Any) -> None:
        if self.prepare(ref)(data):
            return
        from jsonschema.exceptions import best_match

        validator = self.validator(ref)
        if not validator.is_valid(data):
            error = best_match(validator.iter_errors(data))
            where = ".".join(str(p) for p in error.absolute_path) if error else ""
            raise ValidationFailure(
                f"response breaks {ref} at '{where}': {error.message if error else '?'}"
            )
        _disagreement(ref, data)


def _disagreement(ref: str, instance: Any) -> None:
    """jsonschema-rs refused what jsonschema accepts: jsonschema wins, loudly in the log."""
    log.error("compiled schema %s disagrees with jsonschema on %.200r; accepted", ref, instance)


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


def _to_invalid_request(error: ValidationError, root: str, prefix: str = "") -> InvalidRequest:
    path = ([prefix] if prefix else []) + list(error.absolute_path)
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


#: Every table of a state document, each stored document checked against its schema.
STORED_TABLES = "state.json#/$defs/Tables"


def check_state_tables(schemas: SchemaSet, tables: dict[str, Any]) -> None:
    """Every stored document of ``tables`` against ``state.json``; a refusal names the field.

    The compiled check clears a good document in one pass. For a bad one, the slow explaining
    validator runs only on the first failing document (not on a state of 100 000 documents,
    which takes it many seconds)."""
    if schemas.prepare(STORED_TABLES)(tables):
        return
    for name, rows in tables.items():
        table_ref = f"{STORED_TABLES}/properties/{name}"
        try:
            schemas.resolve(table_ref)
        except LookupError:
            schemas.check_at(STORED_TABLES, {name: rows}, "tables")  # an unknown table
            continue
        fits = schemas.prepare(table_ref + "/additionalProperties")
        for doc_id, doc in rows.items():
            if not fits(doc):
                where = f"tables.{name}.{doc_id}"
                schemas.check_at(table_ref + "/additionalProperties", doc, where)
    schemas.check_at(STORED_TABLES, tables, "tables")
