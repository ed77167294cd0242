"""Launch of ``lambda-emulator serve`` → first authenticated ``GET /v1/account`` answered.

Each run starts the installed console script on a free port and retries connecting (every 2 ms)
until ``GET /v1/account`` with the default key is answered 200; the time from ``Popen`` to that
answer is one sample. Target: median ≤ 0.35 s.

    .venv/bin/python bench/launch_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _support import (
    COMMAND,
    DEFAULT_KEY,
    cpu_seconds,
    free_port,
    load_average,
    request_bytes,
    start,
    stop,
    summary,
    verdict,
    wait_until_answered,
)

TARGET_S = 0.35


def one_launch() -> tuple[float, float]:
    """(wall seconds, server CPU seconds) from Popen to the first answered GET /v1/account."""
    port = free_port()
    raw = request_bytes("GET", "/v1/account", {"Authorization": f"Bearer {DEFAULT_KEY}"})
    began = time.perf_counter()
    proc = start([COMMAND, "serve", "--port", str(port), "--log-level", "warning"])
    try:
        status = wait_until_answered(port, raw, time.monotonic() + 20)
        elapsed = time.perf_counter() - began
        cpu = cpu_seconds(proc.pid)
    finally:
        stop(proc)
    if status != 200:
        raise SystemExit(f"GET /v1/account answered {status}")
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    one_launch()  # warm the page cache and the .pyc files; not counted
    load = load_average()
    runs = [one_launch() for _ in range(args.runs)]
    walls, cpus = [wall for wall, _ in runs], [cpu for _, cpu in runs]
    median = statistics.median(walls)
    print(f"launch → first GET /v1/account (load average {load:.2f}):")
    print(f"  wall        {summary(walls, 's', 1.0)}")
    print(f"  server CPU  {summary(cpus, 's', 1.0)}  (user + system, 10 ms ticks)")
    print(f"  target median wall ≤ {TARGET_S} s: {verdict(median, TARGET_S)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
