"""The default store: everything in memory, gone when the process ends."""

from __future__ import annotations

from lambda_emulator.storage.base import TableStore

__all__ = ["MemoryStore"]


class MemoryStore(TableStore):
    """Tables in memory; ``TableStore`` already does all the work."""
