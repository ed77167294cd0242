"""The documented verification recipes, run for real on a delivery captured over loopback:
the reference's exact Node ``verifyWebhook`` with real ``node``, the docs' Node and Python
functions, and the docs' Node receiver and pytest example."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from lambda_emulator.testing.webhook_receiver import ReceivedDelivery
from tests.support.webhooks import SECRET, ping, subscribe

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"

#: Verbatim from the API reference's "Verify Signature" section.
REFERENCE_VERIFY = """const crypto = require("crypto");
function verifyWebhook(payload, signature, secret) {
const hmac = crypto.createHmac("sha256", secret);
const digest = "sha256=" + hmac.update(payload).digest("hex");
return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(digest));
}"""


def docs_block(name: str) -> str:
    """The fenced code block that follows ``<!-- docs-test: name -->`` in docs/webhooks.md."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- docs-test: {re.escape(name)} -->\n```[a-z]*\n(.*?)\n```", text, re.DOTALL
    )
    assert match, f"docs/webhooks.md has no block marked docs-test: {name}"
    return match.group(1)


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "node is not installed: the webhook signature tests run the reference's Node "
            "verifyWebhook with real node. Install Node.js (Debian/Ubuntu: apt-get install "
            "nodejs); .ci/run does this in CI."
        )
    return found


@pytest.fixture
def captured(lambda_emulator: EmulatorHandle) -> ReceivedDelivery:
    """A real delivery, with non-ASCII data in it, as the receiver got it off the wire."""
    receiver = lambda_emulator.webhook_receiver()
    with lambda_emulator.client() as client:
        hook = subscribe(client, receiver.url, ["*"])
        client.patch(f"/v1/webhooks/{hook['id']}", json={"description": "café ☕ λ"})
        ping(client, hook["id"])
    return receiver.wait_for("webhook.ping", timeout=5)


def _variants(delivery: ReceivedDelivery) -> list[tuple[str, bytes, str, str]]:
    """(case, raw body, header, secret): the real one, one flipped byte, a wrong secret."""
    raw, header = delivery.raw_body, str(delivery.header("X-Lambda-Signature"))
    flipped = bytearray(raw)
    flipped[raw.index(b"webhook.ping")] ^= 0x01
    return [
        ("real", raw, header, SECRET),
        ("flipped_byte", bytes(flipped), header, SECRET),
        ("wrong_secret", raw, header, SECRET + "!"),
    ]


def _run_node(node: str, tmp_path: Path, script: str, cases: list[Any]) -> dict[str, Any]:
    files = []
    for name, raw, header, secret in cases:
        path = tmp_path / f"{name}.body"
        path.write_bytes(raw)
        files.append({"name": name, "path": str(path), "header": header, "secret": secret})
    (tmp_path / "cases.json").write_text(json.dumps(files))
    (tmp_path / "check.js").write_text(script)
    done = subprocess.run(
        [node, str(tmp_path / "check.js"), str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_reference_node_verify_webhook_accepts_a_real_delivery_only(
    node: str, captured: ReceivedDelivery, tmp_path: Path
) -> None:
    script = (
        REFERENCE_VERIFY
        + """
const fs = require("fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {};
for (const c of cases) {
  out[c.name] = verifyWebhook(fs.readFileSync(c.path), c.header, c.secret);
}
console.log(JSON.stringify(out));
"""
    )
    result = _run_node(node, tmp_path, script, _variants(captured))
    assert result == {"real": True, "flipped_byte": False, "wrong_secret": False}


def test_docs_node_recipes_verify_header_and_body_signature(
    node: str, captured: ReceivedDelivery, tmp_path: Path
) -> None:
    (tmp_path / "verify.js").write_text(docs_block("node"))
    script = """
const fs = require("fs");
const { verifyWebhook, verifyBodySignature } = require("./verify");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {};
for (const c of cases) {
  const raw = fs.readFileSync(c.path);
  out[c.name] = [verifyWebhook(raw, c.header, c.secret), verifyBodySignature(raw, c.secret)];
}
console.log(JSON.stringify(out));
"""
    result = _run_node(node, tmp_path, script, _variants(captured))
    assert result == {
        "real": [True, True],
        "flipped_byte": [False, False],
        "wrong_secret": [False, False],
    }


def test_docs_python_recipes_verify_header_and_body_signature(
    captured: ReceivedDelivery,
) -> None:
    namespace: dict[str, Any] = {}
    exec(docs_block("python"), namespace)
    verify_webhook: Callable[[bytes, str, str], bool] = namespace["verify_webhook"]
    verify_body: Callable[[bytes, str], bool] = namespace["verify_body_signature"]
    outcomes = {
        name: (verify_webhook(raw, header, secret), verify_body(raw, secret))
        for name, raw, header, secret in _variants(captured)
    }
    assert outcomes == {
        "real": (True, True),
        "flipped_byte": (False, False),
        "wrong_secret": (False, False),
    }


def test_docs_node_receiver_verifies_a_live_delivery(
    node: str, lambda_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    import socket

    (tmp_path / "verify.js").write_text(docs_block("node"))
    (tmp_path / "receiver.js").write_text(docs_block("node-receiver"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PORT": str(port), "WEBHOOK_SECRET": SECRET}
    proc = subprocess.Popen(
        [node, "receiver.js"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == f"listening on {port}"
        with lambda_emulator.client() as client:
            good = subscribe(client, f"http://127.0.0.1:{port}/webhook", ["*"])
            bad = subscribe(client, f"http://127.0.0.1:{port}/webhook", ["*"], "another-secret")
            first = ping(client, good["id"])
            second = ping(client, bad["id"])
        lambda_emulator.drain_webhooks()
        [accepted] = lambda_emulator.deliveries(webhook_id=good["id"])
        assert accepted["status"] == "succeeded"
        assert accepted["attempts"][0]["status_code"] == 204
        [refused] = lambda_emulator.deliveries(webhook_id=bad["id"])
        assert refused["status"] == "pending"
        assert refused["attempts"][0]["status_code"] == 401
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert out.splitlines() == [f"verified webhook.ping {first['event_id']}"]
    assert second["event_id"] not in out


def test_docs_pytest_example_runs(lambda_emulator: EmulatorHandle) -> None:
    namespace: dict[str, Any] = {}
    exec(docs_block("pytest"), namespace)
    namespace["test_instance_events_reach_my_app"](lambda_emulator)
