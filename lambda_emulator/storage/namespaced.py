"""One sandbox's tables inside a store shared by every sandbox (the ``--state-file`` store).

A table of sandbox ``sbx_x`` is stored as ``sbx_x/<table>``; the default sandbox's tables keep
their plain names, so a state file written before sandboxes existed is the default sandbox's
state as it is. One file and one write-ahead log serve every sandbox, so a thousand sandboxes
hold one file open, not a thousand, and a write in any of them is as durable as before.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from lambda_emulator.storage.memory import MemoryStore
from lambda_emulator.storage.protocol import Doc, StoreError

__all__ = ["SEPARATOR", "NamespacedStore"]

SEPARATOR = "/"


class NamespacedStore:
    """The tables of ``namespace`` in ``base`` (``""``: the tables with no namespace)."""

    def __init__(self, base: MemoryStore, namespace: str) -> None:
        self.base = base
        self.namespace = namespace
        self._prefix = namespace + SEPARATOR if namespace else ""

    @property
    def description(self) -> str:
        where = f" (sandbox {self.namespace})" if self.namespace else ""
        return f"{self.base.description}{where}"

    def _name(self, table: str) -> str:
        return self._prefix + table

    def _owns(self, stored: str) -> bool:
        if self._prefix:
            return stored.startswith(self._prefix)
        return SEPARATOR not in stored

    # reads ---------------------------------------------------------------------------------
    def get(self, table: str, doc_id: str) -> Doc | None:
        return self.base.get(self._prefix + table, doc_id)

    def all(self, table: str) -> list[Doc]:
        return self.base.all(self._prefix + table)

    def find(self, table: str, account_id: str) -> list[Doc]:
        return self.base.find(self._prefix + table, account_id)

    def count(self, table: str, account_id: str | None = None) -> int:
        return self.base.count(self._prefix + table, account_id)

    def tables(self) -> list[str]:
        cut = len(self._prefix)
        return [name[cut:] for name in self.base.tables() if self._owns(name)]

    def export(self) -> dict[str, dict[str, Doc]]:
        return copy.deepcopy(
            {table: {d["id"]: d for d in self.all(table)} for table in self.tables()}
        )

    # writes --------------------------------------------------------------------------------
    def put(self, table: str, doc: Doc) -> None:
        self.base.put(self._prefix + table, doc)

    def delete(self, table: str, doc_id: str) -> None:
        self.base.delete(self._prefix + table, doc_id)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.base.transaction():
            yield

    def replace_all(self, data: Mapping[str, Mapping[str, Doc]]) -> None:
        """This namespace's tables become ``data``, in one transaction of the shared store."""
        for table, rows in data.items():
            for key, doc in rows.items():
                if not isinstance(doc, dict) or doc.get("id") != key:
                    raise StoreError(f"'{table}.{key}' must be an object whose id is '{key}'")
        with self.base.transaction():
            self.drop()
            for table, rows in data.items():
                for doc in rows.values():
                    self.base.put(self._prefix + table, doc)

    def drop(self) -> None:
        """Delete every document of this namespace (a deleted sandbox)."""
        with self.base.transaction():
            for table in self.tables():
                for doc in self.all(table):
                    self.base.delete(self._prefix + table, doc["id"])

    def close(self) -> None:
        """The shared store is closed by its owner, once, after every sandbox."""
