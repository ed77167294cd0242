"""The real SDK generators and linters, installed once and reused, and their cached output.

The npm tools come from ``tools/sdkgen/package.json`` and its lock file (``npm ci``) into
``.cache/sdkgen-npm-<hash of the lock>``; the Python generator is a dev dependency. Generated
clients are cached under ``.cache/`` keyed by a hash of the document and of the tools, with the
generator's own output kept beside them, so a rerun with an unchanged document costs nothing
and still proves "no warning". ``LAMBDA_EMULATOR_CACHE`` moves the cache. A lock file makes
concurrent pytest-xdist workers wait for one another instead of installing twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "sdkgen"
CACHE = Path(os.environ.get("LAMBDA_EMULATOR_CACHE", REPO / ".cache"))
BIN = Path(sys.executable).parent
PYTHON_GENERATOR = "openapi-python-client"
MIN_NODE = (20, 19)


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()[:16]


_held = [0]  # how deep this process already holds the lock (flock is per open file)


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """One process at a time in the cache; re-entrant within a process, since a build may
    need the tools that another locked step installs."""
    if _held[0]:
        _held[0] += 1
        try:
            yield
        finally:
            _held[0] -= 1
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "sdkgen.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _held[0] = 1
        try:
            yield
        finally:
            _held[0] = 0
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fresh(folder: Path) -> None:
    """Empty ``folder`` for a new build and drop the stale builds beside it (same name but
    another hash: an earlier document or tool version), so the cache does not grow."""
    prefix = folder.name.rsplit("-", 1)[0] + "-"
    for stale in folder.parent.glob(prefix + "*"):
        if stale.name.rsplit("-", 1)[0] + "-" == prefix and stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def node_bin() -> Path:
    """``node_modules/.bin`` of the pinned npm tools (installed on first use)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(
            "The SDK generation tests need Node.js 20.19+ and npm on PATH "
            "(on Debian/Ubuntu: apt-get install nodejs npm); they install their pinned tools "
            "from tools/sdkgen/package-lock.json with npm ci."
        )
    version = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    found = tuple(int(part) for part in re.findall(r"\d+", version.stdout)[:2])
    if found < MIN_NODE:
        pytest.fail(
            f"The SDK generation tests need Node.js {MIN_NODE[0]}.{MIN_NODE[1]}+ "
            f"(found {version.stdout.strip() or 'none'}): @hey-api/openapi-ts requires it."
        )
    lock = (TOOLS / "package-lock.json").read_bytes()

    def install(folder: Path) -> None:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(TOOLS / name, folder / name)
        done = run(["npm", "ci", "--no-audit", "--no-fund"], folder, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr

    key = f"sdkgen-npm-{digest((TOOLS / 'package.json').read_bytes(), lock)}"
    return built_once(key, install) / "node_modules" / ".bin"


def _generator_version() -> bytes:
    from importlib.metadata import version

    return version(PYTHON_GENERATOR).encode()


def python_client(document: bytes, package: str) -> tuple[Path, str]:
    """(folder to put on sys.path, the generator's output) for ``document`` as ``package``."""
    argv = [str(BIN / PYTHON_GENERATOR), "generate", "--path", "openapi.json",
            "--output-path", package, "--meta", "none"]  # fmt: skip
    return _generated(f"py-{package}-{digest(document, _generator_version())}", document, argv)


def built_once(key: str, build: Callable[[Path], None]) -> Path:
    """``.cache/<key>``, made by ``build`` unless an earlier run completed it (a failed build
    leaves no marker, so it runs again next time): the npm install, the generated clients and
    the ``tsc`` builds."""
    folder = CACHE / key
    with locked():
        if not (folder / ".complete").exists():
            _fresh(folder)
            build(folder)
            (folder / ".complete").touch()
    return folder


def typescript_client(document: bytes, name: str) -> tuple[Path, str]:
    """(folder holding the generated ``client/``, the generator's output) for ``document``."""
    tools = node_bin()
    lock = (TOOLS / "package-lock.json").read_bytes()
    argv = [str(tools / "openapi-ts"), "--input", "openapi.json", "--output", "client",
            "--client", "@hey-api/client-fetch"]  # fmt: skip
    return _generated(f"ts-{name}-{digest(document, lock)}", document, argv)


def _generated(key: str, document: bytes, argv: list[str]) -> tuple[Path, str]:
    """(``.cache/<key>``, the generator's output): ``argv`` run once there on ``document``,
    saved beside it as ``openapi.json``."""

    def generate(folder: Path) -> None:
        (folder / "openapi.json").write_bytes(document)
        done = run(argv, folder)
        (folder / "generate.log").write_text(done.stdout + done.stderr)
        assert done.returncode == 0, done.stdout + done.stderr

    folder = built_once(key, generate)
    return folder, (folder / "generate.log").read_text()


def tsconfig(folder: Path, include: list[str], out_dir: Path | None = None) -> Path:
    """A strict tsconfig for ``include`` (compiled to ``out_dir`` as ES modules, or only
    type-checked), resolving ``@types/node`` from the pinned tools."""
    import json

    types_root = node_bin().parent / "@types"
    options: dict[str, object] = {
        "strict": True,
        "target": "ES2022",
        "module": "NodeNext",
        "moduleResolution": "NodeNext",
        # the generated client and the scenarios are .ts, checked in full; only the .d.ts of
        # @types/node are skipped, which halves the time
        "skipLibCheck": True,
        "types": ["node"],
        "typeRoots": [str(types_root)],
    }
    if out_dir is None:
        options["noEmit"] = True
    else:
        options["outDir"] = str(out_dir)
        options["rootDir"] = str(folder)
    path = folder / ("tsconfig.json" if out_dir is None else "tsconfig.build.json")
    path.write_text(json.dumps({"compilerOptions": options, "include": include}, indent=2))
    return path
