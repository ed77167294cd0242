"""The README's own examples, run as a new user would run them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.support.process import EXECUTABLE, serve

pytest_plugins = ["pytester"]

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _block(language: str, after: str) -> str:
    section = README[README.index(after) :]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def test_the_curl_tour_works(tmp_path: Path) -> None:
    script = _block("sh", "## A two-minute tour")
    served = serve("--seed", "1", "--speed", "0", tmp=tmp_path)
    try:
        script = script.replace("http://127.0.0.1:8787", served.url)
        script = script.replace(
            ".venv/bin/lambda-emulator api-key create",
            f"{EXECUTABLE} api-key create --url {served.url}",
        )
        run = subprocess.run(
            ["bash", "-c", "set -euo pipefail\n" + script],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        served.stop()
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert '"plan":"professional"' in out
    assert '"status":"pending"' in out and '"status":"running"' in out
    assert re.search(r'"public_ip":"203\.0\.113\.\d+"', out)
    assert "API Key Created:" in out and "Key: λ_sk_" in out
    assert '"code":"invalid_request"' in out and '"field":"limit"' in out


@pytest.mark.slow
def test_the_pytest_example_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example=_block("python", "## In your pytest suite"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
