"""``…/metrics/stream`` over a real server, with real WebSocket clients (websockets, Node)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import ok
from tests.support.keys import auth_header, wire
from tests.support.metrics_stream import stream_url
from tests.support.resources import HOUR, action, create_instance, instant

TIMEOUT = 10


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=TIMEOUT))
    return message


def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; the close code and reason."""
    with pytest.raises(ConnectionClosed) as info:
        while True:
            ws.recv(timeout=TIMEOUT)
    frame = info.value.rcvd
    assert frame is not None, "the server closed without a close frame"
    return frame.code, frame.reason


@pytest.fixture
def running(lambda_emulator: EmulatorHandle, client: httpx.Client) -> dict[str, Any]:
    instant(lambda_emulator)
    inst = create_instance(client)
    lambda_emulator.advance(HOUR)  # 11:30
    return inst


def test_samples_follow_the_clock_and_match_the_metrics_query(
    lambda_emulator: EmulatorHandle, client: httpx.Client, running: dict[str, Any]
) -> None:
    url = stream_url(lambda_emulator, running["id"], period=60)
    with connect(url, additional_headers=auth_header(lambda_emulator.api_key)) as ws:
        first = receive(ws)  # the latest complete period, at once
        assert first["timestamp"] == "2026-01-24T11:29:00Z"
        assert set(first["metrics"]) >= {"cpu_utilization", "network_in_bytes"}
        lambda_emulator.advance(300)
        pushed = [receive(ws) for _ in range(5)]
        # Nothing more until the clock moves again: after one more period, the very next
        # message is the one for that period (anything sent in between would come first).
        lambda_emulator.advance(60)
        assert receive(ws)["timestamp"] == "2026-01-24T11:35:00Z"
    stamps = [m["timestamp"] for m in pushed]
    assert stamps == [f"2026-01-24T11:3{i}:00Z" for i in range(5)]
    query = ok(
        client.get(
            f"/v1/instances/{running['id']}/metrics",
            params={"start": "2026-01-24T11:29:00Z", "end": "2026-01-24T11:35:00Z"},
        )
    )
    for i, message in enumerate([first, *pushed]):
        for name, value in message["metrics"].items():
            assert query["metrics"][name][i] == {"timestamp": message["timestamp"], "value": value}


def test_several_clients_with_query_key_or_header_get_the_same_samples(
    lambda_emulator: EmulatorHandle, running: dict[str, Any]
) -> None:
    key = lambda_emulator.api_key
    header = stream_url(lambda_emulator, running["id"], period=600, metrics="cpu_utilization")
    browser = stream_url(
        lambda_emulator, running["id"], period=600, metrics="cpu_utilization", api_key=key
    )
    beta = stream_url(
        lambda_emulator, running["id"], version="v2", period=600, metrics="cpu_utilization"
    )
    with (
        connect(header, additional_headers={"X-API-Key": wire(key)}) as a,
        connect(browser) as b,
        connect(beta, additional_headers=auth_header(key)) as c,
    ):
        starts = [receive(ws) for ws in (a, b, c)]
        lambda_emulator.advance(1800)
        later = [[receive(ws) for _ in range(3)] for ws in (a, b, c)]
    assert starts[0] == starts[1] == starts[2]
    assert list(starts[0]["metrics"]) == ["cpu_utilization"]
    assert later[0] == later[1] == later[2]
    assert [m["timestamp"][11:16] for m in later[0]] == ["11:30", "11:40", "11:50"]


def test_a_new_instance_streams_from_its_first_whole_period(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)  # at 10:30:00
    url = stream_url(lambda_emulator, inst["id"], period=60, api_key=lambda_emulator.api_key)
    with connect(url) as ws:
        lambda_emulator.advance(90)
        # Nothing before creation: the first message of all is the first whole period's.
        assert receive(ws)["timestamp"] == "2026-01-24T10:30:00Z"
        lambda_emulator.advance(30)
        assert receive(ws)["timestamp"] == "2026-01-24T10:31:00Z"


def test_a_stopped_instance_streams_zeros(
    lambda_emulator: EmulatorHandle, client: httpx.Client, running: dict[str, Any]
) -> None:
    action(client, running["id"], "stop")
    url = stream_url(lambda_emulator, running["id"], period=600, api_key=lambda_emulator.api_key)
    with connect(url) as ws:
        assert receive(ws)["metrics"]["cpu_utilization"] > 0  # 11:20–11:30, still running
        lambda_emulator.advance(600)
        assert set(receive(ws)["metrics"].values()) == {0}


@pytest.mark.parametrize(
    ("key", "code", "words"),
    [
        (None, 4401, "Missing API key"),
        ("λ_sk_unknownkey000000", 4401, "Unknown API key"),
        ("not-a-key", 4401, "Malformed API key"),
    ],
)
def test_bad_keys_close_with_4401(
    lambda_emulator: EmulatorHandle,
    running: dict[str, Any],
    key: str | None,
    code: int,
    words: str,
) -> None:
    with connect(stream_url(lambda_emulator, running["id"], api_key=key)) as ws:
        got, reason = closed_with(ws)
    assert got == code
    assert words in reason


def test_refusals_close_with_their_own_codes(
    lambda_emulator: EmulatorHandle, client: httpx.Client, running: dict[str, Any]
) -> None:
    key = lambda_emulator.api_key
    with connect(stream_url(lambda_emulator, "inst_nosuchinstance", api_key=key)) as ws:
        assert closed_with(ws)[0] == 4404
    with connect(stream_url(lambda_emulator, running["id"], api_key=key, period=0)) as ws:
        code, reason = closed_with(ws)
        assert (code, "period" in reason) == (4400, True)
    with connect(stream_url(lambda_emulator, running["id"], api_key=key, metrics="gpu")) as ws:
        assert closed_with(ws)[0] == 4400
    limited = ok(
        client.post("/v1/account/api-keys", json={"name": "b", "permissions": ["billing:read"]}),
        201,
    )
    with connect(stream_url(lambda_emulator, running["id"], api_key=limited["key"])) as ws:
        code, reason = closed_with(ws)
        assert (code, "monitoring:read" in reason) == (4403, True)
    stranger = lambda_emulator.new_account()
    with connect(stream_url(lambda_emulator, running["id"], api_key=stranger.api_key)) as ws:
        assert closed_with(ws)[0] == 4404


def test_deleting_the_instance_ends_the_stream_with_4410(
    lambda_emulator: EmulatorHandle, client: httpx.Client, running: dict[str, Any]
) -> None:
    url = stream_url(lambda_emulator, running["id"], period=60, api_key=lambda_emulator.api_key)
    with connect(url) as ws:
        receive(ws)
        ok(client.delete(f"/v1/instances/{running['id']}"))
        lambda_emulator.advance(120)
        messages = []
        with pytest.raises(ConnectionClosed) as info:
            while True:
                messages.append(json.loads(ws.recv(timeout=TIMEOUT)))
    assert info.value.rcvd is not None
    assert info.value.rcvd.code == 4410
    assert "deleted" in info.value.rcvd.reason
    # Nothing is sent for a period that starts after the deletion (11:30 here).
    assert all(m["timestamp"] < "2026-01-24T11:31:00Z" for m in messages)


def test_revoking_the_key_ends_the_stream_with_4401(
    lambda_emulator: EmulatorHandle, client: httpx.Client, running: dict[str, Any]
) -> None:
    created = ok(client.post("/v1/account/api-keys", json={"name": "dashboard"}), 201)
    with connect(stream_url(lambda_emulator, running["id"], api_key=created["key"])) as ws:
        receive(ws)
        ok(client.delete(f"/v1/account/api-keys/{created['id']}"))
        code, reason = closed_with(ws)
    assert (code, reason) == (4401, "API key was revoked")


def test_a_faster_clock_streams_faster(make_emulator: Callable[..., EmulatorHandle]) -> None:
    emulator = make_emulator(speed=600.0)  # ten emulated minutes per real second
    instant(emulator)
    with emulator.client() as client:
        inst = create_instance(client)
    url = stream_url(emulator, inst["id"], period=60, api_key=emulator.api_key)
    with connect(url) as ws:
        stamps = [receive(ws)["timestamp"] for _ in range(4)]
    assert stamps == sorted(set(stamps))


NODE_CLIENT = """
const [url, count] = [process.argv[2], Number(process.argv[3])];
const ws = new WebSocket(url);
const got = [];
const timer = setTimeout(() => {
  console.log(JSON.stringify({timeout: true}));
  process.exit(1);
}, 10000);
ws.onmessage = (event) => {
  got.push(JSON.parse(event.data));
  if (got.length === count) { console.log(JSON.stringify({messages: got})); ws.close(); }
};
ws.onclose = (event) => {
  if (got.length < count) console.log(JSON.stringify({code: event.code, reason: event.reason}));
  clearTimeout(timer);
};
"""


def _node_websocket() -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: .ci/run installs it (apt-get install nodejs)")
    for flags in ([], ["--experimental-websocket"]):
        probe = subprocess.run(
            [node, *flags, "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"],
            capture_output=True,
            timeout=30,
        )
        if probe.returncode == 0:
            return [node, *flags]
    pytest.skip("this Node has no WebSocket client (needs Node 22, or 20 with a flag)")


def test_nodes_websocket_client_reads_the_stream_with_the_query_key(
    lambda_emulator: EmulatorHandle, running: dict[str, Any], tmp_path: Path
) -> None:
    command = _node_websocket()
    script = tmp_path / "stream.js"
    script.write_text(NODE_CLIENT, encoding="utf-8")
    url = stream_url(lambda_emulator, running["id"], period=600, api_key=lambda_emulator.api_key)
    done = subprocess.run(
        [*command, str(script), url, "1"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["messages"][0]["timestamp"] == "2026-01-24T11:20:00Z"
    refused = subprocess.run(
        [*command, str(script), stream_url(lambda_emulator, running["id"]), "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    result = json.loads(refused.stdout.strip().splitlines()[-1])
    assert result["code"] == 4401
    assert "api_key" in result["reason"]
