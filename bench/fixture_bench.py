"""What the ``lambda_emulator`` fixture costs a test: 300 tests that take the fixture and make one
``GET /v1/account``, against 300 tests that take nothing, in the same pytest setup; the
difference divided by 300 is the fixture's cost per test (its reset, its handle, the client
and the request). Each session is run several times; medians are compared.

Target (issue 12): ≤ 1.5 ms per test.

    .venv/bin/python bench/fixture_bench.py [--tests 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import clean_env, load_average

WITH_FIXTURE = """
import pytest

@pytest.mark.parametrize("n", range({tests}))
def test_one_get(lambda_emulator, n):
    with lambda_emulator.client() as client:
        assert client.get("/v1/account").status_code == 200
"""

WITHOUT = """
import pytest

@pytest.mark.parametrize("n", range({tests}))
def test_nothing(n):
    assert n >= 0
"""

WARM = """
def test_warm(lambda_emulator):
    pass
"""


def session(folder: Path, body: str) -> float:
    (folder / "test_bench.py").write_text(body)
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         str(folder / "test_bench.py")],
        cwd=folder, env=clean_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # one test of each kind: the fixed costs (pytest, the emulator's start and stop)
        warm = statistics.median(session(folder, WARM) for _ in range(args.runs))
        bare = statistics.median(session(folder, WITHOUT.format(tests=1)) for _ in range(args.runs))
        used = [session(folder, WITH_FIXTURE.format(tests=args.tests)) for _ in range(args.runs)]
        empty = [session(folder, WITHOUT.format(tests=args.tests)) for _ in range(args.runs)]
    extra = (statistics.median(used) - warm) - (statistics.median(empty) - bare)
    cost = extra / (args.tests - 1) * 1000
    print(f"a session of one fixture test: {warm:.2f} s; of one empty test: {bare:.2f} s")
    print(
        f"{args.tests} one-GET tests: {statistics.median(used):.2f} s; "
        f"{args.tests} empty tests: {statistics.median(empty):.2f} s"
    )
    print(f"fixture cost per test: {cost:.2f} ms (target ≤ 1.5 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
