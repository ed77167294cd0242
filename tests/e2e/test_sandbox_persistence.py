"""Sandboxes with ``--state-file`` survive a clean restart and ``kill -9``: the registry, every
world's documents, their keys and their reset state, in the one shared state file."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.envelope import err, ok
from tests.support.process import Served, serve
from tests.support.resources import INSTANCE_BODY

pytestmark = pytest.mark.slow


def _auth(key: str) -> dict[str, bytes]:
    return {"Authorization": f"Bearer {key}".encode()}


def _stop(served: Served, sig: int) -> None:
    served.proc.send_signal(sig)
    served.proc.wait(20)
    if served.proc.stdout is not None:
        served.proc.stdout.close()


def _populate(url: str) -> dict[str, Any]:
    with httpx.Client(base_url=url, timeout=10) as root:
        created = ok(
            root.post("/_emulator/sandboxes", json={"name": "kept", "transitions": "instant"}),
            201,
        )
        ok(root.post("/_emulator/sandboxes", json={"name": "dropped"}), 201)
        key = created["api_key"]
        instance = ok(
            root.post("/v1/instances", json={**INSTANCE_BODY, "name": "kept"}, headers=_auth(key)),
            201,
        )
        default_volume = ok(
            root.post(
                "/v1/volumes",
                json={"name": "default-world", "size_gb": 5, "region": "us-west-1"},
                headers=_auth("λ_sk_1234567890abcdef"),
            ),
            201,
        )
    return {"sandbox": created, "instance": instance, "volume": default_volume}


def _check(url: str, before: dict[str, Any]) -> None:
    sandbox, key = before["sandbox"], before["sandbox"]["api_key"]
    with httpx.Client(base_url=url, timeout=10) as root:
        names = {s["name"] for s in ok(root.get("/_emulator/sandboxes"))}
        assert names == {"default", "kept", "dropped"}
        instances = ok(root.get("/v1/instances", headers=_auth(key)))
        assert [i["id"] for i in instances] == [before["instance"]["id"]]
        assert instances[0]["status"] == "running"
        default = ok(root.get("/v1/volumes", headers=_auth("λ_sk_1234567890abcdef")))
        assert [v["id"] for v in default] == [before["volume"]["id"]]
        assert ok(root.get("/v1/volumes", headers=_auth(key))) == []
        # the sandbox's reset state came back too: a reset keeps its account and key
        ok(root.post(f"/_emulator/sandboxes/{sandbox['id']}/reset"))
        assert ok(root.get("/v1/instances", headers=_auth(key))) == []
        assert ok(root.get("/v1/account", headers=_auth(key)))["id"] == sandbox["account"]["id"]
        # and a deleted sandbox stays deleted
        ok(root.delete(f"/_emulator/sandboxes/{sandbox['id']}"))
        err(root.get("/v1/account", headers=_auth(key)), 401, "authentication_failed")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["restart", "kill-9"])
def test_sandboxes_survive_a_restart(tmp_path: Path, stop: int) -> None:
    state = tmp_path / "state.json"
    first = serve("--state-file", str(state), "--seed", "3", tmp=tmp_path)
    try:
        before = _populate(first.url)
    finally:
        _stop(first, stop)
    second = serve("--state-file", str(state), "--seed", "3", tmp=tmp_path)
    try:
        _check(second.url, before)
    finally:
        _stop(second, signal.SIGTERM)
    third = serve("--state-file", str(state), "--seed", "3", tmp=tmp_path)
    try:
        with httpx.Client(base_url=third.url, timeout=10) as root:
            assert {s["name"] for s in ok(root.get("/_emulator/sandboxes"))} == {
                "default",
                "dropped",
            }
    finally:
        _stop(third, signal.SIGTERM)
