"""The Node example of docs/sandboxes.md runs as written: six ``node:test`` tests at once
against one emulator, each in a sandbox of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from lambda_emulator.testing.pytest_plugin import EmulatorHandle

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "node" / "sandboxes.test.mjs"


def test_node_tests_share_one_emulator_in_their_own_sandboxes(
    lambda_emulator: EmulatorHandle,
) -> None:
    node = shutil.which("node")
    assert node, "node is needed (.ci/run installs it: apt-get install nodejs)"
    result = subprocess.run(
        [node, "--test", str(EXAMPLE)],
        env={**os.environ, "LAMBDA_EMULATOR_URL": lambda_emulator.url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 6" in result.stdout and "# fail 0" in result.stdout
