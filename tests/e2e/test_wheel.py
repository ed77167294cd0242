"""``pip install .`` as a user gets it: a built wheel, installed non-editable in a venv of its
own, used from a directory outside the checkout (so schemas and fixtures can only come from
inside the installed package).

Speed: resolving and unpacking the dependencies is most of the cost (10-30 s), so the venv with
the dependencies is kept between runs in the user cache, keyed by the Python version, the
declared dependencies and the checkout; each run force-reinstalls the freshly built wheel into
it and ``pip check`` proves the dependencies still satisfy the wheel's metadata. Set
``LAMBDA_EMULATOR_TEST_FRESH_VENV=1`` to build the venv from nothing (a clean CI machine does).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lambda_emulator import __version__
from tests.support.envelope import ok
from tests.support.process import clean_env, serve

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    elsewhere: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def command(self) -> str:
        return str(self.venv / "bin" / "lambda-emulator")


def _env() -> dict[str, str]:
    """No PYTHONPATH and none of the running pytest's variables leak into the fresh venv."""
    env = clean_env()
    for name in list(env):
        if name.startswith(("PYTEST_", "PYTHONPATH", "VIRTUAL_ENV")):
            del env[name]
    return env


def _check(argv: list[str], cwd: Path, timeout: float = 300) -> str:
    result = subprocess.run(
        argv, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_wheel_installs_and_works_from_anywhere(tmp_path: Path) -> None:
    """One test, not four sharing a fixture: under xdist a module fixture is built once per
    worker, and two parallel wheel builds and installs cost twice the time for nothing."""
    venv = _venv_dir()
    with _locked(venv):
        installed = _install(tmp_path, venv)
        _check_wheel_ships_package_data_and_entry_points(installed)
        _check_installed_package_is_not_the_checkout(installed)
        _check_command_serves_from_another_directory(installed)
        _check_pytest_plugin_from_the_wheel(installed)


def _install(tmp: Path, venv: Path) -> Installed:
    dist, elsewhere = tmp / "dist", tmp / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    _check([*pip, "wheel", "--no-deps", "--wheel-dir", str(dist), str(ROOT)], cwd=tmp)
    (wheel,) = dist.glob("lambda_emulator-*.whl")
    ready = venv / ".dependencies-installed"
    if os.environ.get("LAMBDA_EMULATOR_TEST_FRESH_VENV") == "1" or not ready.exists():
        shutil.rmtree(venv, ignore_errors=True)
        _check([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp)
    target = [*pip, "--python", str(venv / "bin" / "python")]
    # --no-compile: byte-compiling all of Faker's locales is 40% of a full install; only the
    # modules imported get compiled, lazily, when the command runs. pytest comes too, to run a
    # user's test file against the plugin the wheel registers.
    if ready.exists():
        _check([*target, "install", "--no-compile", "--no-deps", "--force-reinstall", str(wheel)],
               cwd=tmp)  # fmt: skip
    else:
        _check([*target, "install", "--no-compile", str(wheel), "pytest"], cwd=tmp)
        ready.touch()
    _check([*target, "check"], cwd=tmp)
    return Installed(wheel=wheel, venv=venv, elsewhere=elsewhere)


def _venv_dir() -> Path:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    key = json.dumps([sys.version, sorted(project["dependencies"]), str(ROOT)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "lambda-emulator-tests" / f"wheel-venv-{digest}"


@contextmanager
def _locked(venv: Path) -> Iterator[None]:
    """One test run at a time per cached venv (parallel `make test` in the same checkout)."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.with_name(venv.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _check_wheel_ships_package_data_and_entry_points(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_text = wheel.read(entry_points).decode()
    for area in ("account", "common", "control"):
        assert f"lambda_emulator/schemas/{area}.json" in names
    for fixture in ("plans", "regions", "instance_types", "images", "prices"):
        assert f"lambda_emulator/fixtures/{fixture}.json" in names
    for asset in ("index.html", "js/app.js", "vendor/preact/LICENSE", "vendor/uplot/uPlot.min.css"):
        assert f"lambda_emulator/dashboard/static/{asset}" in names  # the page works offline
    assert not any(n.startswith("tests/") for n in names)
    assert "lambda-emulator = lambda_emulator.process.cli:main" in entry_text
    assert "[pytest11]\nlambda_emulator = lambda_emulator.testing.pytest_plugin" in entry_text


def _check_installed_package_is_not_the_checkout(installed: Installed) -> None:
    where = _check(
        [installed.python, "-c", "import lambda_emulator; print(lambda_emulator.__file__)"],
        cwd=installed.elsewhere,
    ).strip()
    assert where.startswith(str(installed.venv)), where
    assert not where.startswith(str(ROOT)), where
    code = (
        "import json; from importlib.metadata import entry_points; "
        "print(json.dumps(sorted(e.value for e in entry_points(group='pytest11'))))"
    )
    registered = _check([installed.python, "-c", code], cwd=installed.elsewhere)
    assert "lambda_emulator.testing.pytest_plugin" in json.loads(registered)


def _check_command_serves_from_another_directory(installed: Installed) -> None:
    assert _check([installed.command, "--version"], cwd=installed.elsewhere).strip() == (
        f"lambda-emulator {__version__}"
    )
    served = serve(
        "--seed", "1", tmp=installed.elsewhere, executable=installed.command,
        cwd=installed.elsewhere,
    )  # fmt: skip
    try:
        with served.client() as client:
            account = ok(client.get("/v1/account"))
            assert account["plan"] == "professional"
            quota = ok(client.get("/v1/account/quota"))  # limits from fixtures/plans.json
            assert quota["quotas"]["instances"]["limit"] == 50
            response = client.get("/v1/openapi.json")
        assert response.status_code == 200, response.text
        document = response.json()
        assert document["openapi"].startswith("3.1")
        assert "/account" in document["paths"]
        assert document["components"]["schemas"]
        page = httpx.get(served.url + "/_emulator/ui/static/vendor/uplot/uPlot.iife.min.js")
        assert page.status_code == 200 and "uPlot" in page.text  # served from the wheel
    finally:
        assert served.stop() == 0


def _check_pytest_plugin_from_the_wheel(installed: Installed) -> None:
    project = installed.elsewhere / "user-project"
    project.mkdir()
    (project / "test_mine.py").write_text(
        textwrap.dedent(
            """
            def test_account(lambda_emulator):
                with lambda_emulator.client() as client:
                    assert client.get("/v1/account").json()["data"]["plan"] == "professional"
            """
        )
    )
    env = _env()
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [installed.python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
