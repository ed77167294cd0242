"""Regenerate the example output in docs/monitoring.md and docs/billing.md from a real emulator.

    python scripts/monitoring_billing_examples.py          # print the blocks
    python scripts/monitoring_billing_examples.py --write  # update the docs in place

Each block sits between ``<!-- example:NAME -->`` and ``<!-- /example:NAME -->`` in a doc; a
test (tests/e2e/test_monitoring_billing_docs.py) fails when a block no longer matches what
the emulator answers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import connect

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 1, 24, 10, 30, tzinfo=UTC)
HOUR = 3600
BAR = 40


def _data(response: httpx.Response) -> Any:
    payload = response.json()
    if not payload.get("success"):
        raise SystemExit(f"{response.request.url}: {payload}")
    return payload["data"]


def _bar(value: float, top: float) -> str:
    return "#" * round(BAR * value / top) if top else ""


def generate() -> dict[str, str]:
    """Run the scenario on a fresh emulator (seed 0, frozen clock) and render the blocks."""
    settings = Settings(port=0, seed=0, speed=0.0, start_time=START, log_level="warning")
    with EmulatorThread(settings) as server:
        control = httpx.Client(base_url=server.url, timeout=30)
        key = settings.api_key.encode()
        api = httpx.Client(
            base_url=server.url, timeout=30, headers={b"Authorization": b"Bearer " + key}
        )

        def advance(seconds: int) -> None:
            _data(control.post("/_emulator/clock/advance", json={"seconds": seconds}))

        _data(control.put("/_emulator/transitions", json={"mode": "instant"}))
        body = {"name": "web-1", "instance_type": "compute-4x", "region": "us-west-1"}
        inst = _data(api.post("/v1/instances", json={**body, "image": "ubuntu-22.04"}))
        advance(19 * HOUR + 30 * 60)  # to 2026-01-25T06:00Z
        _data(api.post(f"/v1/instances/{inst['id']}/stop"))
        advance(3 * HOUR)
        _data(api.post(f"/v1/instances/{inst['id']}/start"))
        advance(18 * HOUR)  # to 2026-01-26T03:00Z
        params = {
            "start": "2026-01-25T03:00:00Z",
            "end": "2026-01-26T03:00:00Z",
            "period": 3600,
            "metrics": "cpu_utilization,network_in_bytes",
        }
        metrics = _data(api.get(f"/v1/instances/{inst['id']}/metrics", params=params))
        stream = server.url.replace("http://", "ws://") + (
            f"/v1/instances/{inst['id']}/metrics/stream"
            "?period=60&metrics=cpu_utilization,network_in_bytes"
        )
        wire_key = "Bearer " + settings.api_key.encode("utf-8").decode("latin-1")
        with connect(stream, additional_headers={"Authorization": wire_key}) as ws:
            first_message = json.loads(ws.recv(timeout=10))
        usage = _data(api.get("/v1/billing/usage"))
        estimate = _data(
            api.get(
                "/v1/billing/estimate",
                params={"instance_type": "compute-4x", "count": 2, "volume_size_gb": 100},
            )
        )
        advance(6 * 24 * HOUR)  # past 2026-02-01T00:00Z
        invoices = _data(api.get("/v1/billing/invoices"))

    cpu = metrics["metrics"]["cpu_utilization"]
    net = metrics["metrics"]["network_in_bytes"]
    top_cpu = max(p["value"] for p in cpu)
    rows = ["hour (UTC)  cpu %   network in (MB)  cpu"]
    for c, n in zip(cpu, net, strict=True):
        row = (
            f"{c['timestamp'][5:13].replace('T', ' ')}  {c['value']:6.2f}  "
            f"{n['value'] / 1e6:15.1f}  {_bar(c['value'], top_cpu)}"
        )
        rows.append(row.rstrip())
    table = "\n".join(rows)
    return {
        "metrics-table": f"```text\n{table}\n```",
        "stream-message": "```json\n" + json.dumps(first_message, ensure_ascii=False) + "\n```",
        "usage": "```json\n" + json.dumps(usage, indent=2, ensure_ascii=False) + "\n```",
        "estimate": "```json\n" + json.dumps(estimate, indent=2, ensure_ascii=False) + "\n```",
        "invoice": "```json\n" + json.dumps(invoices[1], indent=2, ensure_ascii=False) + "\n```",
    }


DOCS = {
    "metrics-table": "docs/monitoring.md",
    "stream-message": "docs/monitoring.md",
    "usage": "docs/billing.md",
    "estimate": "docs/billing.md",
    "invoice": "docs/billing.md",
}


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- example:{re.escape(name)} -->\n)(.*?)(\n<!-- /example:{re.escape(name)} -->)",
        re.DOTALL,
    )


def write(blocks: dict[str, str]) -> None:
    for name, text in blocks.items():
        path = ROOT / DOCS[name]
        doc = path.read_text(encoding="utf-8")
        new, count = block_pattern(name).subn(
            lambda m, text=text: m.group(1) + text + m.group(3), doc
        )
        if count != 1:
            raise SystemExit(f"{path}: no single '{name}' example block")
        path.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update the docs in place")
    args = parser.parse_args()
    blocks = generate()
    if args.write:
        write(blocks)
    else:
        for name, text in blocks.items():
            print(f"--- {name}\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
