"""Sandboxes: the cost of creating, resetting and deleting one, the memory of idle ones, and a
shared emulator serving parallel clients in sandboxes of their own.

One ``lambda-emulator serve`` process (frozen clock, in memory), driven over loopback:

1. create, reset and delete a sandbox through the control plane, one after another, by a raw
   keep-alive client: wall milliseconds per operation (median and p90 of N);
2. the server's RSS before and after creating 1,000 idle sandboxes;
3. 8 client threads, each in its own sandbox, each running "tests" of create instance →
   advance its clock → get → delete, for a few seconds: tests per second and p99 latency of a
   test, first with no other sandbox, then with 1,000 idle ones beside them.

Targets (issue 12): create, reset, delete ≤ 2 ms each; 1,000 idle sandboxes ≤ 100 MB.

    .venv/bin/python bench/sandbox_bench.py [--ops 200] [--idle 1000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path

from _support import (
    COMMAND,
    RawClient,
    free_port,
    load_average,
    request_bytes,
    start,
    stop,
    wait_until_answered,
)

INSTANCE = json.dumps(
    {"name": "b", "instance_type": "compute-1x", "region": "us-west-1", "image": "ubuntu-22.04"}
).encode()


def request(method: str, path: str, body: bytes = b"", key: str | None = None) -> bytes:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return request_bytes(method, path, headers, body)


def call(client: RawClient, raw: bytes, expect: int = 200) -> dict:
    status, body = client.send(raw)
    if status != expect:
        raise SystemExit(f"answered {status}: {body[:300]!r}")
    return json.loads(body)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def control_ops(port: int, ops: int) -> dict[str, list[float]]:
    client = RawClient(port)
    times: dict[str, list[float]] = {"create": [], "reset": [], "delete": []}
    create = request("POST", "/_emulator/sandboxes", b'{"speed": 0}')
    for _ in range(ops):
        began = time.perf_counter()
        made = call(client, create, 201)["data"]
        times["create"].append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        call(client, request("POST", f"/_emulator/sandboxes/{made['id']}/reset"))
        times["reset"].append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        call(client, request("DELETE", f"/_emulator/sandboxes/{made['id']}"))
        times["delete"].append((time.perf_counter() - began) * 1000)
    client.close()
    return times


def worker(port: int, seconds: float, latencies: list[float], start_at: float) -> None:
    client = RawClient(port)
    made = call(client, request("POST", "/_emulator/sandboxes", b'{"speed": 0}'), 201)["data"]
    key, control = made["api_key"], f"/_emulator/sandboxes/{made['id']}"
    create = request("POST", "/v1/instances", INSTANCE, key)
    advance = request("POST", control + "/clock/advance", b'{"seconds": 120}')
    while time.perf_counter() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        instance = call(client, create, 201)["data"]
        call(client, advance)
        got = call(client, request("GET", f"/v1/instances/{instance['id']}", key=key))["data"]
        assert got["status"] == "running"
        call(client, request("DELETE", f"/v1/instances/{instance['id']}", key=key))
        latencies.append((time.perf_counter() - began) * 1000)
    call(client, request("DELETE", f"/_emulator/sandboxes/{made['id']}"))
    client.close()


def parallel(port: int, clients: int, seconds: float) -> tuple[float, float, float]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start_at = time.perf_counter() + 0.5
    threads = [
        threading.Thread(target=worker, args=(port, seconds, latencies[i], start_at))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [x for part in latencies for x in part]
    return len(every) / seconds, statistics.median(every), percentile(every, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    port = free_port()
    proc = start([COMMAND, "serve", "--port", str(port), "--speed", "0", "--seed", "1",
                  "--log-level", "warning", "--no-rate-limits"])  # fmt: skip
    try:
        wait_until_answered(port, request("GET", "/_emulator/health"), time.monotonic() + 30)
        print(f"load average {load_average()}")
        times = control_ops(port, args.ops)
        for name, values in times.items():
            print(
                f"{name:>7}: median {statistics.median(values):.2f} ms, "
                f"p90 {percentile(values, 0.9):.2f} ms (n={len(values)}, target ≤ 2 ms)"
            )
        tps, median, p99 = parallel(port, args.clients, args.seconds)
        print(
            f"{args.clients} clients, no other sandbox: {tps:.0f} tests/s, "
            f"test median {median:.1f} ms, p99 {p99:.1f} ms"
        )
        before = rss_mb(proc.pid)
        client = RawClient(port)
        create = request("POST", "/_emulator/sandboxes", b'{"speed": 0}')
        for _ in range(args.idle):
            call(client, create, 201)
        client.close()
        after = rss_mb(proc.pid)
        print(
            f"{args.idle} idle sandboxes: RSS {before:.0f} → {after:.0f} MB "
            f"(+{after - before:.0f} MB, target ≤ 100 MB)"
        )
        tps, median, p99 = parallel(port, args.clients, args.seconds)
        print(
            f"{args.clients} clients beside {args.idle} idle sandboxes: {tps:.0f} tests/s, "
            f"test median {median:.1f} ms, p99 {p99:.1f} ms"
        )
    finally:
        stop(proc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
