"""``--state-file`` against ``kill -9``: every write answered 2xx is there after a restart.

The server is a real process killed with SIGKILL (no shutdown hook runs, the journal is not
folded into the snapshot), then started again on the same file. Secrets must never reach the
disk in plain text: only the digest, the public prefix and the last four characters.
"""

from __future__ import annotations

import random
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.envelope import ok
from tests.support.keys import KEY
from tests.support.process import Served, serve

pytestmark = pytest.mark.slow  # crash rounds: real processes killed and restarted

ARGS = ("--no-rate-limits", "--log-level", "warning")


def _state_bytes(state: Path) -> bytes:
    wal = state.with_name(state.name + ".wal")
    return b"".join(path.read_bytes() for path in (state, wal) if path.exists())


def _assert_no_secret_on_disk(state: Path, secrets: list[str]) -> None:
    on_disk = _state_bytes(state)
    assert on_disk, "nothing was written to the state file"
    for secret in [*secrets, KEY]:
        assert secret.encode("utf-8") not in on_disk
        # nor the part a listing never shows (between the public prefix and the last four)
        hidden = secret[len("λ_sk_") + 4 : -4]
        assert hidden.encode("utf-8") not in on_disk, f"the middle of {secret[:9]}… is on disk"


def _kill(served: Served) -> None:
    served.proc.send_signal(signal.SIGKILL)
    assert served.proc.wait(10) == -signal.SIGKILL
    served.kill()


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    served = serve("--state-file", str(state), "--seed", "4", *ARGS, tmp=tmp_path)
    with served.client() as client:
        ok(client.patch("/v1/account", json={"name": "Acme", "email": "ops@acme.test"}))
        keys = [
            ok(client.post("/v1/account/api-keys", json={"name": f"k{i}"}), 201) for i in range(3)
        ]
        ok(client.delete(f"/v1/account/api-keys/{keys[0]['id']}"))
        # the last write: answered, and the process dies before doing anything else
        ok(client.patch("/v1/account", json={"name": "Acme Final"}))
        _kill(served)
    _assert_no_secret_on_disk(state, [k["key"] for k in keys])

    # a restart with another seed: what was stored does not depend on regenerating it
    again = serve("--state-file", str(state), "--seed", "5", *ARGS, tmp=tmp_path)
    try:
        with again.client() as client:
            account = ok(client.get("/v1/account"))
            assert (account["name"], account["email"]) == ("Acme Final", "ops@acme.test")
            listed = {k["name"] for k in ok(client.get("/v1/account/api-keys"))}
            assert listed == {"default", "k1", "k2"}
        for key in keys[1:]:
            with again.client(key["key"]) as client:
                assert ok(client.get("/v1/account"))["name"] == "Acme Final"
        with again.client(keys[0]["key"]) as client:
            revoked = client.get("/v1/account")
            assert revoked.status_code == 401
            assert "revoked" in revoked.json()["error"]["message"]
        with again.client() as client:  # new ids do not collide with the restored ones
            fresh = ok(client.post("/v1/account/api-keys", json={"name": "k3"}), 201)
            assert fresh["id"] not in {k["id"] for k in keys}
    finally:
        assert again.stop() == 0
    _assert_no_secret_on_disk(state, [k["key"] for k in keys] + [fresh["key"]])


@dataclass
class _Stream:
    """What a writer saw acknowledged before the server died under it."""

    names: list[str] = field(default_factory=list)
    live: dict[str, str] = field(default_factory=dict)  # key id -> secret
    revoked: dict[str, str] = field(default_factory=dict)
    in_flight: str | None = None
    #: a key whose DELETE was sent but never answered: it may or may not have committed
    deleting: str | None = None
    acknowledged: int = 0
    enough: threading.Event = field(default_factory=threading.Event)


def _write_until_killed(served: Served, stream: _Stream, kill_after: int) -> None:
    """Create keys, rename the account and delete keys, one request at a time, until the
    connection fails; only 2xx answers count as acknowledged."""
    n = 0
    with served.client() as client:
        while True:
            n += 1
            try:
                if n % 3 == 1:
                    stream.in_flight = f"name-{n}"
                    ok(client.patch("/v1/account", json={"name": stream.in_flight}))
                    stream.names.append(stream.in_flight)
                elif n % 3 == 2 or len(stream.live) < 2:
                    created = ok(
                        client.post("/v1/account/api-keys", json={"name": f"key-{n}"}), 201
                    )
                    stream.live[created["id"]] = created["key"]
                else:
                    victim = stream.deleting = next(iter(stream.live))
                    ok(client.delete(f"/v1/account/api-keys/{victim}"))
                    stream.revoked[victim] = stream.live.pop(victim)
                    stream.deleting = None
            except httpx.TransportError:
                return
            stream.in_flight = None
            stream.acknowledged += 1
            if stream.acknowledged >= kill_after:
                stream.enough.set()


ROUNDS = 20


def _check_round(served: Any, stream: _Stream, round_: int) -> None:
    """What the killed round acknowledged is all there after the restart."""
    with served.client() as client:
        name = ok(client.get("/v1/account"))["name"]
        # the last acknowledged rename, or one that committed but was never answered
        assert name in {stream.names[-1], stream.in_flight}, (round_, name)
        listed = {k["id"] for k in ok(client.get("/v1/account/api-keys"))}
    # a DELETE in flight at the kill may have committed unanswered: that key may be gone
    assert set(stream.live) - {stream.deleting} <= listed, round_
    assert not set(stream.revoked) & listed, round_
    for key_id, secret in stream.live.items():
        if key_id == stream.deleting and key_id not in listed:
            continue
        with served.client(secret) as client:
            assert client.get("/v1/account").status_code == 200
    for secret in stream.revoked.values():
        with served.client(secret) as client:
            assert client.get("/v1/account").status_code == 401
    with served.client() as client:  # clean up the keys so the quota never fills
        for key_id in stream.live:
            if key_id in listed:
                ok(client.delete(f"/v1/account/api-keys/{key_id}"))


def test_sigkill_during_a_stream_of_writes(tmp_path: Path) -> None:
    """Twenty rounds: start on the state file, check what the last round acknowledged, write
    until a random count is acknowledged, then SIGKILL with a request usually in flight."""
    state = tmp_path / "state.json"
    chance = random.Random(7)
    secrets: list[str] = []
    names: list[str] = []
    previous: _Stream | None = None
    for round_ in range(ROUNDS + 1):
        served = serve("--state-file", str(state), *ARGS, tmp=tmp_path)
        if previous is not None:
            try:
                _check_round(served, previous, round_)
            except BaseException:
                _kill(served)
                raise
        if round_ == ROUNDS:
            assert served.stop() == 0
            break
        stream = _Stream()
        writer = threading.Thread(
            target=_write_until_killed, args=(served, stream, chance.randint(3, 30))
        )
        writer.start()
        assert stream.enough.wait(20), "the writer made no progress"
        _kill(served)  # while the writer keeps going: a request is usually in flight
        writer.join(10)
        assert not writer.is_alive()
        secrets += [*stream.live.values(), *stream.revoked.values()]
        names += stream.names
        previous = stream
    assert len(names) >= ROUNDS
    _assert_no_secret_on_disk(state, secrets)
