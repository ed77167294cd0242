"""The ``lambda_emulator`` fixture as a user meets it: their own test file, run by pytest.

Runs a user's test module with ``pytester``, in-process and under ``pytest-xdist -n 2``, and
checks what the fixture promises: a real server, the default key, a reset before every test,
a frozen clock moved only by ``advance``, and accounts isolated from each other.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import httpx

START = "2026-01-24T10:30:00Z"


def test_url_and_default_key(lambda_emulator):
    assert lambda_emulator.url.startswith("http://127.0.0.1:")
    assert lambda_emulator.api_key == "λ_sk_1234567890abcdef"
    key = lambda_emulator.api_key.encode("utf-8")
    response = httpx.get(lambda_emulator.url + "/v1/account", headers={b"X-API-Key": key})
    assert response.status_code == 200
    assert response.json()["data"]["plan"] == "professional"


def test_1_leaves_state_behind(lambda_emulator):
    with lambda_emulator.client() as client:
        assert client.patch("/v1/account", json={"name": "dirty"}).status_code == 200
        assert client.post("/v1/account/api-keys", json={"name": "leftover"}).status_code == 201
    lambda_emulator.advance(3600)


def test_2_starts_from_a_reset(lambda_emulator):
    with lambda_emulator.client() as client:
        assert client.get("/v1/account").json()["data"]["name"] != "dirty"
        names = [k["name"] for k in client.get("/v1/account/api-keys").json()["data"]]
        assert names == ["default"]
    assert lambda_emulator.now() == START


def test_reset_inside_a_test(lambda_emulator):
    with lambda_emulator.client() as client:
        client.post("/v1/account/api-keys", json={"name": "temporary"})
        lambda_emulator.reset()
        assert len(client.get("/v1/account/api-keys").json()["data"]) == 1


def test_clock_is_frozen_and_advances(lambda_emulator):
    assert lambda_emulator.now() == START
    assert lambda_emulator.now() == START
    lambda_emulator.advance(90)
    assert lambda_emulator.now() == "2026-01-24T10:31:30Z"
    with lambda_emulator.client() as client:
        created = client.post("/v1/account/api-keys", json={"name": "later"}).json()["data"]
    assert created["created_at"] == "2026-01-24T10:31:30Z"


def test_new_account_is_isolated(lambda_emulator):
    other = lambda_emulator.new_account("free")
    assert other.plan == "free" and other.api_key.startswith("λ_sk_")
    with lambda_emulator.client(other.api_key) as theirs, lambda_emulator.client() as mine:
        account = theirs.get("/v1/account").json()["data"]
        assert (account["id"], account["plan"]) == (other.id, "free")
        assert mine.get("/v1/account").json()["data"]["id"] != other.id
        key = theirs.post("/v1/account/api-keys", json={"name": "theirs"}).json()["data"]
        # another account's key is invisible: not in my list, and 404 (not 403) by id
        assert "theirs" not in [k["name"] for k in mine.get("/v1/account/api-keys").json()["data"]]
        refused = mine.delete(f"/v1/account/api-keys/{key['id']}")
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"
        assert theirs.get("/v1/account").status_code == 200
"""


def test_fixture_in_process(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_fixture_options_reach_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_options="""
        def test_seed_and_speed(lambda_emulator):
            health = lambda_emulator.control("GET", "health")
            clock = lambda_emulator.control("GET", "clock")
            assert (health["seed"], clock["speed"]) == (11, 0.0)
        """
    )
    pytester.makeini("[pytest]\nlambda_emulator_speed = 5\n")
    # the command line beats the ini file
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--lambda-emulator-seed=11", "--lambda-emulator-speed=0"
    )
    result.assert_outcomes(passed=1)


XDIST_TESTS = """
import json
import os

import pytest


@pytest.mark.parametrize("n", range(8))
def test_each_worker_has_its_own_emulator(lambda_emulator, worker_id, n):
    name = f"{worker_id}-{n}"
    with lambda_emulator.client() as client:
        created = client.post("/v1/account/api-keys", json={"name": name})
        assert created.status_code == 201
        names = sorted(k["name"] for k in client.get("/v1/account/api-keys").json()["data"])
    assert names == sorted(["default", name])
    record = {"worker": worker_id, "url": lambda_emulator.url, "pid": os.getpid()}
    with open(os.environ["RECORD_DIR"] + f"/{worker_id}.jsonl", "a") as out:
        out.write(json.dumps(record) + "\\n")
"""


@pytest.mark.slow
def test_fixture_under_xdist_gives_each_worker_its_own_server(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = tmp_path / "records"
    records.mkdir()
    monkeypatch.setenv("RECORD_DIR", str(records))
    pytester.makepyfile(test_parallel=XDIST_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", timeout=120)
    result.assert_outcomes(passed=8)
    by_worker: dict[str, set[str]] = {}
    for path in records.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            by_worker.setdefault(record["worker"], set()).add(record["url"])
    assert sorted(by_worker) == ["gw0", "gw1"], by_worker
    # one server per worker for the whole session, and never the same one
    assert all(len(urls) == 1 for urls in by_worker.values()), by_worker
    assert by_worker["gw0"] != by_worker["gw1"]
