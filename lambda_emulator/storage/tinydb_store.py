"""State kept in a TinyDB file, fast enough for thousands of resources and safe against kill -9.

TinyDB's stock ``JSONStorage`` rewrites the whole file on every write: with 10,000 instances that
is megabytes per request, and a crash mid-write leaves a torn file. So the TinyDB file here is a
*snapshot*, always replaced atomically (write a temporary file, fsync, rename), and every committed
transaction is first appended as one JSON line to a write-ahead log beside it (``PATH.wal``).
The line reaches the kernel before the request is answered, so an acknowledged write survives the
process being killed (``fsync=True`` also makes it survive power loss). When the log grows past a
threshold, the snapshot is rewritten and the log emptied. On start the snapshot is read through
TinyDB and the log replayed; a torn last line (a crash mid-append) is dropped, since it was never
acknowledged.

Reads are served from the in-memory tables of ``MemoryStore``, which is what makes a filtered,
sorted page over 10,000 documents cheap.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from lambda_emulator.storage.memory import MemoryStore
from lambda_emulator.storage.protocol import Doc, Op, StoreError

__all__ = ["TinyDBStore"]

#: Rewrite the snapshot once the log holds this many transactions.
COMPACT_AFTER = 5000


class _StrIdTable(Table):
    """Our ids are strings (``inst_…``), not TinyDB's default integers."""

    document_id_class = str  # type: ignore[assignment]


class _TinyDB(TinyDB):
    table_class = _StrIdTable


class _AtomicJSONStorage(Storage):
    """TinyDB storage whose every write replaces the file atomically."""

    def __init__(self, path: str, fsync: bool = True) -> None:
        self._path = Path(path)
        self._fsync = fsync

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        if not text.strip():
            return None
        data = json.loads(text)
        if not isinstance(data, dict):
            raise StoreError(f"{self._path} does not hold a TinyDB document")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        tmp = self._path.with_name(self._path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"), ensure_ascii=False)
            handle.flush()
            if self._fsync:
                os.fsync(handle.fileno())
        os.replace(tmp, self._path)
        if self._fsync:
            _fsync_dir(self._path.parent)

    def close(self) -> None:
        return None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class TinyDBStore(MemoryStore):
    """A ``MemoryStore`` made durable by a TinyDB snapshot plus a write-ahead log."""

    def __init__(
        self, path: Path | str, *, fsync: bool = False, compact_after: int = COMPACT_AFTER
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.wal_path = self.path.with_name(self.path.name + ".wal")
        self._fsync = fsync
        self._compact_after = compact_after
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = _TinyDB(str(self.path), storage=_AtomicJSONStorage, fsync=True)
        self._load(self._read_snapshot())
        self._replay_log()
        self._wal = open(self.wal_path, "ab")  # noqa: SIM115 - held open for the store's life
        self._logged = 0

    @property
    def description(self) -> str:
        return f"TinyDB file {self.path}"

    def close(self) -> None:
        if self._wal.closed:
            return
        self.compact()
        self._wal.close()
        self._db.close()

    def compact(self) -> None:
        """Write the snapshot and empty the log."""
        self._db.storage.write(self._tables_as_tinydb())
        self._wal.seek(0)
        self._wal.truncate()
        self._wal.flush()
        if self._fsync:
            os.fsync(self._wal.fileno())
        self._logged = 0

    # hooks ---------------------------------------------------------------------------------
    def _persist(self, ops: list[Op]) -> None:
        line = json.dumps(ops, separators=(",", ":"), ensure_ascii=False) + "\n"
        self._wal.write(line.encode("utf-8"))
        self._wal.flush()
        if self._fsync:
            os.fsync(self._wal.fileno())
        self._logged += 1
        if self._logged >= self._compact_after:
            self.compact()

    def _persist_snapshot(self) -> None:
        self.compact()

    # loading -------------------------------------------------------------------------------
    def _read_snapshot(self) -> dict[str, dict[str, Doc]]:
        # One read of TinyDB's storage: iterating table by table would parse the whole file
        # once per table, and the peak memory of a large state would follow.
        try:
            raw = self._db.storage.read() or {}
            data: dict[str, dict[str, Doc]] = {
                name: {str(key): doc for key, doc in rows.items()} for name, rows in raw.items()
            }
        except (ValueError, StoreError, AttributeError) as exc:
            raise StoreError(f"{self.path} is not a readable state file: {exc}") from exc
        return data

    def _replay_log(self) -> None:
        if not self.wal_path.exists():
            return
        good = 0
        with open(self.wal_path, "rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break
                try:
                    ops = json.loads(raw)
                except ValueError:
                    break
                for kind, table, arg in ops:
                    if kind == "p":
                        self._apply_put(table, arg)
                    else:
                        self._apply_delete(table, arg)
                good += len(raw)
        if good != self.wal_path.stat().st_size:
            with open(self.wal_path, "r+b") as handle:
                handle.truncate(good)

    def _tables_as_tinydb(self) -> dict[str, dict[str, Any]]:
        return {name: rows for name, rows in self._tables.items() if rows}
