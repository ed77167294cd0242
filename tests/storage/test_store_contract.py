"""One contract, both stores: whatever the memory store does, the TinyDB store does too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lambda_emulator.storage import MemoryStore, Store, StoreError, TinyDBStore


@pytest.fixture(params=["memory", "tinydb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made: Store = MemoryStore() if request.param == "memory" else TinyDBStore(tmp_path / "s.json")
    yield made
    made.close()


def doc(doc_id: str, account: str = "acct_a", **fields: object) -> dict[str, object]:
    return {"id": doc_id, "account_id": account, **fields}


def test_put_get_delete(store: Store) -> None:
    store.put("things", doc("t1", name="one"))
    assert store.get("things", "t1") == doc("t1", name="one")
    store.delete("things", "t1")
    assert store.get("things", "t1") is None
    store.delete("things", "t1")  # deleting what is gone is a no-op


def test_put_stores_a_copy(store: Store) -> None:
    original = doc("t1", tags={"env": "dev"})
    store.put("things", original)
    original["tags"]["env"] = "prod"  # type: ignore[index]
    assert store.get("things", "t1")["tags"] == {"env": "dev"}  # type: ignore[index]


def test_find_and_count_by_account_follow_updates(store: Store) -> None:
    store.put("things", doc("t1"))
    store.put("things", doc("t2"))
    store.put("things", doc("t3", account="acct_b"))
    assert {d["id"] for d in store.find("things", "acct_a")} == {"t1", "t2"}
    assert store.count("things") == 3 and store.count("things", "acct_b") == 1
    store.put("things", doc("t2", account="acct_b"))
    assert {d["id"] for d in store.find("things", "acct_b")} == {"t2", "t3"}
    store.delete("things", "t3")
    assert store.count("things", "acct_b") == 1
    assert store.tables() == ["things"]


def test_a_failed_transaction_changes_nothing(store: Store) -> None:
    store.put("things", doc("t1", n=1))
    with pytest.raises(RuntimeError), store.transaction():
        store.put("things", doc("t1", n=2))
        store.put("things", doc("t2"))
        store.delete("things", "t1")
        raise RuntimeError("boom")
    assert store.get("things", "t1") == doc("t1", n=1)
    assert store.get("things", "t2") is None
    assert store.count("things", "acct_a") == 1


def test_nested_transactions_join_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.put("things", doc("t1"))
        raise RuntimeError("outer fails after inner finished")
    assert store.get("things", "t1") is None


def test_replace_all_validates_before_changing_anything(store: Store) -> None:
    store.put("things", doc("t1"))
    with pytest.raises(StoreError):
        store.replace_all({"things": {"t9": doc("other-id")}})
    assert store.get("things", "t1") is not None
    store.replace_all({"widgets": {"w1": doc("w1")}})
    assert store.get("things", "t1") is None
    assert store.export() == {"widgets": {"w1": doc("w1")}}


def test_a_document_needs_a_string_id(store: Store) -> None:
    with pytest.raises(StoreError):
        store.put("things", {"name": "no id"})


# TinyDB-only: durability ---------------------------------------------------------------------

Reopen = Callable[[], TinyDBStore]


@pytest.fixture
def reopen(tmp_path: Path) -> Reopen:
    return lambda: TinyDBStore(tmp_path / "state.json")


def test_every_committed_write_survives_without_close(reopen: Reopen) -> None:
    first = reopen()
    first.put("things", doc("t1", n=1))
    with first.transaction():
        first.put("things", doc("t2"))
        first.put("things", doc("t1", n=2))
    first.delete("things", "t2")
    # no close(): as after kill -9, only the write-ahead log holds these
    second = reopen()
    assert second.export() == {"things": {"t1": doc("t1", n=2)}}


def test_a_torn_log_tail_is_dropped(reopen: Reopen) -> None:
    first = reopen()
    first.put("things", doc("t1"))
    first.put("things", doc("t2"))
    wal = first.wal_path
    data = wal.read_bytes()
    wal.write_bytes(data[:-7])  # the last record was cut mid-write
    second = reopen()
    assert set(second.export()["things"]) == {"t1"}
    second.put("things", doc("t3"))
    assert set(reopen().export()["things"]) == {"t1", "t3"}


def test_close_compacts_into_a_tinydb_file(reopen: Reopen, tmp_path: Path) -> None:
    from tinydb import TinyDB

    first = reopen()
    for n in range(5):
        first.put("things", doc(f"t{n}"))
    first.close()
    assert first.wal_path.read_bytes() == b""
    assert not list(tmp_path.glob("*.tmp"))
    with TinyDB(tmp_path / "state.json") as db:  # the snapshot is an ordinary TinyDB file
        assert len(db.table("things")) == 5
    assert len(reopen().export()["things"]) == 5


def test_compaction_threshold_keeps_the_log_short(tmp_path: Path, reopen: Reopen) -> None:
    first = TinyDBStore(tmp_path / "state.json", compact_after=10)
    for n in range(25):
        first.put("things", doc(f"t{n}"))
    assert first.wal_path.read_bytes().count(b"\n") == 5
    assert len(reopen().export()["things"]) == 25


def test_an_unreadable_state_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises((StoreError, ValueError)):
        TinyDBStore(tmp_path / "state.json")
