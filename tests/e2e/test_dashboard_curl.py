""" "Copy as curl" (``static/js/curl.js``, run by node) on awkward requests: every command, run
with real curl and ``KEY`` set, makes the emulator record the same request again."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.curl import run_copied
from tests.support.keys import KEY

CURL_JS = Path(__file__).resolve().parents[2] / "lambda_emulator/dashboard/static/js/curl.js"
TRANSPORT = {"host", "user-agent", "accept-encoding", "connection", "content-length"}


def _commands(entries: list[dict[str, Any]], origin: str) -> list[str]:
    script = (
        f"import {{ curlFor }} from {json.dumps(CURL_JS.as_uri())};"
        "let input = ''; process.stdin.on('data', (c) => (input += c));"
        "process.stdin.on('end', () => { const { entries, origin } = JSON.parse(input);"
        "console.log(JSON.stringify(entries.map((e) => curlFor(e, origin)))); });"
    )
    run = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps({"entries": entries, "origin": origin}),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    commands: list[str] = json.loads(run.stdout)
    return commands


def _same(first: dict[str, Any], again: dict[str, Any]) -> None:
    for name in ("method", "path", "query", "request_body", "status", "account_id"):
        assert again[name] == first[name], (name, first[name], again[name])
    headers = {k: v for k, v in first["request_headers"].items() if k not in TRANSPORT}
    assert {k: again["request_headers"].get(k) for k in headers} == headers


def test_awkward_requests_replay_exactly(lambda_emulator: EmulatorHandle) -> None:
    if shutil.which("node") is None or shutil.which("curl") is None:
        pytest.fail("node and curl are needed (apt-get install nodejs curl)", pytrace=False)
    bearer = {"Authorization": b"Bearer " + KEY.encode()}
    with httpx.Client(base_url=lambda_emulator.url) as c:
        created = c.post(
            "/v1/instances",
            headers={**bearer, "X-Note": 'say "hi" `now` $(id) \\ done'},
            json={
                "name": "odd-1",
                "instance_type": "compute-2x",
                "region": "us-west-1",
                "image": "ubuntu-22.04",
                "tags": {
                    "quote": 'it\'s "x"',
                    "line": "a\nb",
                    "shell": "`id` $(id) $KEY",
                    "unicode": "λé",
                },
            },
        ).json()
        assert "data" in created, created
        created = created["data"]
        c.get("/v1/instances", params={"name": "odd 1&x=y", "sort": "name"}, headers=bearer)
        c.patch(
            f"/v1/instances/{created['id']}",
            json={"name": "odd-2"},
            headers={"X-API-Key": KEY.encode()},
        )
        c.get("/v1/account", params={"api_key": KEY}, headers=bearer)  # a 400, key in the query
        c.delete("/v1/instances/inst_nope", headers=bearer)
        c.get("/v1/account")  # no key: a 401, replayed as one
    entries = lambda_emulator.requests()
    assert len(entries) == 6
    commands = _commands(entries, lambda_emulator.url)
    for command in commands:
        assert KEY not in command
    lambda_emulator.clear_requests()
    for command in commands:
        run = run_copied(command, KEY)
        assert run.returncode == 0, (command, run.stderr)
    replayed = lambda_emulator.requests()
    assert [(e["method"], e["path"], e["query"]) for e in replayed] == [
        (e["method"], e["path"], e["query"]) for e in entries
    ]
    for first, again in zip(entries, replayed, strict=True):
        if first["method"] == "POST" or first["method"] == "PATCH":
            first = {**first, "status": again["status"]}  # a second create, a rename again: fine
        _same(first, again)
