"""The walk-through of ``docs/sdk-generation.md`` runs as written: its Python and TypeScript
examples create an instance and see it running, through clients generated from the served
documents with the commands the page shows (the clients come from the test cache, generated
with those commands; the installs and downloads of the page are not repeated)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.contract import sdkgen
from tests.contract.conftest import PATHS

pytestmark = pytest.mark.slow
PAGE = (sdkgen.REPO / "docs" / "sdk-generation.md").read_text(encoding="utf-8")
DOCUMENTED_URL = "http://127.0.0.1:8787"


def _block(language: str) -> str:
    [code] = re.findall(rf"```{language}\n(.*?)```", PAGE, flags=re.S)
    return str(code)


def _expect_created_and_running(output: str) -> None:
    assert re.search(r"Instance created: inst_[a-z0-9]+", output), output
    assert re.search(r"SSH: ssh lambda@203\.0\.113\.\d+", output), output


def test_the_python_example(
    lambda_emulator: EmulatorHandle, documents: dict[str, bytes], tmp_path: Path
) -> None:
    assert lambda_emulator.api_key == "λ_sk_1234567890abcdef"  # the key the page shows
    folders = [
        sdkgen.python_client(documents["public"], "lambda_api_client")[0],
        sdkgen.python_client(documents["control"], "lambda_control_client")[0],
    ]
    script = tmp_path / "example.py"
    script.write_text(_block("python").replace(DOCUMENTED_URL, lambda_emulator.url))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(f) for f in folders)}
    ran = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    _expect_created_and_running(ran.stdout)


def test_the_typescript_example(
    lambda_emulator: EmulatorHandle, documents: dict[str, bytes]
) -> None:
    example = _block("typescript")
    clients = {name: sdkgen.typescript_client(documents[name], name)[0] for name in PATHS}
    key = sdkgen.digest(documents["public"], documents["control"], example.encode())

    def compile_example(folder: Path) -> None:
        for name, target in (("public", "api"), ("control", "control")):
            shutil.copytree(clients[name] / "client", folder / target)
        (folder / "example.ts").write_text(example)
        tools = sdkgen.node_bin()
        command = re.search(r"`npx (tsc [^`]+)`", PAGE)
        assert command is not None
        tsc = [str(tools / "tsc"), *command.group(1).split()[1:]]
        tsc += ["--types", "node", "--typeRoots", str(tools.parent / "@types"), "--skipLibCheck"]
        compiled = sdkgen.run(tsc, folder)
        assert compiled.returncode == 0, compiled.stdout + compiled.stderr

    folder = sdkgen.built_once(f"ts-doc-example-{key}", compile_example)
    # compiled as written (and cached); the documented address becomes this emulator's
    compiled_js = (folder / "example.js").read_text()
    script = folder / f"example-{os.getpid()}.js"
    script.write_text(compiled_js.replace(DOCUMENTED_URL, lambda_emulator.url))
    try:
        ran = sdkgen.run(["node", script.name], folder, timeout=60)
    finally:
        script.unlink()
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "running" in ran.stdout
    _expect_created_and_running(ran.stdout)
