"""Public views of stored documents, derived from the response schemas.

A stored document carries private fields (``account_id``, ``_seq``, ``_transition``, hashes);
what the API shows of it is exactly the properties its response schema names, so the schema
stays the single source of truth and a new field needs no second list in the code.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from lambda_emulator.package_data import data_dir
from lambda_emulator.storage.protocol import Doc

__all__ = ["PublicView", "schema_fields"]


@cache
def _schema_file(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((data_dir("schemas") / name).read_text("utf-8"))
    return document


def schema_fields(ref: str) -> tuple[str, ...]:
    """The property names of the object schema at ``ref`` (``file.json#/$defs/Name``),
    following ``allOf`` parts that point into the same file."""
    file, _, pointer = ref.partition("#")
    document = _schema_file(file)

    def collect(schema: dict[str, Any]) -> list[str]:
        names = list(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            target = part.get("$ref")
            names += collect(_resolve(document, target[1:]) if target else part)
        return names

    return tuple(dict.fromkeys(collect(_resolve(document, pointer))))


def _resolve(document: dict[str, Any], pointer: str) -> dict[str, Any]:
    node: Any = document
    for part in pointer.strip("/").split("/"):
        node = node[part]
    assert isinstance(node, dict)
    return node


class PublicView:
    """``view(doc)``: the fields of ``doc`` that the schema at ``ref`` shows (absent ones as
    ``None``), in the schema's order. The schema is read on the first call, not at import."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        self._fields: tuple[str, ...] | None = None

    def __call__(self, doc: Doc) -> dict[str, Any]:
        fields = self._fields
        if fields is None:
            fields = self._fields = schema_fields(self.ref)
        return {name: doc.get(name) for name in fields}
