"""docs/dashboard.md's shell examples and the banner's Dashboard line, on a real ``serve``."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx

from tests.support.process import serve

DOC = (Path(__file__).resolve().parents[2] / "docs" / "dashboard.md").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", DOC, re.S)


def test_the_banner_names_the_dashboard_and_the_docs_examples_run(tmp_path: Path) -> None:
    served = serve("--seed", "1", "--speed", "0", tmp=tmp_path)
    try:
        assert served.banner["Dashboard"] == served.url + "/_emulator/ui/"
        page = httpx.get(served.url + "/", follow_redirects=True)
        assert page.status_code == 200 and page.url.path == "/_emulator/ui/"
        copied, refused = (
            subprocess.run(
                [
                    "bash",
                    "-c",
                    "set -euo pipefail\n" + block.replace("http://127.0.0.1:8787", served.url),
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )
            for block in _blocks()
        )
        with served.client() as api:
            instances = api.get("/v1/instances").json()["data"]
    finally:
        served.stop()
    assert copied.returncode == 0, copied.stderr
    assert '"success":true' in copied.stdout and len(instances) == 1
    assert refused.returncode == 0, refused.stderr
    assert refused.stdout.count('"code":"forbidden"') == 2
