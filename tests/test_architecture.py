"""The layering rules of docs/architecture.md, checked by walking every module's imports.

Every import counts, the ones inside functions included: an import hidden in a function body
is still a dependency, and hiding one is how circles were kept alive before.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lambda_emulator"
PREFIX = "lambda_emulator"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import stands (``from a import b`` counts
    as ``a.b`` when ``a.b`` is a module of ours, else as ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if _is_our_module(candidate):
                    found.add(candidate)
    return found


def _is_our_module(name: str) -> bool:
    if not name.startswith(PREFIX):
        return False
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in all_modules():
        own = module_name(path)
        edges[own] = {name for name in imports_of(path) if _is_our_module(name) and name != own} - {
            PREFIX
        }
    return edges


def circles(edges: dict[str, set[str]]) -> Iterator[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0

    def visit(node: str) -> Iterator[list[str]]:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                yield from visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                yield sorted(component)

    for node in sorted(edges):
        if node not in index:
            yield from visit(node)


def test_no_import_circle_anywhere() -> None:
    found = list(circles(graph()))
    assert found == [], f"import circles: {found}"


def test_the_circle_finder_finds_a_circle() -> None:
    # the check above proves nothing unless the finder sees a circle where there is one
    assert list(circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})) == [["a", "b", "c"]]


def _layer_modules(*layers: str) -> list[Path]:
    return [p for layer in layers for p in sorted((PACKAGE / layer).rglob("*.py"))]


@pytest.mark.parametrize("path", _layer_modules("core"), ids=lambda p: p.name)
def test_core_imports_nothing_of_ours_and_no_frameworks(path: Path) -> None:
    banned = (PREFIX, "starlette", "tinydb", "httpx", "uvicorn")
    for name in imports_of(path):
        top = name.split(".")[0]
        allowed_own = name.startswith(f"{PREFIX}.core")
        assert top not in banned or allowed_own, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", _layer_modules("http"), ids=lambda p: p.name)
def test_http_never_touches_the_store(path: Path) -> None:
    for name in imports_of(path):
        assert not name.startswith((f"{PREFIX}.storage", "tinydb")), f"{path} imports {name}"
    text = path.read_text(encoding="utf-8")
    assert ".store." not in text, f"{path} reads or writes the store directly"


@pytest.mark.parametrize(
    "path",
    _layer_modules("resources", "engine", "traffic", "storage", "core"),
    ids=lambda p: p.name,
)
def test_below_the_edge_nothing_knows_http(path: Path) -> None:
    above = ("starlette", f"{PREFIX}.http", f"{PREFIX}.process", f"{PREFIX}.testing")
    for name in imports_of(path):
        assert not name.startswith(above), f"{path} imports {name}"


@pytest.mark.parametrize("path", _layer_modules("engine", "traffic"), ids=lambda p: p.name)
def test_the_engine_and_traffic_never_import_resources(path: Path) -> None:
    # resources react to events and call the engine; never the other way round
    for name in imports_of(path):
        assert not name.startswith(f"{PREFIX}.resources"), f"{path} imports {name}"


def test_instances_know_nothing_of_their_dependants() -> None:
    imports = imports_of(PACKAGE / "resources" / "instances.py")
    for dependant in ("volumes", "firewall", "snapshots"):
        assert f"{PREFIX}.resources.{dependant}" not in imports


@pytest.mark.parametrize("path", all_modules(), ids=lambda p: module_name(p))
def test_no_module_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_only_the_clock_reads_the_system_time() -> None:
    # The webhook receiver is a test tool for users, outside the emulator: it stamps arrivals.
    outside = {"clock.py", "testing/webhook_receiver.py"}
    readers = []
    for path in all_modules():
        if path.relative_to(PACKAGE).as_posix() in outside:
            continue
        text = path.read_text(encoding="utf-8")
        reads = ("datetime.now(", "time.time()", "datetime.utcnow(", "date.today(")
        if any(r in text for r in reads):
            readers.append(path.name)
        if "core" in path.parts and ("monotonic(" in text or "perf_counter(" in text):
            readers.append(path.name)
    assert readers == []
