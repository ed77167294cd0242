"""Validating one ``GET /v1/account`` response and request, three ways (the choice behind
``http/validation.py``).

1. jsonschema as the foundation first used it: ``Draft202012Validator({"$ref": …})`` over a
   ``referencing`` registry of the schema files (each ``$ref`` is resolved on every call);
2. jsonschema on the same schema with every ``$ref`` inlined beforehand (no lookups at run time);
3. jsonschema-rs, compiled once over a registry of the schema files (what the emulator runs).

Each is timed on the Account response plus the empty query and body checks a GET makes.

    .venv/bin/python bench/validation_bench.py
"""

from __future__ import annotations

import copy
import sys
import timeit
from typing import Any

from jsonschema import Draft202012Validator

from lambda_emulator.http.validation import SCHEMA_BASE, SchemaSet

REFS = ("account.json#/$defs/Account", "common.json#/$defs/NoQuery", "common.json#/$defs/Empty")
ACCOUNT = {
    "id": "acct_u5n435e981sa56i3t9c3",
    "name": "Default Account",
    "email": "developer@example.com",
    "plan": "professional",
    "created_at": "2026-01-24T10:30:00Z",
    "updated_at": "2026-01-24T10:30:00Z",
}
INSTANCES = (ACCOUNT, {}, {})


def _inline(schemas: SchemaSet, node: Any, current: str) -> Any:
    """``node`` with every ``$ref`` replaced by (a copy of) what it points at."""
    if isinstance(node, list):
        return [_inline(schemas, item, current) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"].removeprefix(SCHEMA_BASE)
        ref = current + ref if ref.startswith("#") else ref
        rest = {k: v for k, v in node.items() if k != "$ref"}
        target = _inline(schemas, copy.deepcopy(schemas.resolve(ref)), ref.split("#")[0])
        return {**target, **_inline(schemas, rest, current)} if rest else target
    return {k: _inline(schemas, v, current) for k, v in node.items()}


def main() -> int:
    schemas = SchemaSet()
    by_registry = [schemas.validator(ref) for ref in REFS]
    inlined = [
        Draft202012Validator(_inline(schemas, schemas.resolve(ref), ref.split("#")[0]))
        for ref in REFS
    ]
    compiled = [schemas.prepare(ref) for ref in REFS]
    candidates = {
        "jsonschema, $ref through the registry": lambda: [
            v.is_valid(i) for v, i in zip(by_registry, INSTANCES, strict=True)
        ],
        "jsonschema, refs inlined up front": lambda: [
            v.is_valid(i) for v, i in zip(inlined, INSTANCES, strict=True)
        ],
        "jsonschema-rs, compiled (the emulator)": lambda: [
            c(i) for c, i in zip(compiled, INSTANCES, strict=True)
        ],
    }
    for name, run in candidates.items():
        assert all(run()), name
        number = 2000
        best = min(timeit.repeat(run, number=number, repeat=5)) / number
        print(f"  {name:40} {best * 1e6:8.1f} µs per GET /v1/account")
    return 0


if __name__ == "__main__":
    print("Validation of one GET /v1/account (response + empty query + empty body), best of 5:")
    sys.exit(main())
