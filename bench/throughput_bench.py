"""``GET /v1/account`` requests/s against a bare Starlette route on the same uvicorn.

Both servers run as separate processes with one uvicorn worker and the same event loop and
HTTP parser (uvloop, httptools), and are measured in the same run, alternating in rounds, by one
keep-alive client sending requests one after another. The emulator runs with validation on (as
always: request query/body and response schemas). Target: emulator ≥ 50% of the bare rate.

    .venv/bin/python bench/throughput_bench.py [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import (
    COMMAND,
    DEFAULT_KEY,
    ROOT,
    RawClient,
    cpu_seconds,
    free_port,
    load_average,
    request_bytes,
    start,
    stop,
    verdict,
    wait_until_answered,
)

TARGET_RATIO = 0.5
INSTANCE = (
    b'{"name": "bench", "instance_type": "compute-1x", "region": "us-west-1",'
    b' "image": "ubuntu-22.04"}'
)


def rate(port: int, pid: int, raw: bytes, seconds: float) -> tuple[float, float]:
    """(requests per wall second, server CPU microseconds per request) over one round."""
    client = RawClient(port)
    try:
        for _ in range(200):  # warm up the connection and the server's caches
            client.send(raw)
        count = 0
        cpu_before = cpu_seconds(pid)
        began = time.perf_counter()
        deadline = began + seconds
        while True:
            for _ in range(50):
                status, _ = client.send(raw)
                if status != 200:
                    raise SystemExit(f"answered {status}")
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                cpu = cpu_seconds(pid) - cpu_before
                return count / (now - began), cpu / count * 1e6
    finally:
        client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--list",
        action="store_true",
        help="GET /v1/instances (10 instances) instead of the account",
    )
    args = parser.parse_args()

    path = "/v1/instances" if args.list else "/v1/account"
    auth = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    raw = request_bytes("GET", path, auth)
    emulator_port, bare_port = free_port(), free_port()
    emulator = start(
        [COMMAND, "serve", "--port", str(emulator_port), "--log-level", "warning", "--seed", "1",
         "--no-rate-limits", "--transitions", "instant"]
    )  # fmt: skip
    bare = None
    try:
        wait_until_answered(emulator_port, raw, time.monotonic() + 20)
        with tempfile.TemporaryDirectory() as tmp:
            body = Path(tmp) / "account.json"
            client = RawClient(emulator_port)
            if args.list:
                create = request_bytes(
                    "POST", "/v1/instances", {**auth, "Content-Type": "application/json"}, INSTANCE
                )
                for _ in range(10):
                    client.send(create)
            body.write_bytes(client.send(raw)[1])
            client.close()
            bare = _start_bare(bare_port, body, path)
            wait_until_answered(bare_port, raw, time.monotonic() + 20)
            load = load_average()
            emulator_runs, bare_runs = [], []
            for _ in range(args.rounds):
                bare_runs.append(rate(bare_port, bare.pid, raw, args.seconds))
                emulator_runs.append(rate(emulator_port, emulator.pid, raw, args.seconds))
    finally:
        stop(emulator)
        if bare is not None:
            stop(bare)
    emulator_rates, bare_rates = [r for r, _ in emulator_runs], [r for r, _ in bare_runs]
    e, b = statistics.median(emulator_rates), statistics.median(bare_rates)
    e_cpu = statistics.median(c for _, c in emulator_runs)
    b_cpu = statistics.median(c for _, c in bare_runs)
    print(
        f"GET {path}, one keep-alive client, {args.rounds} × {args.seconds:g} s rounds "
        f"(load average {load:.2f}):"
    )
    print(f"  emulator (auth + validation + envelope): {e:,.0f} req/s  {_rounds(emulator_rates)}")
    print(f"  bare Starlette route, same uvicorn:      {b:,.0f} req/s  {_rounds(bare_rates)}")
    ratio = e / b
    print(
        f"  ratio {ratio:.0%}; target ≥ {TARGET_RATIO:.0%}: {verdict(ratio, TARGET_RATIO, False)}"
    )
    print(
        f"  server CPU per request: emulator {e_cpu:.0f} µs, bare {b_cpu:.0f} µs; "
        f"capacity ratio (bare CPU / emulator CPU) {b_cpu / e_cpu:.0%}"
    )
    return 0


def _rounds(values: list[float]) -> str:
    return "(" + ", ".join(f"{v:,.0f}" for v in values) + ")"


def _start_bare(port: int, body: Path, path: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDA_EMULATOR_")}
    env["BARE_BODY"] = str(body)
    env["BARE_PATH"] = path
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "_bare_app:app", "--port", str(port), "--log-level",
         "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools",
         "--no-server-header"],
        cwd=ROOT / "bench", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
