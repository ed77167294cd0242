"""Load: N concurrent clients doing mixed create/read/action/delete against a served emulator.

    python bench/load_bench.py                      # 50 clients for 60 s (the documented run)
    python bench/load_bench.py --clients 10 --seconds 5 --json   # the short form CI runs

It starts `lambda-emulator serve` in a subprocess (instant transitions, no rate limits, an
enterprise account so quotas do not cap the load), drives it with httpx.AsyncClient, and checks:
no 5xx at all; the instances the API lists at the end are exactly those whose create was
acknowledged and whose delete was not; the server's RSS after the run is close to its RSS after
warm-up. It prints throughput and p50/p99 latency per operation kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEY = "λ_sk_1234567890abcdef"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server() -> tuple[subprocess.Popen[str], str]:
    exe = Path(sys.executable).with_name("lambda-emulator")
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            "--port",
            "0",
            "--seed",
            "1",
            "--transitions",
            "instant",
            "--no-rate-limits",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Root URL" in line:
            return proc, line.split()[-1]
    raise RuntimeError("the emulator did not start")


class Tally:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[int, int] = defaultdict(int)
        self.created: set[str] = set()
        self.deleted: set[str] = set()
        self.five_xx: list[str] = []


async def client_loop(n: int, url: str, key: str, deadline: float, tally: Tally) -> None:
    rng = random.Random(n)
    mine: list[str] = []
    headers = {"Authorization": b"Bearer " + key.encode()}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:

        async def call(kind: str, method: str, path: str, **kw: Any) -> httpx.Response:
            started = time.perf_counter()
            response = await http.request(method, path, **kw)
            tally.latency[kind].append(time.perf_counter() - started)
            tally.status[response.status_code] += 1
            if response.status_code >= 500:
                tally.five_xx.append(f"{method} {path} -> {response.text[:200]}")
            return response

        while time.perf_counter() < deadline:
            roll = rng.random()
            if not mine or (roll < 0.25 and len(mine) < 5):
                body = {
                    "name": f"load-{n}-{rng.randrange(10**6)}",
                    "instance_type": "compute-1x",
                    "region": rng.choice(["us-west-1", "us-east-1", "eu-west-1"]),
                    "image": "ubuntu-22.04",
                }
                r = await call("create", "POST", "/v1/instances", json=body)
                if r.status_code == 201:
                    mine.append(r.json()["data"]["id"])
                    tally.created.add(mine[-1])
            elif roll < 0.55:
                await call("get", "GET", f"/v1/instances/{rng.choice(mine)}")
            elif roll < 0.70:
                await call(
                    "list",
                    "GET",
                    "/v1/instances",
                    params={"status": "running", "sort": "name", "limit": 20},
                )
            elif roll < 0.88:
                action = rng.choice(["stop", "start", "restart"])
                await call(action, "POST", f"/v1/instances/{rng.choice(mine)}/{action}")
            else:
                victim = mine.pop(rng.randrange(len(mine)))
                r = await call("delete", "DELETE", f"/v1/instances/{victim}")
                if r.status_code == 200:
                    tally.deleted.add(victim)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(clients: int, seconds: float) -> dict[str, Any]:
    proc, root = start_server()
    try:
        async with httpx.AsyncClient(base_url=root) as control:
            made = (await control.post("/_emulator/accounts", json={"plan": "enterprise"})).json()
        key = made["data"]["api_key"]
        url = root
        warm = Tally()
        await asyncio.gather(
            *(
                client_loop(1000 + i, url, key, time.perf_counter() + 2, warm)
                for i in range(clients)
            )
        )
        rss_warm = rss_mb(proc.pid)
        tally = Tally()
        started = time.perf_counter()
        await asyncio.gather(
            *(client_loop(i, url, key, started + seconds, tally) for i in range(clients))
        )
        elapsed = time.perf_counter() - started
        rss_end = rss_mb(proc.pid)
        # consistency: everything acknowledged as created and not as deleted is listed
        headers = {"Authorization": b"Bearer " + key.encode()}
        listed: set[str] = set()
        async with httpx.AsyncClient(base_url=url, headers=headers) as http:
            page = 1
            while True:
                body = (await http.get("/v1/instances", params={"page": page, "limit": 100})).json()
                listed |= {i["id"] for i in body["data"] if i["status"] != "deleting"}
                if not body["pagination"]["has_next"]:
                    break
                page += 1
        alive = (warm.created | tally.created) - (warm.deleted | tally.deleted)
        total = sum(len(v) for v in tally.latency.values())
        return {
            "clients": clients,
            "seconds": round(elapsed, 1),
            "requests": total,
            "throughput_rps": round(total / elapsed, 1),
            "p50_ms": round(pct([x for v in tally.latency.values() for x in v], 0.50), 2),
            "p99_ms": round(pct([x for v in tally.latency.values() for x in v], 0.99), 2),
            "by_kind": {
                k: {"n": len(v), "p50_ms": round(pct(v, 0.5), 2), "p99_ms": round(pct(v, 0.99), 2)}
                for k, v in sorted(tally.latency.items())
            },
            "statuses": dict(sorted(tally.status.items())),
            "five_xx": tally.five_xx[:5],
            "consistent": listed == alive,
            "listed": len(listed),
            "expected": len(alive),
            "rss_warm_mb": round(rss_warm, 1),
            "rss_end_mb": round(rss_end, 1),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    args = parser.parse_args()
    result = asyncio.run(run(args.clients, args.seconds))
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
    ok = not result["five_xx"] and result["consistent"]
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
