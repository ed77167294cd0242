"""The load benchmark's short form: concurrent mixed traffic, no 5xx, consistent final state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load_bench.py"


@pytest.mark.slow
def test_ten_clients_of_mixed_traffic_for_three_seconds() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "--clients", "10", "--seconds", "3", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["five_xx"] == [], result
    assert result["consistent"], result
    assert result["requests"] > 100, result
    assert set(result["statuses"]) <= {"200", "201", "409"}, result
