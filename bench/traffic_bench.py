"""What rate limiting, idempotency keys and the request journal cost per request.

Three measurements:

1. Each part alone, timed directly (best of several repeats, so a busy machine disturbs it
   least): the rate limiter's ``admit``, the journal's ASGI layer around a trivial app (and the
   cost of reading an entry back), and claiming + saving an Idempotency-Key record.
2. In process, driving the ASGI app directly (no sockets, no client): ``GET /v1/account`` with
   the rate limiter and the journal switched off and on, and ``POST /v1/account/api-keys``
   with and without an Idempotency-Key, and a replay of one.
3. Over HTTP, one uvicorn worker and one keep-alive client, side by side with a bare Starlette
   route on the same uvicorn: requests per second of ``GET /v1/account``.

    .venv/bin/python bench/traffic_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

import httpx

from lambda_emulator.app import create_app, runtime_of
from lambda_emulator.core.idempotency import record_id
from lambda_emulator.core.keys import DEFAULT_API_KEY
from lambda_emulator.http.journal import JournalMiddleware
from lambda_emulator.resources import accounts
from lambda_emulator.settings import Settings
from lambda_emulator.traffic import idempotency, ratelimit

AUTH = (b"authorization", b"Bearer " + DEFAULT_API_KEY.encode())
Scope = dict[str, Any]


def make_app(*, rate_limits: bool, journal: bool) -> Any:
    app = create_app(Settings(seed=0, speed=0, rate_limits=rate_limits, log_level="warning"))
    if not journal:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not JournalMiddleware]
    return app


async def call(app: Any, method: str, path: str, body: bytes = b"", headers: Any = ()) -> int:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            AUTH,
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8787),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def timed_us(n: int, make: Callable[[int], Any], offset: int = 0) -> float:
    """Mean microseconds per request of ``n`` requests."""
    started = time.perf_counter()
    for i in range(n):
        make(offset + i)
    return (time.perf_counter() - started) / n * 1e6


def interleaved(n: int, rounds: int, variants: dict[str, Callable[[int], Any]]) -> dict[str, float]:
    """The best round of each variant, the variants taking turns so that a busy machine slows
    them all alike (the minimum is the run least disturbed by anything else)."""
    best = dict.fromkeys(variants, float("inf"))
    for r in range(rounds):
        for label, make in variants.items():
            best[label] = min(best[label], timed_us(n, make, r * n))
    return best


def in_process(quick: bool) -> dict[str, float]:
    n, rounds = (300, 3) if quick else (1000, 7)
    loop = asyncio.new_event_loop()

    def request(
        app: Any,
        method: str,
        path: str,
        body: bytes,
        key: Callable[[int], bytes] | None,
        expected: int,
    ) -> Callable[[int], Any]:
        def once(i: int) -> Any:
            headers = [(b"idempotency-key", key(i))] if key else []
            status = loop.run_until_complete(call(app, method, path, body, headers))
            assert status == expected, status
            return status

        return once

    gets: dict[str, Callable[[int], Any]] = {}
    for rate_limits in (False, True):
        for journal in (False, True):
            app = make_app(rate_limits=rate_limits, journal=journal)
            _enterprise_unbounded(app)
            label = (
                f"GET, rate limits {'on' if rate_limits else 'off'}, "
                f"journal {'on' if journal else 'off'}"
            )
            gets[label] = request(app, "GET", "/v1/account", b"", None, 200)
            gets[label](0)
    out = interleaved(n, rounds, gets)

    # POSTs with and without an Idempotency-Key (each a new API key; enterprise allows 500
    # live keys, so every round deletes nothing and stays small), and replays of one key.
    creates = 40
    posts: dict[str, Callable[[int], Any]] = {}
    body = b'{"name": "bench"}'
    for keyed in (False, True):
        app = make_app(rate_limits=True, journal=True)
        _enterprise_unbounded(app)
        label = f"POST create, {'with' if keyed else 'no'} Idempotency-Key"
        posts[label] = request(
            app,
            "POST",
            "/v1/account/api-keys",
            body,
            (lambda i: f"k-{i}".encode()) if keyed else None,
            201,
        )
    replay_app = make_app(rate_limits=True, journal=True)
    _enterprise_unbounded(replay_app)
    posts["POST replay of an Idempotency-Key"] = request(
        replay_app, "POST", "/v1/account/api-keys", body, lambda i: b"same", 201
    )
    out.update(interleaved(creates, 10, posts))
    loop.close()
    return out


def _enterprise_unbounded(app: Any) -> None:
    """Benchmarks make thousands of requests in one frozen clock second: lift the limits so
    the limiter does all its work (lookup, arithmetic, headers) without refusing anything."""
    rt = runtime_of(app)
    plans = rt.catalog.plans
    plans["enterprise"] = dict(
        plans["enterprise"], rate_limit={"requests_per_hour": 10**9, "burst": 10**9}
    )
    accounts.set_plan(rt, accounts.default_account_id(rt), "enterprise")


def best_us(statement: Callable[[], Any], number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(statement, number=number, repeat=repeat)) / number * 1e6


def parts() -> dict[str, float]:
    out: dict[str, float] = {}
    app = make_app(rate_limits=True, journal=True)
    _enterprise_unbounded(app)
    rt = runtime_of(app)
    account_id = accounts.default_account_id(rt)
    out["rate limiter: admit() and its headers"] = best_us(
        lambda: ratelimit.admit(rt, account_id).headers(),  # type: ignore[union-attr]
        20000,
    )

    async def trivial(scope: Scope, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"success":true,"data":{}}'})

    journaled = JournalMiddleware(trivial, rt)
    loop = asyncio.new_event_loop()

    def through(asgi: Any) -> Callable[[], Any]:
        return lambda: loop.run_until_complete(call(asgi, "POST", "/v1/x", b'{"name": "n"}'))

    bare = best_us(through(trivial), 5000)
    out["journal: recording one request (ASGI layer)"] = best_us(through(journaled), 5000) - bare
    entries = list(rt.traffic.journal.entries)[-100:]
    out["journal: reading one entry back (redacted)"] = best_us(
        lambda: [e.view() for e in entries], 50
    ) / len(entries)
    loop.close()

    payload = {"success": True, "data": {"id": "key_x", "name": "bench", "key": "no secret"}}
    counter = iter(range(10**9))

    def claim_and_save() -> None:
        held = idempotency.claim(rt, account_id, f"k-{next(counter)}", "POST", "/v1/x", b"{}")
        assert isinstance(held, idempotency.Claim)
        with rt.transaction():
            idempotency.save(rt, held, "req_x", 201, payload, {})
        idempotency.release(rt, held)

    out["idempotency: claim + save a record"] = best_us(claim_and_save, 2000, 5)
    idempotency.claim(rt, account_id, "same", "POST", "/v1/x", b"{}")
    held = rt.traffic.claims.pop(record_id(account_id, "same"))
    with rt.transaction():
        idempotency.save(rt, held, "req_x", 201, payload, {})

    def replay() -> None:
        record = idempotency.claim(rt, account_id, "same", "POST", "/v1/x", b"{}")
        assert not isinstance(record, idempotency.Claim)
        idempotency.replay_payload(rt, record)

    out["idempotency: look up a record to replay"] = best_us(replay, 20000)
    return out


BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
async def account(request):
    return JSONResponse({"success": True, "data": {"id": "acct_x", "plan": "professional"}})
app = Starlette(routes=[Route("/v1/account", account)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(command: list[str], port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/account", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def rps(port: int, n: int) -> float:
    headers = {b"Authorization": AUTH[1]}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        for _ in range(50):
            client.get("/v1/account")
        started = time.perf_counter()
        for _ in range(n):
            client.get("/v1/account")
        return n / (time.perf_counter() - started)


def over_http(quick: bool) -> dict[str, float]:
    n, rounds = (500, 3) if quick else (2000, 5)
    serve_cmd = [sys.executable, "-m", "lambda_emulator", "serve", "--log-level", "warning"]
    variants = {
        "bare Starlette route": [sys.executable, "-c", BARE_APP],
        "emulator, rate limits off": [*serve_cmd, "--no-rate-limits", "--port"],
        "emulator, everything on": [*serve_cmd, "--port"],
    }
    ports: dict[str, int] = {}
    processes = []
    try:
        for label, command in variants.items():
            port = free_port()
            processes.append(serve([*command, str(port)], port))
            ports[label] = port
            if "emulator" in label:
                # A tight loop from one client passes the professional burst (200/s); on
                # enterprise (1,000/s) it stays under, so every request takes the full path.
                _enterprise(port)
        best = dict.fromkeys(variants, 0.0)
        for _ in range(rounds):
            for label, port in ports.items():
                best[label] = max(best[label], rps(port, n))
        return best
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)


def _enterprise(port: int) -> None:
    headers = {b"Authorization": AUTH[1]}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        account = client.get("/v1/account").json()["data"]["id"]
        client.patch(f"/_emulator/accounts/{account}", json={"plan": "enterprise"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (CI smoke)")
    args = parser.parse_args()
    print("Each part alone (µs per request, best of several repeats):")
    for label, value in parts().items():
        print(f"  {label:<44} {value:8.1f}")
    print("In process (µs per request, best round of several, variants interleaved):")
    for label, value in in_process(args.quick).items():
        print(f"  {label:<44} {value:8.1f}")
    print("Over HTTP (requests/s, one client, keep-alive):")
    results = over_http(args.quick)
    bare = results["bare Starlette route"]
    for label, value in results.items():
        print(f"  {label:<44} {value:8.0f}  ({value / bare:.0%} of bare)")


if __name__ == "__main__":
    main()
