"""Persistence behind one protocol, with a memory and a TinyDB implementation."""

from lambda_emulator.storage.memory import MemoryStore
from lambda_emulator.storage.protocol import Doc, Store, StoreError
from lambda_emulator.storage.tinydb_store import TinyDBStore

__all__ = ["Doc", "MemoryStore", "Store", "StoreError", "TinyDBStore"]
