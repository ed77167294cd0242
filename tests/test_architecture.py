"""The layering rules of ARCHITECTURE.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lambda_emulator"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_core_imports_nothing_of_ours_and_no_frameworks(path: Path) -> None:
    banned = ("lambda_emulator", "starlette", "tinydb", "httpx", "uvicorn")
    for name in imports_of(path):
        top = name.split(".")[0]
        allowed_own = name.startswith("lambda_emulator.core")
        assert top not in banned or allowed_own, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", modules("http"), ids=lambda p: p.name)
def test_http_never_imports_storage(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith(("lambda_emulator.storage", "tinydb")), f"{path} imports {name}"


@pytest.mark.parametrize("path", modules("resources") + modules("engine") + modules("traffic") + modules("storage"), ids=lambda p: p.name)
def test_services_and_storage_know_nothing_of_http(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith(("starlette", "lambda_emulator.http")), f"{path} imports {name}"


def test_only_the_clock_reads_the_system_time() -> None:
    # The webhook receiver is a test tool for users, outside the emulator: it stamps arrivals.
    outside = {"clock.py", "testing/webhook_receiver.py"}
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).as_posix() in outside:
            continue
        text = path.read_text(encoding="utf-8")
        reads = ("datetime.now(", "time.time()", "datetime.utcnow(", "date.today(")
        if any(r in text for r in reads):
            readers.append(path.name)
        if "core" in path.parts and ("monotonic(" in text or "perf_counter(" in text):
            readers.append(path.name)
    assert readers == []
