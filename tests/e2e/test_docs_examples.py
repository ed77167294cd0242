"""Every code block in the README and ``docs/`` runs here, as printed, or says why it cannot.

A new user pastes the docs' examples; four of them used to fail (a placeholder key, a hard-coded
webhook id, a ``require("./verify")`` nobody was told to save, an hourly query over the default
one-hour window). So each fenced block is one of:

* run here: ``sh``/``bash`` blocks of one page in one shell, in order, against a fresh
  ``lambda-emulator serve`` (``127.0.0.1:8787`` in the text becomes its real address);
  ``python`` blocks as one pytest module when the page has tests, else each as a script;
  ``js`` blocks with node;
* run by a dedicated test: a ``<!-- docs-test: NAME -->`` marker whose NAME that test reads;
* shown data, not code: ``json``, ``http`` and ``text`` blocks, ``<!-- docs-test: output -->``,
  and ``<!-- example:NAME -->`` blocks (regenerated and compared by their own test);
* not runnable here: ``<!-- docs-test: skip — WHY -->``, WHY being the reason a reader sees.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.process import EXECUTABLE, clean_env, serve

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- ((?:docs-test|example)[^>]*?) -->\n)?```([\w-]*)\n(.*?)```", re.S)
SHOWN = {"json", "http", "text"}
RUN_HERE = {"sh", "bash", "python", "js"}

#: Markers whose blocks a dedicated test runs: marker → the test file that reads it.
DEDICATED = {
    "node": "tests/e2e/test_webhook_verification.py",
    "node-receiver": "tests/e2e/test_webhook_verification.py",
    "python": "tests/e2e/test_webhook_verification.py",
    "pytest": "tests/e2e/test_webhook_verification.py",
    "browser": "tests/e2e/test_browser_cors.py",
    "error-handling": "tests/e2e/test_docs_error_handling.py",
}

#: Pages whose examples a page-level test runs as a whole (one pytest module of its blocks).
PAGE_TESTS = {"testing-error-handling.md": "tests/e2e/test_docs_error_handling.py"}

#: What a page's run must print: the examples the issue found broken prove they work.
EXPECTED = {
    "webhooks.md": [r'"type":"webhook\.ping"|"event_type":"webhook\.ping"|"id":"evt_'],
    "monitoring.md": [r'"cpu_utilization":\[\{"timestamp"'],
}


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    language: str
    marker: str | None
    code: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text[: m.start()].count("\n") + 1, m.group(2), m.group(1), m.group(3))
        for m in BLOCK.finditer(text)
    ]


def _to_run(page: Path, language: str) -> list[Block]:
    if page.name in PAGE_TESTS:
        return []
    return [b for b in blocks(page) if b.marker is None and b.language == language]


def test_every_block_runs_or_says_why() -> None:
    for name, test in PAGE_TESTS.items():
        assert name in (ROOT / test).read_text(encoding="utf-8"), test
    unexplained = []
    for page in PAGES:
        for block in blocks(page):
            marker = block.marker or ""
            if marker.startswith("example:") or marker == "docs-test: output":
                continue
            if marker.startswith("docs-test: skip"):
                reason = marker.removeprefix("docs-test: skip").strip(" —-:")
                if len(reason) < 15:
                    unexplained.append(f"{block.where}: a skip marker must say why")
                continue
            if marker.startswith("docs-test: "):
                name = marker.removeprefix("docs-test: ")
                test = DEDICATED.get(name)
                if test is None or name not in (ROOT / test).read_text(encoding="utf-8"):
                    unexplained.append(f"{block.where}: no test runs docs-test: {name}")
                continue
            if block.language in SHOWN | RUN_HERE:
                continue
            unexplained.append(
                f"{block.where}: a ```{block.language} block that neither runs nor says why"
            )
    assert unexplained == []


def test_no_indented_code_blocks() -> None:
    """An indented block would slip past the checks above: every example is fenced."""
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        fenced = False
        for number, line in enumerate(lines, 1):
            if line.startswith("```"):
                fenced = not fenced
            elif (
                not fenced
                and line.startswith("    ")
                and number > 1
                and not lines[number - 2].strip()
                and not re.match(r"\s*([-*]|\d+\.)\s", lines[number - 3] if number > 2 else "")
            ):
                found.append(f"{page.relative_to(ROOT)}:{number}")
    assert found == []


def _page_ids() -> list[Path]:
    return [p for p in PAGES if any(_to_run(p, language) for language in RUN_HERE)]


def _localise(code: str, url: str) -> str:
    host_port = url.removeprefix("http://")
    code = code.replace("http://127.0.0.1:8787", url).replace("http://localhost:8787", url)
    code = code.replace("ws://127.0.0.1:8787", "ws://" + host_port)
    code = re.sub(r"(?<![\w/])(localhost|127\.0\.0\.1):8787", host_port, code)
    return code.replace(".venv/bin/lambda-emulator", EXECUTABLE)


@pytest.mark.parametrize("page", _page_ids(), ids=lambda p: p.name)
def test_the_pages_examples_run(page: Path, tmp_path: Path) -> None:
    served = serve("--seed", "1", "--speed", "0", tmp=tmp_path)
    env = clean_env(
        {
            "LAMBDA_EMULATOR_URL": served.url,
            "PATH": f"{Path(EXECUTABLE).parent}:{clean_env()['PATH']}",
        }
    )
    outputs: list[str] = []
    try:
        shell = _to_run(page, "sh") + _to_run(page, "bash")
        if shell:
            script = "\n".join(
                _localise(b.code, served.url) for b in sorted(shell, key=lambda b: b.line)
            )
            done = subprocess.run(
                ["bash", "-c", "set -euo pipefail\n" + script],
                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, f"{page.name} shell examples:\n{done.stderr[-3000:]}"
            outputs.append(done.stdout)
        python = _to_run(page, "python")
        if any("def test_" in b.code for b in python):
            module = tmp_path / f"test_{page.stem.replace('-', '_')}_examples.py"
            module.write_text("\n\n".join(b.code for b in python), encoding="utf-8")
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                 str(module)],
                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
        else:
            for block in python:
                done = subprocess.run(
                    [sys.executable, "-c", _localise(block.code, served.url)],
                    env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                )  # fmt: skip
                assert done.returncode == 0, f"{block.where}:\n{done.stderr[-3000:]}"
                outputs.append(done.stdout)
        node = shutil.which("node")
        for block in _to_run(page, "js"):
            assert node, "node is not installed (apt-get install nodejs)"
            done = subprocess.run(
                [node, "-e", _localise(block.code, served.url)],
                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, f"{block.where}:\n{done.stderr[-3000:]}"
    finally:
        served.stop()
    for pattern in EXPECTED.get(page.name, []):
        assert re.search(pattern, "\n".join(outputs)), f"{page.name}: no {pattern} in its output"
