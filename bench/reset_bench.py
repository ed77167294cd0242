"""``POST /_emulator/reset`` round trip, with the fixtures loaded and some state to throw away.

Before each timed reset, ten API keys and an account rename are written (not timed), so every
reset really has state to discard. One keep-alive client, the emulator in its own process.
Target: median ≤ 2 ms.

    .venv/bin/python bench/reset_bench.py [--runs 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from _support import (
    COMMAND,
    DEFAULT_KEY,
    RawClient,
    free_port,
    request_bytes,
    start,
    stop,
    summary,
    verdict,
    wait_until_answered,
)

TARGET_S = 0.002


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    auth = {"Authorization": f"Bearer {DEFAULT_KEY}", "Content-Type": "application/json"}
    create = request_bytes("POST", "/v1/account/api-keys", auth, b'{"name": "bench"}')
    rename = request_bytes("PATCH", "/v1/account", auth, b'{"name": "Renamed"}')
    reset = request_bytes("POST", "/_emulator/reset", {})
    port = free_port()
    proc = start([COMMAND, "serve", "--port", str(port), "--log-level", "warning",
                  "--no-rate-limits", "--seed", "1"])  # fmt: skip
    samples: list[float] = []
    try:
        wait_until_answered(port, reset, time.monotonic() + 20)
        client = RawClient(port)
        for run in range(args.runs + 20):
            for _ in range(10):
                assert client.send(create)[0] == 201
            assert client.send(rename)[0] == 200
            began = time.perf_counter()
            status, body = client.send(reset)
            elapsed = time.perf_counter() - began
            assert status == 200 and json.loads(body)["data"]["reset"] is True, body
            if run >= 20:  # the first ones warm up caches and the allocator
                samples.append(elapsed)
        client.close()
    finally:
        stop(proc)
    median = statistics.median(samples)
    print(f"POST /_emulator/reset (after 10 keys + a rename): {summary(samples)}")
    print(f"  target median ≤ {TARGET_S * 1000:g} ms: {verdict(median, TARGET_S)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
