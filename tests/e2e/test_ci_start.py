"""The CI hook as a CI job runs it: ``scripts/ci-start.sh`` (what ``action.yml`` runs) starts the
installed command in the background, waits on its ready file and health, and hands out the URL
and key both as shell exports and as GitHub Action outputs."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx
import yaml  # type: ignore[import-untyped]

from tests.support.process import EXECUTABLE, clean_env

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ci-start.sh"


def _start(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = clean_env(
        {
            "LAMBDA_EMULATOR_EXE": EXECUTABLE,
            "RUNNER_TEMP": str(tmp_path),
            "GITHUB_OUTPUT": str(tmp_path / "github-output"),
            **env,
        }
    )
    return subprocess.run(
        ["bash", str(SCRIPT), *args], env=environment, capture_output=True, text=True, timeout=60
    )


def test_ci_start_serves_and_hands_out_url_and_key(tmp_path: Path) -> None:
    started = _start(tmp_path, "--seed", "7", "--speed", "0")
    assert started.returncode == 0, started.stderr
    outputs = dict(
        line.split("=", 1)
        for line in (tmp_path / "github-output").read_text(encoding="utf-8").splitlines()
    )
    pid = int(outputs["pid"])
    try:
        assert outputs["url"].startswith("http://127.0.0.1:")
        assert outputs["api-key"] == "λ_sk_1234567890abcdef"
        exported = subprocess.run(
            ["bash", "-c", started.stdout + 'echo "$LAMBDA_EMULATOR_URL $LAMBDA_EMULATOR_API_KEY"'],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        assert exported == [outputs["url"], outputs["api-key"]]
        key = outputs["api-key"].encode()
        answer = httpx.get(
            outputs["url"] + "/v1/account", headers={b"Authorization": b"Bearer " + key}
        )
        assert answer.status_code == 200
        log = Path(outputs["log-file"]).read_text(encoding="utf-8")
        assert "Seed       7" in log
    finally:
        os.kill(pid, signal.SIGTERM)


def test_ci_start_reports_a_start_that_fails(tmp_path: Path) -> None:
    failed = _start(tmp_path, "--speed", "fast", WAIT="3")
    assert failed.returncode == 1
    assert "did not become healthy" in failed.stderr
    assert "--speed: 'fast' is not a valid factor" in failed.stderr
    assert not (tmp_path / "github-output").exists()


def test_the_action_runs_the_tested_script() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["outputs"]) >= {"url", "api-key", "pid"}
    start = next(step for step in action["runs"]["steps"] if step.get("id") == "start")
    assert '"$GITHUB_ACTION_PATH/scripts/ci-start.sh"' in start["run"]
    assert "${{" not in start["run"]  # inputs reach the script through env, never the shell text
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.start.outputs.{name} }}}}"
