"""curl, the client the reference's examples are written for, run for real: it sends the key's
``λ`` as raw UTF-8, which no Python client does by default."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest


def curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``curl -sS ARGS``, whatever its exit code (a TLS test checks refusals by the code)."""
    if shutil.which("curl") is None:
        pytest.fail("curl is not installed: these tests run the reference's curl lines for real")
    return subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=30, check=False)


def curl_json(*args: str) -> Any:
    """The JSON body of a curl run that must succeed (add ``--fail-with-body`` to refuse an
    HTTP error status too)."""
    done = curl(*args)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace") or done.stdout
    return json.loads(done.stdout)


def curl_status(*args: str) -> tuple[int, Any]:
    """The HTTP status and the JSON body of a curl run that reached the server."""
    done = curl("-w", "\n%{http_code}", *args)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    body, _, status = done.stdout.rpartition(b"\n")
    return int(status), json.loads(body)


def run_copied(command: str, key: str) -> subprocess.CompletedProcess[str]:
    """Run a "copy as curl" command as a user pastes it: in bash, with ``KEY`` set."""
    return subprocess.run(
        ["bash", "-c", command],
        env={**os.environ, "KEY": key},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
