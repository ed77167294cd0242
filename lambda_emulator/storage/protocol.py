"""The Store protocol: what every layer above storage may ask of a store.

Documents are plain JSON-able dicts with a string ``id``; documents that belong to an account
carry ``account_id`` and are indexed by it, because nearly every read is "this account's X".

A document handed out by ``get``/``find``/``all`` is the stored object itself, for speed: treat
it as read-only and ``put`` a changed copy. ``put`` stores a deep copy, so a caller can never
change stored state by accident after the write.

Writes inside ``transaction()`` are applied together or not at all: an exception rolls the
tables back, and a persistent store writes the whole transaction as one record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["Doc", "Op", "Store", "StoreError"]

Doc = dict[str, Any]
#: One change: ``("p", table, doc)`` puts a document, ``("d", table, id)`` deletes one.
Op = tuple[str, str, Any]


class StoreError(Exception):
    """The store cannot do what was asked (a bad document, an unreadable file)."""


@runtime_checkable
class Store(Protocol):
    def get(self, table: str, doc_id: str) -> Doc | None: ...
    def put(self, table: str, doc: Doc) -> None: ...
    def delete(self, table: str, doc_id: str) -> None: ...
    def all(self, table: str) -> list[Doc]: ...
    def find(self, table: str, account_id: str) -> list[Doc]: ...
    def count(self, table: str, account_id: str | None = None) -> int: ...
    def tables(self) -> list[str]: ...
    def transaction(self) -> Any: ...
    def export(self) -> dict[str, dict[str, Doc]]: ...
    def replace_all(self, data: Mapping[str, Mapping[str, Doc]]) -> None: ...
    def close(self) -> None: ...

    @property
    def description(self) -> str: ...
