"""Schemathesis against ``/v1/openapi.json`` of a real emulator: every operation, all phases
(examples, coverage, fuzzing, stateful via the document's ``links``), derandomized.

A separate server is started for it: rate limits off (thousands of requests in one frozen
second), instant transitions (created resources are usable at once), strict response
validation (a response breaking its own schema is a 500, which the fuzzer reports), seed 0.
The checks are in ``schemathesis.toml`` next to this file; ``docs/fuzzing.md`` explains them.
After the run the request journal is read back to prove the run really exercised the API:
no 5xx, no 401 (the default key was sent, and stayed valid, throughout) and every operation
reached its handler with a success at least once or answered a deliberate 4xx.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lambda_emulator.process.server import EmulatorThread
from tests.support.keys import KEY
from tests.support.server import emulator_settings

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
HOOKS = HERE / "fuzz_hooks.py"
#: Wall-clock bound of the whole run; it normally takes well under a minute on 2 cores.
TIMEOUT_SECONDS = 240


#: Operations whose success needs ids from *another* resource in the body or a path with two
#: ids, which generated data never guesses and the stateful phase rarely chains in its budget.
#: They are still called (404/409/400 with a valid envelope); the set may shrink, never grow.
OUT_OF_REACH = {
    ("POST", "/snapshots"),  # a volume_id of an existing volume in the body
    ("GET", "/snapshots/{id}"),
    ("DELETE", "/snapshots/{id}"),
    ("POST", "/snapshots/{id}/restore"),
    ("POST", "/volumes/{id}/attach"),  # an instance_id in the body
    ("POST", "/volumes/{id}/detach"),  # an attached volume
    ("POST", "/instances/{id}/resize"),  # a catalogue type other than the current one
    ("POST", "/webhooks/{id}/deliveries/{delivery_id}/redeliver"),  # two ids
    ("GET", "/instances/{id}/metrics/stream"),  # a WebSocket: a plain GET is always 400
}


def schemathesis_command() -> list[str]:
    beside = Path(sys.executable).with_name("schemathesis")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("schemathesis")
    assert found, "schemathesis is not installed: pip install -e '.[dev]'"
    return [found]


def wire(key: str) -> str:
    """The key as schemathesis can send it: its UTF-8 bytes read as latin-1 go over the wire
    unchanged (exactly what curl sends), while a str with "λ" is refused as a header."""
    return key.encode("utf-8").decode("latin-1")


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[EmulatorThread]:
    server = EmulatorThread(
        emulator_settings(rate_limits=False, transitions="instant", journal_size=100_000)
    ).start()
    yield server
    server.stop()


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], re.Pattern[str]]:
    """(METHOD, templated path) → a regex matching its concrete paths."""
    ops: dict[tuple[str, str], re.Pattern[str]] = {}
    for path, item in document["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", "/v1" + path)
        for method in item:
            ops[(method.upper(), path)] = re.compile(f"^{pattern}$")
    return ops


@pytest.mark.slow
def test_schemathesis_finds_no_failure(fuzz_server: EmulatorThread, tmp_path: Path) -> None:
    url = fuzz_server.url
    command = [
        *schemathesis_command(),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{url}/v1/openapi.json",
        # the document's servers name serve's default address; this emulator is elsewhere
        "--url",
        f"{url}/v1",
        "--header",
        f"Authorization: Bearer {wire(KEY)}",
    ]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}".encode()}) as c:
        [own] = c.get("/v1/account/api-keys").json()["data"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS), "COLUMNS": "120"}
    env["FUZZ_KEEP_KEY_ID"] = own["id"]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-30_000:]

    with httpx.Client(base_url=url, timeout=30) as control:
        document = control.get("/v1/openapi.json").json()
        journal = control.get("/_emulator/requests", params={"limit": 100_000}).json()["data"]
    ops = _operations(document)
    assert f"Tested: {len(ops)}" in report, report[-5_000:]
    assert len(journal) > 1000, len(journal)
    statuses = collections.Counter(entry["status"] for entry in journal)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[401] == 0, statuses

    answered: dict[tuple[str, str], set[int]] = collections.defaultdict(set)
    for entry in journal:
        for op, pattern in ops.items():
            if entry["method"] == op[0] and pattern.match(entry["path"]):
                answered[op].add(entry["status"])
    never_called = sorted(set(ops) - set(answered))
    assert not never_called, never_called
    never_succeeded = {op for op, seen in answered.items() if not any(s < 300 for s in seen)}
    assert never_succeeded <= OUT_OF_REACH, "\n".join(map(str, sorted(never_succeeded)))
