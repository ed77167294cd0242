"""The monitoring and billing docs show what the emulator really answers."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle

ROOT = Path(__file__).resolve().parents[2]


def _examples() -> ModuleType:
    path = ROOT / "scripts" / "monitoring_billing_examples.py"
    spec = importlib.util.spec_from_file_location("monitoring_billing_examples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_blocks_match_a_fresh_run_of_the_emulator() -> None:
    examples = _examples()
    blocks = examples.generate()
    for name, text in blocks.items():
        doc = (ROOT / examples.DOCS[name]).read_text(encoding="utf-8")
        match = examples.block_pattern(name).search(doc)
        assert match is not None, f"{examples.DOCS[name]} lacks the '{name}' example"
        assert match.group(2) == text, (
            f"{examples.DOCS[name]}: the '{name}' example is stale; "
            "run python scripts/monitoring_billing_examples.py --write"
        )


def test_the_estimate_curl_command_in_the_docs_works(lambda_emulator: EmulatorHandle) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.fail("curl is not installed: .ci/run installs it (apt-get install curl)")
    doc = (ROOT / "docs" / "billing.md").read_text(encoding="utf-8")
    command = re.search(r'curl -s "(http://[^"]+estimate[^"]+)" \\\n  -H "([^"]+)"', doc)
    assert command is not None
    url = command.group(1).replace("http://127.0.0.1:8787", lambda_emulator.url)
    done = subprocess.run(
        [curl, "-s", url, "-H", command.group(2)], capture_output=True, timeout=30, check=True
    )
    shown = re.search(r"<!-- example:estimate -->\n```json\n(.*?)\n```", doc, re.DOTALL)
    assert shown is not None
    assert json.loads(done.stdout)["data"] == json.loads(shown.group(1))
