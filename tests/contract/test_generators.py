"""The usual generators and linters accept both documents (SPEC §14): openapi-spec-validator,
openapi-python-client (no warning; the package passes ruff and imports), @hey-api/openapi-ts
(the client type-checks under ``tsc --strict``) and ``redocly lint`` (no error)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from tests.contract import sdkgen
from tests.contract.conftest import PATHS

pytestmark = pytest.mark.slow
PACKAGES = {"public": "lambda_api_client", "control": "lambda_control_client"}


@pytest.mark.parametrize("name", PATHS)
def test_openapi_spec_validator(name: str, documents: dict[str, bytes]) -> None:
    validate(json.loads(documents[name]))


@pytest.mark.parametrize("name", PATHS)
def test_python_client_generates_cleanly_passes_ruff_and_imports(
    name: str, documents: dict[str, bytes]
) -> None:
    folder, log = sdkgen.python_client(documents[name], PACKAGES[name])
    assert "warning" not in log.lower(), log
    # the generator's own lint settings (what it writes into a generated project's pyproject)
    ruff = [str(sdkgen.BIN / "ruff"), "check", "--isolated", "--select", "F,I,UP"]
    ruff += ["--line-length", "120", "--target-version", "py311", PACKAGES[name]]
    lint = sdkgen.run(ruff, folder)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    importer = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({PACKAGES[name]!r})\n"
        "names = [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.')]\n"
        "[importlib.import_module(n) for n in names]\n"
        "print(len(names))\n"
    )
    imported = sdkgen.run([sys.executable, "-c", importer], folder)
    assert imported.returncode == 0, imported.stderr
    assert int(imported.stdout) > 20


@pytest.mark.parametrize("name", PATHS)
def test_typescript_client_generates_and_type_checks_strictly(
    name: str, documents: dict[str, bytes]
) -> None:
    folder, log = sdkgen.typescript_client(documents[name], name)
    assert "warn" not in log.lower() and "error" not in log.lower(), log

    def type_check(work: Path) -> None:
        shutil.copytree(folder / "client", work / "client")
        config = sdkgen.tsconfig(work, ["client/**/*.ts"])
        checked = sdkgen.run([str(sdkgen.node_bin() / "tsc"), "-p", str(config)], work)
        assert checked.returncode == 0, checked.stdout + checked.stderr

    sdkgen.built_once(f"tsc-{folder.name}", type_check)


@pytest.mark.parametrize("name", PATHS)
def test_redocly_lint_reports_no_error(
    name: str, documents: dict[str, bytes], tmp_path: Path
) -> None:
    (tmp_path / "openapi.json").write_bytes(documents[name])
    linted = sdkgen.run(
        [str(sdkgen.node_bin() / "redocly"), "lint", "openapi.json", "--format=stylish"], tmp_path
    )
    report = linted.stdout + linted.stderr
    assert linted.returncode == 0 and " error " not in report, report
