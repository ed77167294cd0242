"""The default store: tables in memory, gone when the process ends.

``TinyDBStore`` keeps the same tables in memory and makes them durable, so every read is
served here either way; only writes differ.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from lambda_emulator.storage.protocol import Doc, Op, StoreError

__all__ = ["MemoryStore"]


class MemoryStore:
    """Tables of documents in memory, with an account index and transactional writes."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Doc]] = {}
        self._by_account: dict[str, dict[str, dict[str, Doc]]] = {}
        self._depth = 0
        self._ops: list[Op] = []
        self._undo: list[tuple[str, str, Doc | None]] = []

    @property
    def description(self) -> str:
        return "in memory"

    # reads ---------------------------------------------------------------------------------
    def get(self, table: str, doc_id: str) -> Doc | None:
        return self._tables.get(table, {}).get(doc_id)

    def all(self, table: str) -> list[Doc]:
        return list(self._tables.get(table, {}).values())

    def find(self, table: str, account_id: str) -> list[Doc]:
        return list(self._by_account.get(table, {}).get(account_id, {}).values())

    def count(self, table: str, account_id: str | None = None) -> int:
        if account_id is None:
            return len(self._tables.get(table, {}))
        return len(self._by_account.get(table, {}).get(account_id, {}))

    def tables(self) -> list[str]:
        return sorted(name for name, rows in self._tables.items() if rows)

    def export(self) -> dict[str, dict[str, Doc]]:
        return copy.deepcopy({name: rows for name, rows in self._tables.items() if rows})

    # writes --------------------------------------------------------------------------------
    def put(self, table: str, doc: Doc) -> None:
        doc_id = doc.get("id")
        if not isinstance(doc_id, str) or not doc_id:
            raise StoreError(f"a document in '{table}' needs a string id")
        stored = copy.deepcopy(doc)
        with self.transaction():
            self._undo.append((table, doc_id, self.get(table, doc_id)))
            self._apply_put(table, stored)
            self._ops.append(("p", table, stored))

    def delete(self, table: str, doc_id: str) -> None:
        previous = self.get(table, doc_id)
        if previous is None:
            return
        with self.transaction():
            self._undo.append((table, doc_id, previous))
            self._apply_delete(table, doc_id)
            self._ops.append(("d", table, doc_id))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; nested calls join the outermost transaction."""
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._rollback()
            raise
        self._depth -= 1
        if self._depth == 0 and self._ops:
            ops, self._ops, self._undo = self._ops, [], []
            self._persist(ops)
        elif self._depth == 0:
            self._undo = []

    def replace_all(self, data: Mapping[str, Mapping[str, Doc]]) -> None:
        """Swap every table for ``data`` (reset, import); validated before anything changes."""
        for table, rows in data.items():
            for key, doc in rows.items():
                if not isinstance(doc, dict) or doc.get("id") != key:
                    raise StoreError(f"'{table}.{key}' must be an object whose id is '{key}'")
        if self._depth:
            raise StoreError("replace_all cannot run inside a transaction")
        self._load(copy.deepcopy({t: dict(rows) for t, rows in data.items()}))
        self._persist_snapshot()

    def close(self) -> None:
        return None

    # hooks for persistent stores -----------------------------------------------------------
    def _persist(self, ops: list[Op]) -> None:
        """Make a committed transaction durable before the caller answers; no-op in memory."""

    def _persist_snapshot(self) -> None:
        """Make the whole current state durable (after replace_all); no-op in memory."""

    # internals -----------------------------------------------------------------------------
    def _load(self, data: Mapping[str, Mapping[str, Doc]]) -> None:
        self._tables = {}
        self._by_account = {}
        for table, rows in data.items():
            for doc in rows.values():
                self._apply_put(table, doc)

    def _apply_put(self, table: str, doc: Doc) -> None:
        rows = self._tables.setdefault(table, {})
        doc_id = doc["id"]
        old = rows.get(doc_id)
        if old is not None and old.get("account_id") != doc.get("account_id"):
            self._unindex(table, old)
        rows[doc_id] = doc
        account_id = doc.get("account_id")
        if isinstance(account_id, str):
            self._by_account.setdefault(table, {}).setdefault(account_id, {})[doc_id] = doc

    def _apply_delete(self, table: str, doc_id: str) -> None:
        old = self._tables.get(table, {}).pop(doc_id, None)
        if old is not None:
            self._unindex(table, old)

    def _unindex(self, table: str, doc: Doc) -> None:
        account_id = doc.get("account_id")
        if isinstance(account_id, str):
            bucket = self._by_account.get(table, {}).get(account_id)
            if bucket is not None:
                bucket.pop(doc["id"], None)

    def _rollback(self) -> None:
        for table, doc_id, previous in reversed(self._undo):
            if previous is None:
                self._apply_delete(table, doc_id)
            else:
                self._apply_put(table, previous)
        self._ops, self._undo = [], []
