"""The CLI's scripting hooks, run as a CI script runs them: ``health --wait``, ``--ready-file``,
the access log, ``-V``, ``api-key list``/``revoke``, usage errors and exit status 2 for every
start-up value that cannot be used."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from lambda_emulator import __version__
from tests.support.keys import KEY as DEFAULT_KEY
from tests.support.process import EXECUTABLE, clean_env, run, serve


def _background(*args: str, tmp: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """``serve ARGS`` started as a script would (``&``), its stderr kept in a file."""
    log = tmp / f"serve-{time.monotonic_ns()}.log"
    with open(log, "wb") as stderr:
        proc = subprocess.Popen(
            [EXECUTABLE, "serve", *args],
            env=clean_env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return proc, log


def test_version_short_flag() -> None:
    result = run("-V")
    assert (result.returncode, result.stdout.strip()) == (0, f"lambda-emulator {__version__}")


def test_ready_file_then_health_wait_then_access_log(tmp_path: Path) -> None:
    ready = tmp_path / "run" / "ready.json"
    proc, log = _background("--port", "0", "--speed", "0", "--ready-file", str(ready), tmp=tmp_path)
    try:
        # what a CI script does after `serve … &`: wait for the file and a healthy answer
        waited = run("health", "--ready-file", str(ready), "--wait", "20")
        assert waited.returncode == 0, waited.stderr + log.read_text()
        document = json.loads(ready.read_text())
        assert set(document) == {"url", "port", "pid"}
        assert document["pid"] == proc.pid
        assert document["url"] == f"http://127.0.0.1:{document['port']}"
        assert document["port"] > 0
        assert waited.stdout.startswith(f"healthy: {document['url']}/_emulator/health")
        again = run("health", "--url", document["url"], "--wait", "10")
        assert again.returncode == 0, again.stderr

        secret = "λ_sk_notasecretbutsecret1"
        key = DEFAULT_KEY.encode()
        with httpx.Client(base_url=document["url"], timeout=10) as client:
            answered = client.get("/v1/account", headers={b"Authorization": b"Bearer " + key})
            client.get(
                "/v1/instances",
                params={"api_key": secret},
                headers={b"X-API-Key": secret.encode()},
            )
            client.post("/_emulator/clock/advance", json={"seconds": 1})
        request_id = answered.headers["x-request-id"]
    finally:
        proc.terminate()
        assert proc.wait(15) == 0
    assert not ready.exists(), "a stopped emulator left its ready file"
    text = log.read_text(encoding="utf-8")
    line = re.search(rf"GET /v1/account 200 \d+\.\d+ms {request_id}$", text, re.M)
    assert line, text
    assert re.search(r"GET /v1/instances 401 \d+\.\d+ms req_\w+$", text, re.M), text
    assert "/_emulator" not in text.split("Application startup complete.")[1]
    assert "secret" not in text and "api_key" not in text


def test_health_wait_gives_up_with_status_1() -> None:
    started = time.monotonic()
    result = run("health", "--url", "http://127.0.0.1:9", "--wait", "0.5")
    assert result.returncode == 1
    assert 0.5 <= time.monotonic() - started < 10
    assert result.stderr.count("unhealthy") == 1, result.stderr
    bad = run("health", "--wait", "soon")
    assert bad.returncode == 2
    assert "usage: lambda-emulator health" in bad.stderr and "--wait" in bad.stderr


def test_api_key_list_and_revoke(tmp_path: Path) -> None:
    served = serve("--speed", "0", tmp=tmp_path)
    try:
        created = run("api-key", "create", "--name", "ci-bot", "--url", served.url)
        assert created.returncode == 0, created.stderr
        secret = re.search(r"^Key: (\S+)$", created.stdout, re.M)
        assert secret
        listed = run("api-key", "list", "--url", served.url)
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.splitlines()[0].split() == [
            "ID",
            "NAME",
            "KEY",
            "PERMISSIONS",
            "LAST",
            "USED",
        ]
        row = next(line for line in listed.stdout.splitlines() if "ci-bot" in line)
        key_id = row.split()[0]
        assert key_id.startswith("key_")
        assert secret.group(1) not in listed.stdout and secret.group(1)[-4:] in row
        revoked = run("api-key", "revoke", key_id, "--url", served.url)
        assert (revoked.returncode, revoked.stdout.strip()) == (0, f"API key {key_id} revoked.")
        with served.client(secret.group(1)) as client:
            assert client.get("/v1/account").status_code == 401
        again = run("api-key", "revoke", key_id, "--url", served.url)
        assert again.returncode == 1 and "not_found" in again.stderr
    finally:
        served.stop()


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["api-key"], "usage: lambda-emulator api-key"),
        (["api-key", "revoke"], "usage: lambda-emulator api-key revoke"),
        (["serve", "--speed", "fast"], "usage: lambda-emulator serve"),
        (["serve", "--cors-origin", "localhost"], "usage: lambda-emulator serve"),
    ],
)
def test_usage_errors_show_the_subcommands_usage(args: list[str], usage: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert usage in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_bad_fixtures_json_exits_2_naming_the_flag(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text("{not json")
    result = run("serve", "--port", "0", "--fixtures", str(fixtures))
    assert result.returncode == 2
    assert f"--fixtures {fixtures}: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_read_only_state_directory_exits_2_naming_the_flag_not_the_log(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes through a mode-0555 folder; sysfs refuses new files even to root
        folder = Path("/sys")
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
    state = folder / "state.json"
    result = run("serve", "--port", "0", "--state-file", str(state))
    assert result.returncode == 2, result.stderr
    assert f"--state-file {state}: cannot write state in {folder}" in result.stderr
    assert ".wal" not in result.stderr
    assert "Traceback" not in result.stderr
