"""Monitoring and billing speed, measured over HTTP against a real emulator on loopback.

    python bench/monitoring_billing_bench.py [--rounds N]

1. ``GET /v1/instances/{id}/metrics`` for 30 days by the hour (720 points × 6 metrics) of one
   instance that was created through the API and stopped and started on the way.
   Budget: median ≤ 30 ms.
2. ``GET /v1/billing/usage`` for a month of an account with 1,000 instances, each with one to
   four running intervals in the month (3,000 meters or so). Budget: median ≤ 100 ms.

The emulator runs as ``lambda-emulator serve`` would (response checks off, in-memory store),
with the clock frozen so that only the bench moves it. No plan allows 1,000 instances, so the
second account's meters are written straight into the store before the server starts, exactly
as ``services/meters`` records them; billing reads nothing else.

The emulator runs in a child process, like a real server. Prints the wall-clock median and
95th percentile per request, the server process's CPU time per request (which machine load
does not inflate much), and exits 1 if a wall-clock median is over its budget.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from lambda_emulator.engine.meters import METERS
from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.resources import onboarding
from lambda_emulator.runtime import Runtime
from lambda_emulator.settings import Settings

START = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
DAY = 86400
TYPES = ["compute-1x", "compute-2x", "compute-4x", "compute-8x", "compute-16x"]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), to see the cost apart from machine load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(
    call: Callable[[], httpx.Response], rounds: int, pid: int
) -> tuple[list[float], float | None]:
    """Wall milliseconds per request, and the server's CPU milliseconds per request."""
    for _ in range(5):
        call().raise_for_status()
    samples = []
    cpu_before = cpu_seconds(pid)
    for _ in range(rounds):
        began = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - began) * 1000)
        response.raise_for_status()
    cpu_after = cpu_seconds(pid)
    if cpu_before is None or cpu_after is None:
        return samples, None
    return samples, (cpu_after - cpu_before) * 1000 / rounds


def seed_big_account(rt: Runtime, instances: int) -> str:
    """An account with ``instances`` instances' meters over the month that starts at START."""
    with rt.transaction():
        account, _, secret = onboarding.create_account(rt, "enterprise", "Big Co")
        rng = random.Random(1)
        month = 31 * DAY
        for n in range(instances):
            instance_id = rt.new_id("inst")
            sku = TYPES[n % len(TYPES)]
            at = START.timestamp() + rng.uniform(0, DAY)
            for _ in range(rng.randint(1, 4)):
                ran = rng.uniform(3600, month / 4)
                rt.store.put(
                    METERS,
                    {
                        "id": rt.new_id("mtr"),
                        "account_id": account["id"],
                        "resource_type": "instance",
                        "resource_id": instance_id,
                        "description": f"Instance node-{n} ({sku})",
                        "unit": "hour",
                        "sku": sku,
                        "quantity": 1,
                        "started_at": at,
                        "ended_at": at + ran,
                    },
                )
                at += ran + rng.uniform(600, 3 * DAY)
    return secret


def serve() -> None:
    """The child process: seed, serve, print where, and run until stdin closes."""
    settings = Settings(port=0, seed=0, speed=0.0, start_time=START, log_level="warning")
    server = EmulatorThread(settings)
    big_key = seed_big_account(server.runtime, 1000)
    meters = server.runtime.store.count(METERS)
    server.start()
    info = {
        "url": server.url,
        "key": settings.api_key,
        "big_key": big_key,
        "meters": meters,
        "pid": os.getpid(),
    }
    print(json.dumps(info), flush=True)
    sys.stdin.read()
    server.stop()


Row = tuple[str, str, list[float], float | None, float]


def measure(info: dict[str, Any], rounds: int) -> list[Row]:
    control = httpx.Client(base_url=info["url"], timeout=30)
    control.put("/_emulator/transitions", json={"mode": "instant"}).raise_for_status()
    api = httpx.Client(
        base_url=info["url"],
        timeout=30,
        headers={b"Authorization": b"Bearer " + info["key"].encode()},
    )
    body = {"name": "web", "instance_type": "compute-4x", "region": "us-west-1"}
    created = api.post("/v1/instances", json={**body, "image": "ubuntu-22.04"})
    instance_id = created.json()["data"]["id"]
    for verb in ("stop", "start"):  # some stopped time in the month
        control.post("/_emulator/clock/advance", json={"seconds": 9 * DAY})
        api.post(f"/v1/instances/{instance_id}/{verb}").raise_for_status()
    control.post("/_emulator/clock/advance", json={"seconds": 13 * DAY})
    metrics = api.get(
        f"/v1/instances/{instance_id}/metrics",
        params={"start": "2026-03-01T00:00:00Z", "end": "2026-03-31T00:00:00Z", "period": 3600},
    )
    points = sum(len(v) for v in metrics.json()["data"]["metrics"].values())
    metric_ms, metric_cpu = timed(lambda: api.get(metrics.request.url), rounds, info["pid"])

    big = httpx.Client(
        base_url=info["url"],
        timeout=30,
        headers={b"Authorization": b"Bearer " + info["big_key"].encode()},
    )
    window = {"start": "2026-03-01T00:00:00Z", "end": "2026-04-01T00:00:00Z"}
    usage = big.get("/v1/billing/usage", params=window).json()["data"]
    usage_ms, usage_cpu = timed(
        lambda: big.get("/v1/billing/usage", params=window), rounds, info["pid"]
    )
    size = f"{info['meters']} meters, {len(usage['line_items'])} line items"
    return [
        ("30-day hourly metrics, 1 instance", f"{points} values", metric_ms, metric_cpu, 30.0),
        ("monthly usage, 1,000 instances", size, usage_ms, usage_cpu, 100.0),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return 0
    # The server runs in its own process, as it would for a real client: the bench's own
    # Python work (sending, reading 200 kB answers) must not share its interpreter lock.
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        rows = measure(json.loads(child.stdout.readline()), args.rounds)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'case':34} {'size':33} {'median':>8} {'p95':>8} {'cpu/req':>8} {'budget':>7}")
    failed = False
    for name, size, samples, cpu, budget in rows:
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        failed |= median > budget
        cpu_text = f"{cpu:6.1f}ms" if cpu is not None else "     n/a"
        print(f"{name:34} {size:33} {median:6.1f}ms {p95:6.1f}ms {cpu_text} {budget:5.0f}ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
