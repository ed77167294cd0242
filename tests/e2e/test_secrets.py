"""No secret in plain text at rest or in logs (SPEC §2, §9), over the real CLI.

``lambda-emulator serve --state-file … --log-level debug`` runs as a subprocess; the test creates
API keys and webhooks with secrets, uses the keys every way a client can (``Authorization``,
``X-API-Key``, the metrics stream's ``?api_key=`` and its handshake headers, an Idempotency-Key
on key creation), then looks for every secret in: the state file and its ``.wal``, the state
export, the request journal, and everything the server printed. What must be there instead is
checked too: API keys as SHA-256 hashes, webhook secrets as Fernet tokens (key in ``PATH.key``,
mode 0600, never inside the state file).
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.support.envelope import ok

DEFAULT_KEY = "λ_sk_securitytestdefault0001"
WEBHOOK_SECRETS = ["whsec-first-Zq81xKc0", "whsec-patched-Rr27bLm4", "whsec-second-Vv55nPq9"]
#: The frozen clock's reading: the instance is created on a minute, so stream periods are known.
START = "2026-01-24T10:30:00Z"


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    state_file: Path
    stdout: Path
    stderr: Path

    def client(self, key: str = DEFAULT_KEY, header: str = "Authorization") -> httpx.Client:
        value = key.encode() if header != "Authorization" else b"Bearer " + key.encode()
        return httpx.Client(base_url=self.url, headers={header.encode(): value}, timeout=30)

    def output(self) -> str:
        return (self.stdout.read_bytes() + self.stderr.read_bytes()).decode("utf-8", "replace")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    state_file = tmp_path / "state.json"
    out, errs = tmp_path / "stdout.log", tmp_path / "stderr.log"
    command = [sys.executable, "-m", "lambda_emulator", "serve", "--port", "0"]
    command += ["--state-file", str(state_file), "--log-level", "debug", "--api-key", DEFAULT_KEY]
    command += ["--seed", "7", "--speed", "0", "--transitions", "instant"]
    command += ["--start-time", START]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDA_EMULATOR_")}
    with errs.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
    assert process.stdout is not None
    # Copy everything the server prints to a file (the leak checks read it), and hand over the
    # URL as soon as the banner's line goes by: a blocking read, no polling.
    found: queue.Queue[str] = queue.Queue()

    def tee(pipe: IO[bytes]) -> None:
        with out.open("wb") as copy:
            for raw in pipe:
                copy.write(raw)
                copy.flush()
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("Root URL"):
                    found.put(line.split()[-1])
        found.put("")  # the server exited

    threading.Thread(target=tee, args=(process.stdout,), daemon=True).start()
    try:
        url = found.get(timeout=20)
    except queue.Empty:
        url = ""
    assert url, errs.read_text()
    try:
        yield Served(url, process, state_file, out, errs)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _stop(served: Served) -> None:
    """Graceful stop: uvicorn shuts down, then re-raises the SIGTERM it caught (exit -15)."""
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(20) in (0, -signal.SIGTERM), served.output()[-2000:]
    assert "Finished server process" in served.output()


def _forms(secret: str) -> list[str]:
    """Every way a secret could be written down: as is, without the ``λ_sk_`` prefix (the random
    part is the secret), percent-encoded, and as its UTF-8 bytes read as Latin-1."""
    tail = secret.removeprefix("λ_sk_")
    return sorted({secret, tail, quote(secret, safe=""), secret.encode().decode("latin-1")})


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [form for secret in secrets for form in _forms(secret) if form in text]


def _use_everything(served: Served) -> tuple[list[str], dict[str, Any]]:
    """Create keys and webhooks and use the keys every way; returns the key secrets."""
    with served.client() as admin:
        made = ok(admin.post("/v1/account/api-keys", json={"name": "ci"}), 201)
        again = admin.post(
            "/v1/account/api-keys",
            json={"name": "idempotent"},
            headers={"Idempotency-Key": "make-key-1"},
        )
        idem = ok(again, 201)
        replay = admin.post(
            "/v1/account/api-keys",
            json={"name": "idempotent"},
            headers={"Idempotency-Key": "make-key-1"},
        )
        assert replay.headers["idempotent-replayed"] == "true"
        assert ok(replay, 201)["key"] == idem["key"]
        doomed = ok(admin.post("/v1/account/api-keys", json={"name": "doomed"}), 201)
        ok(admin.delete(f"/v1/account/api-keys/{doomed['id']}"))
        instance = ok(
            admin.post(
                "/v1/instances",
                json={
                    "name": "web",
                    "instance_type": "compute-2x",
                    "region": "us-west-1",
                    "image": "ubuntu-22.04",
                },
            ),
            201,
        )
    keys = [made["key"], idem["key"], doomed["key"]]
    with served.client(made["key"], header="X-API-Key") as by_header:
        hook = ok(
            by_header.post(
                "/v1/webhooks",
                json={
                    "url": "http://127.0.0.1:9/hook",
                    "events": ["instance.*"],
                    "secret": WEBHOOK_SECRETS[0],
                },
            ),
            201,
        )
        assert "secret" not in hook
        patched = by_header.patch(f"/v1/webhooks/{hook['id']}", json={"secret": WEBHOOK_SECRETS[1]})
        assert "secret" not in ok(patched)
    with served.client(idem["key"]) as bearer:
        ok(
            bearer.post(
                "/v1/webhooks",
                json={
                    "url": "http://127.0.0.1:9/other",
                    "events": ["*"],
                    "secret": WEBHOOK_SECRETS[2],
                },
                headers={"Idempotency-Key": "make-hook-1"},
            ),
            201,
        )
        # A key where it does not belong (a query string of the HTTP API) must not leak either.
        bearer.get("/v1/instances", params={"api_key": made["key"]})
    with served.client(doomed["key"]) as revoked:
        assert revoked.get("/v1/account").status_code == 401
    stream = served.url.replace("http://", "ws://") + f"/v1/instances/{instance['id']}"
    stream += "/metrics/stream"
    assert instance["created_at"] == START
    # Each stream opens with the key, and samples come only as the frozen clock is advanced:
    # one period on, the very next message is the one for the period just finished (a stream
    # opened after the first period also sends that one at once, before the advance).
    for minute, (url, headers) in enumerate(
        [
            (f"{stream}?api_key={quote(made['key'], safe='')}&period=60", {}),
            (
                f"{stream}?period=60",
                {"Authorization": "Bearer " + idem["key"].encode().decode("latin-1")},
            ),
            (f"{stream}?period=60", {"X-API-Key": made["key"].encode().decode("latin-1")}),
        ]
    ):
        with connect(url, additional_headers=headers) as ws:
            if minute:
                assert _sample(ws) == f"2026-01-24T10:3{minute - 1}:00Z"
            with httpx.Client(base_url=served.url, timeout=30) as control:
                ok(control.post("/_emulator/clock/advance", json={"seconds": 60}))
            assert _sample(ws) == f"2026-01-24T10:3{minute}:00Z"
    return keys, instance


def _sample(ws: ClientConnection) -> str:
    """The timestamp of the next stream message."""
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return str(message["timestamp"])


def test_no_secret_at_rest_in_the_journal_or_in_logs(served: Served) -> None:
    keys, _ = _use_everything(served)
    secrets = [*keys, *WEBHOOK_SECRETS]
    with httpx.Client(base_url=served.url, timeout=30) as control:
        exported = control.get("/_emulator/state").json()["data"]
        journal = control.get("/_emulator/requests", params={"limit": 1000}).text
    assert len(journal) > 1000  # the journal did record the requests above
    export_text = str(exported)
    assert _leaks(export_text, secrets) == []
    assert _leaks(journal, secrets) == []

    # What the export holds instead: hashes of keys, encrypted webhook secrets.
    stored_keys = exported["tables"]["api_keys"]
    hashes = {row["hash"] for row in stored_keys.values()}
    for key in [*keys, DEFAULT_KEY]:
        assert hashlib.sha256(key.encode()).hexdigest() in hashes
    for row in stored_keys.values():
        assert "key" not in row and "secret" not in row
    for hook in exported["tables"]["webhooks"].values():
        assert "secret" not in hook
        assert hook["secret_encrypted"].startswith("gAAAAA")  # a Fernet token
    assert _leaks(export_text, [DEFAULT_KEY]) == []

    _stop(served)
    at_rest = {
        path.name: path.read_bytes().decode("utf-8", "replace")
        for path in served.state_file.parent.glob(served.state_file.name + "*")
        if path.suffix != ".key"
    }
    assert served.state_file.name in at_rest, sorted(at_rest)
    for name, text in at_rest.items():
        assert _leaks(text, [*secrets, DEFAULT_KEY]) == [], name
    key_file = Path(str(served.state_file) + ".key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text().strip() not in "".join(at_rest.values())

    output = served.output()
    assert "WebSocket" in output and "api_key=[redacted]" in output  # debug logs were on
    assert _leaks(output, secrets) == []
    # The default key is printed once, by design, in the start-up banner, and nowhere else.
    lines = [line for line in output.splitlines() if _leaks(line, [DEFAULT_KEY])]
    assert [line.split() for line in lines] == [["API", "key", DEFAULT_KEY]]
