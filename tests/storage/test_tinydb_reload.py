"""The TinyDB store reloads its snapshot and replays its log (after a clean close or a crash)."""

from __future__ import annotations

import json
from pathlib import Path

from lambda_emulator.storage import TinyDBStore


def test_snapshot_then_log_are_both_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = TinyDBStore(path)
    store.put("instances", {"id": "inst_a", "account_id": "acct_1", "name": "a"})
    store.close()  # compacts into the snapshot
    assert json.loads(path.read_text())["instances"]["inst_a"]["name"] == "a"
    store = TinyDBStore(path)
    assert store.get("instances", "inst_a") == {"id": "inst_a", "account_id": "acct_1", "name": "a"}
    with store.transaction():
        store.put("instances", {"id": "inst_b", "account_id": "acct_1", "name": "b"})
        store.delete("instances", "inst_a")
    # No close: as after kill -9, only the log has the last transaction.
    reopened = TinyDBStore(path)
    assert reopened.get("instances", "inst_a") is None
    assert [d["id"] for d in reopened.find("instances", "acct_1")] == ["inst_b"]
    reopened.close()


def test_a_torn_last_log_line_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = TinyDBStore(path)
    store.put("volumes", {"id": "vol_a", "account_id": "acct_1"})
    with open(store.wal_path, "ab") as wal:
        wal.write(b'[["p","volumes",{"id":"vol_b"')  # a crash in the middle of an append
    reopened = TinyDBStore(path)
    assert reopened.get("volumes", "vol_a") is not None
    assert reopened.get("volumes", "vol_b") is None
    reopened.close()
