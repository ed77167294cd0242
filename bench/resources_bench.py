"""Compute resources at scale: 10,000 instances in one account.

Measures, and checks against the targets of the compute-resources issue:

1. list: ``GET /v1/instances?status=running&sort=name&limit=100`` over HTTP against
   ``lambda-emulator serve`` in its own process, median ≤ 20 ms (page 1 repeatedly, and every
   page once; every item of every page is validated against its schema as always);
2. create rate with 10,000 stored: the TinyDB store ≥ 1/3 of the memory store's rate;
3. durability: a server on a TinyDB state file holding 10,000 instances is sent creates from
   several clients and killed with SIGKILL; after a restart every acknowledged instance exists;
4. memory: the resident set of the server process holding them ≤ 150 MB.

Run: ``.venv/bin/python bench/resources_bench.py`` (about a minute). Prints a table and exits
non-zero when a target is missed. ``--quick`` uses 2,000 instances (a smoke run).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lambda_emulator.app import create_app, runtime_of  # noqa: E402
from lambda_emulator.resources import instances, onboarding  # noqa: E402
from lambda_emulator.runtime import Runtime  # noqa: E402
from lambda_emulator.settings import Settings  # noqa: E402
from lambda_emulator.storage import MemoryStore, Store, TinyDBStore  # noqa: E402

START = datetime(2026, 1, 24, 10, 30, tzinfo=UTC)
TYPES = ["compute-1x", "compute-2x", "compute-4x", "compute-8x", "compute-16x"]
REGIONS = ["us-west-1", "us-east-1", "eu-west-1"]
WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
    "hotel", "india", "juliet", "kilo", "lima", "mike",
]  # fmt: skip


def settings(**extra: Any) -> Settings:
    base: dict[str, Any] = {
        "port": 0,
        "seed": 0,
        "speed": 0.0,
        "start_time": START,
        "transitions": "instant",
        "log_level": "warning",
        "rate_limits": False,
    }
    base.update(extra)
    return Settings(**base)


def bench_account(rt: Runtime, name: str) -> str:
    """An enterprise account whose instance quotas this benchmark lifts (its own catalogue)."""
    account, _, _ = onboarding.create_account(rt, "enterprise", name)
    quotas = rt.catalog.plans["enterprise"]["quotas"]
    quotas["instances"] = quotas["vcpus"] = 10**7
    return str(account["id"])


def body(i: int) -> dict[str, Any]:
    return {
        "name": f"{WORDS[(i * 7) % len(WORDS)]}-{(i * 7919) % 100_000:05d}",
        "instance_type": TYPES[i % len(TYPES)],
        "region": REGIONS[i % len(REGIONS)],
        "image": "ubuntu-22.04",
        "tags": {"batch": str(i % 10)},
    }


def populate(rt: Runtime, account_id: str, count: int, start: int = 0) -> list[str]:
    """``count`` instances, each in its own transaction like a request; every third stopped."""
    ids = []
    for i in range(start, start + count):
        with rt.transaction():
            doc = instances.create_instance(rt, account_id, body(i))
            if i % 3 == 0:
                doc = instances.power(rt, account_id, doc["id"], "stop")
        ids.append(doc["id"])
    return ids


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


# a server process on a prepared state file ----------------------------------------------------
def prepare_state(count: int, state: Path) -> dict[str, str]:
    """A TinyDB state file with ``count`` instances in one account; returns the keys to use."""
    app = create_app(settings(), store=TinyDBStore(state))
    rt = runtime_of(app)
    account, _, secret = onboarding.create_account(rt, "enterprise", "stored")
    quotas = rt.catalog.plans["enterprise"]["quotas"]
    quotas["instances"] = quotas["vcpus"] = 10**7
    populate(rt, str(account["id"]), count)
    _, _, writer = onboarding.create_account(rt, "enterprise", "writer")
    rt.store.close()
    return {"stored": secret, "writer": writer}


class Server:
    """``lambda-emulator serve`` on a state file, in its own process (as users run it)."""

    def __init__(self, state: Path) -> None:
        port_file = state.with_name("port")
        port_file.unlink(missing_ok=True)
        code = (
            "import socket,sys;from lambda_emulator.process.cli import main;"
            "s=socket.socket();s.bind(('127.0.0.1',0));p=s.getsockname()[1];s.close();"
            f"open({str(port_file)!r},'w').write(str(p));"
            f"sys.exit(main(['serve','--port',str(p),'--state-file',{str(state)!r},"
            "'--seed','0','--speed','0','--transitions','instant','--no-rate-limits',"
            "'--log-level','warning']))"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text():
                self.url = f"http://127.0.0.1:{port_file.read_text()}"
                try:
                    if httpx.get(self.url + "/_emulator/health", timeout=1).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.proc.kill()
        assert self.proc.stderr is not None
        raise RuntimeError("the emulator did not start: " + self.proc.stderr.read().decode())

    def client(self, secret: str, timeout: float = 10) -> httpx.Client:
        headers = {b"Authorization": b"Bearer " + secret.encode()}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")


# 1. list -----------------------------------------------------------------------------------
def bench_list(server: Server, secret: str, count: int) -> dict[str, Any]:
    with server.client(secret) as client:
        total = client.get("/v1/instances", params={"status": "running", "limit": 1}).json()
        assert total["pagination"]["total_items"] == count - (count + 2) // 3
        pages = int(total["pagination"]["total_items"]) // 100

        def page(n: int) -> Callable[[], Any]:
            params = {"status": "running", "sort": "name", "limit": 100, "page": n}

            def get() -> None:
                response = client.get("/v1/instances", params=params)
                assert response.status_code == 200 and len(response.json()["data"]) == 100

            return get

        timed(page(1), 5)  # warm up the connection and the compiled validators
        every_page = [timed(page(n), 1)[0] for n in range(1, pages + 1)]
        first_page = timed(page(1), 200)
    return {
        "pages": pages,
        "page1_median_ms": statistics.median(first_page),
        "page1_p95_ms": sorted(first_page)[int(len(first_page) * 0.95)],
        "every_page_median_ms": statistics.median(every_page),
        "every_page_p95_ms": sorted(every_page)[int(len(every_page) * 0.95)],
    }


def bench_list_service(count: int) -> float:
    """The same page computed in-process (no HTTP, no validation): what the store costs."""
    app = create_app(settings())
    rt = runtime_of(app)
    account = bench_account(rt, "svc")
    populate(rt, account, count)
    query = {"status": "running", "sort": "name", "limit": 100}
    return statistics.median(timed(lambda: instances.list_instances(rt, account, query), 50))


# 2. create rate ------------------------------------------------------------------------------
def create_rate(store: Store, stored: int, creates: int) -> float:
    app = create_app(settings(), store=store)
    rt = runtime_of(app)
    populate(rt, bench_account(rt, "stored"), stored)
    fresh = bench_account(rt, "fresh")
    t = time.perf_counter()
    populate(rt, fresh, creates, start=stored)
    rate = creates / (time.perf_counter() - t)
    store.close()
    return rate


# 3. durability under SIGKILL ---------------------------------------------------------------
def durability(state: Path, secret: str) -> dict[str, Any]:
    server = Server(state)
    acknowledged: list[str] = []  # created, and still meant to exist
    deleted: list[str] = []  # deleted (acknowledged), must stay gone
    lock = threading.Lock()
    stop = threading.Event()

    def writer(n: int) -> None:
        """Create instances; delete every other one again (instant mode: gone at once), so
        both kinds of write are in flight when the kill comes and the quota never fills."""
        with server.client(secret, timeout=5) as client:
            i = 0
            while not stop.is_set():
                try:
                    response = client.post("/v1/instances", json=body(10**6 + n * 10**4 + i))
                    if response.status_code != 201:
                        raise RuntimeError(response.text)
                    instance_id = response.json()["data"]["id"]
                    with lock:
                        acknowledged.append(instance_id)
                    gone = i % 2 and client.delete(f"/v1/instances/{instance_id}")
                    if gone and gone.status_code == 200:
                        with lock:
                            acknowledged.remove(instance_id)
                            deleted.append(instance_id)
                except httpx.HTTPError:
                    return  # the server died under us: this one was never acknowledged
                i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join()
    server = Server(state)
    try:
        with server.client(secret) as client:
            missing = [
                i for i in acknowledged if client.get(f"/v1/instances/{i}").status_code != 200
            ]
            back = [i for i in deleted if client.get(f"/v1/instances/{i}").status_code != 404]
            listed = client.get("/v1/instances", params={"limit": 1}).json()["pagination"]
    finally:
        server.stop()
    return {
        "acknowledged": len(acknowledged) + len(deleted),
        "acknowledged_creates_kept": len(acknowledged),
        "acknowledged_deletes": len(deleted),
        "missing_after_restart": len(missing),
        "deleted_but_back_after_restart": len(back),
        "listed_after_restart": listed["total_items"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    count = 2000 if args.quick else 10_000
    creates = 1000 if args.quick else 5000
    results: dict[str, Any] = {"instances": count}
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.json"
        keys = prepare_state(count, state)
        server = Server(state)
        try:
            results["list"] = bench_list(server, keys["stored"], count)
            results["rss_mb"] = server.rss_mb()
        finally:
            server.stop()
        results["list"]["service_median_ms"] = bench_list_service(count)
        results["durability"] = durability(state, keys["writer"])
        memory_rate = create_rate(MemoryStore(), count, creates)
        tinydb_rate = create_rate(TinyDBStore(Path(tmp) / "rate.json"), count, creates)
        results["create"] = {
            "creates": creates,
            "memory_per_s": memory_rate,
            "tinydb_per_s": tinydb_rate,
            "ratio": tinydb_rate / memory_rate,
        }
    checks = {
        "list page 1 median <= 20 ms": results["list"]["page1_median_ms"] <= 20,
        "list every page median <= 20 ms": results["list"]["every_page_median_ms"] <= 20,
        "tinydb create rate >= 1/3 of memory": results["create"]["ratio"] >= 1 / 3,
        "every acknowledged write survives SIGKILL": results["durability"]["acknowledged"] > 0
        and results["durability"]["missing_after_restart"] == 0
        and results["durability"]["deleted_but_back_after_restart"] == 0,
        "RSS <= 150 MB": results["rss_mb"] <= 150,
    }
    print(json.dumps(results, indent=2))
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "checks": checks}, indent=2))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
