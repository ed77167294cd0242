"""``GET /v1/instances/{id}/metrics`` over a real server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.testing.pytest_plugin import DEFAULT_START, EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.resources import HOUR, action, create_instance, instant
from tests.support.server import emulator_settings

ALL = {
    "cpu_utilization",
    "memory_utilization",
    "network_in_bytes",
    "network_out_bytes",
    "disk_read_bytes",
    "disk_write_bytes",
}


def test_default_query_is_the_last_hour_by_minute_for_every_metric(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)
    lambda_emulator.advance(2 * HOUR)
    data = ok(client.get(f"/v1/instances/{inst['id']}/metrics"))
    assert data["instance_id"] == inst["id"]
    assert (data["start"], data["end"], data["period"]) == (
        "2026-01-24T11:30:00Z",
        "2026-01-24T12:30:00Z",
        60,
    )
    assert set(data["metrics"]) == ALL
    assert data["units"]["cpu_utilization"] == "percent"
    assert data["units"]["disk_write_bytes"] == "bytes"
    for name, points in data["metrics"].items():
        assert len(points) == 60
        assert points[0]["timestamp"] == "2026-01-24T11:30:00Z"
        assert points[-1]["timestamp"] == "2026-01-24T12:29:00Z"
        values = [p["value"] for p in points]
        if data["units"][name] == "percent":
            assert all(0 < v <= 100 for v in values)
        else:
            assert all(isinstance(v, int) and v > 0 for v in values)
    # The same query gives the same numbers, on /v2 too.
    assert ok(client.get(f"/v1/instances/{inst['id']}/metrics")) == data
    assert ok(client.get(f"/v2/instances/{inst['id']}/metrics")) == data


def test_zero_while_stopped_and_nothing_before_creation(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)  # running from 10:30
    lambda_emulator.advance(HOUR)
    action(client, inst["id"], "stop")  # 11:30
    lambda_emulator.advance(HOUR)
    action(client, inst["id"], "start")  # 12:30
    lambda_emulator.advance(HOUR)
    params = {
        "start": "2026-01-24T09:00:00Z",
        "end": "2026-01-24T13:30:00Z",
        "period": 900,
        "metrics": "cpu_utilization,network_out_bytes",
    }
    data = ok(client.get(f"/v1/instances/{inst['id']}/metrics", params=params))
    assert list(data["metrics"]) == ["cpu_utilization", "network_out_bytes"]
    for points in data["metrics"].values():
        stamps = [p["timestamp"][11:16] for p in points]
        assert stamps[0] == "10:30" and stamps[-1] == "13:15"
        by_time = {p["timestamp"][11:16]: p["value"] for p in points}
        assert all(by_time[t] > 0 for t in ("10:30", "10:45", "11:00", "11:15", "12:30", "13:15"))
        assert all(by_time[t] == 0 for t in ("11:30", "11:45", "12:00", "12:15"))


def test_byte_points_of_any_period_add_up(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)
    lambda_emulator.advance(3 * HOUR)
    url = f"/v1/instances/{inst['id']}/metrics"
    window = {"start": "2026-01-24T11:00:00Z", "end": "2026-01-24T13:00:00Z"}
    minutes = ok(client.get(url, params={**window, "period": 60, "metrics": "disk_read_bytes"}))
    hours = ok(client.get(url, params={**window, "period": 3600, "metrics": "disk_read_bytes"}))
    by_minute = [p["value"] for p in minutes["metrics"]["disk_read_bytes"]]
    by_hour = [p["value"] for p in hours["metrics"]["disk_read_bytes"]]
    assert len(by_minute) == 120 and len(by_hour) == 2
    assert [sum(by_minute[:60]), sum(by_minute[60:])] == by_hour


def test_the_same_seed_gives_the_same_numbers_on_another_server(
    make_emulator: Callable[..., EmulatorHandle],
) -> None:
    results = []
    for seed in (5, 5, 6):
        emulator = make_emulator(seed=seed)
        instant(emulator)
        with emulator.client() as client:
            inst = create_instance(client)
            emulator.advance(HOUR)
            results.append(ok(client.get(f"/v1/instances/{inst['id']}/metrics")))
    assert results[0] == results[1]
    assert results[0]["metrics"] != results[2]["metrics"]


def test_bad_queries_are_400_with_details(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)
    url = f"/v1/instances/{inst['id']}/metrics"
    error = err(client.get(url, params={"metrics": "cpu_utilization,gpu"}), 400, "invalid_request")
    assert error["details"]["field"] == "metrics"
    assert error["details"]["value"] == "gpu"
    assert "network_in_bytes" in error["details"]["allowed_values"]
    error = err(client.get(url, params={"period": 0}), 400, "invalid_request")
    assert error["details"]["field"] == "period"
    error = err(
        client.get(url, params={"start": "2026-01-24T10:00:00Z", "end": "2026-01-24T09:00:00Z"}),
        400,
        "invalid_request",
    )
    assert error["details"]["field"] == "start"
    too_long = {"start": "2025-12-01T00:00:00Z", "end": "2026-01-24T00:00:00Z", "period": 86400}
    error = err(client.get(url, params=too_long), 400, "invalid_request")
    assert error["details"]["constraint"] == {"max_range_seconds": 31 * 86400}
    too_many = {"start": "2026-01-20T00:00:00Z", "end": "2026-01-24T00:00:00Z", "period": 60}
    error = err(client.get(url, params=too_many), 400, "invalid_request")
    assert error["details"]["field"] == "period"
    assert error["details"]["constraint"] == {"max_points": 1440, "requested_points": 5760}
    error = err(client.get(url, params={"start": "yesterday"}), 400, "invalid_request")
    assert error["details"]["field"] == "start"
    error = err(client.get(url, params={"step": 60}), 400, "invalid_request")
    assert error["details"]["allowed_values"] == ["end", "metrics", "period", "start"]
    # At the limits exactly: 31 days by the hour, 1,440 points by the minute.
    month = {"start": "2025-12-24T10:30:00Z", "end": "2026-01-24T10:30:00Z", "period": 3600}
    ok(client.get(url, params=month))
    day = {"start": "2026-01-23T10:30:00Z", "end": "2026-01-24T10:30:00Z", "period": 60}
    ok(client.get(url, params=day))


def test_unknown_deleted_or_foreign_instances_are_404_and_permission_is_checked(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)
    err(client.get("/v1/instances/inst_doesnotexist/metrics"), 404, "not_found")
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as stranger:
        err(stranger.get(f"/v1/instances/{inst['id']}/metrics"), 404, "not_found")
    key = ok(
        client.post(
            "/v1/account/api-keys", json={"name": "billing", "permissions": ["billing:read"]}
        ),
        201,
    )
    with lambda_emulator.client(key["key"]) as limited:
        error = err(limited.get(f"/v1/instances/{inst['id']}/metrics"), 403, "forbidden")
        assert error["details"]["permission"] == "monitoring:read"
    ok(client.delete(f"/v1/instances/{inst['id']}"))
    lambda_emulator.advance(60)
    err(client.get(f"/v1/instances/{inst['id']}/metrics"), 404, "not_found")


def test_a_plain_get_on_the_stream_says_it_is_a_websocket(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instant(lambda_emulator)
    inst = create_instance(client)
    error = err(client.get(f"/v1/instances/{inst['id']}/metrics/stream"), 400, "invalid_request")
    assert error["details"]["url"].startswith("ws://")
    err(client.get("/v1/instances/inst_nope/metrics/stream"), 404, "not_found")


def test_numbers_and_bills_survive_a_restart_from_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    window = {"start": "2026-01-24T10:00:00Z", "end": "2026-01-24T13:00:00Z", "period": 600}
    answers = []
    for start in (DEFAULT_START, DEFAULT_START + timedelta(hours=5)):
        server = EmulatorThread(
            emulator_settings(seed=3, state_file=state, start_time=start)
        ).start()
        emulator = EmulatorHandle(server)
        try:
            with emulator.client() as client:
                if not answers:
                    instant(emulator)
                    inst = create_instance(client)
                    emulator.advance(2 * HOUR)
                    action(client, inst["id"], "stop")
                    emulator.advance(HOUR)
                (listed,) = ok(client.get("/v1/instances"))
                metrics = ok(client.get(f"/v1/instances/{listed['id']}/metrics", params=window))
                usage = ok(client.get("/v1/billing/usage", params={"end": "2026-01-24T13:00:00Z"}))
                invoices = ok(client.get("/v1/billing/invoices"))
                answers.append((metrics, usage["line_items"], invoices[0]["id"]))
        finally:
            emulator.close()
            server.stop()
    assert answers[0] == answers[1]
    assert answers[0][1][0]["quantity"] == "2"


def test_times_before_year_1000_keep_four_digit_years(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    """Found by fuzzing: ``end=0524-…`` answered 500 (strict mode), because strftime's ``%Y``
    printed ``524-08-15…`` in the response, breaking the Timestamp pattern."""
    instant(lambda_emulator)
    inst = create_instance(client)
    data = ok(client.get(f"/v1/instances/{inst['id']}/metrics?end=0524-08-15T17:02:42Z"))
    assert (data["start"], data["end"]) == ("0524-08-15T16:02:42Z", "0524-08-15T17:02:42Z")


def test_an_end_in_the_first_hour_of_year_1_is_a_400_not_a_500(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    """Found by fuzzing: the default start (end - 1 h) fell before year 1 and crashed."""
    instant(lambda_emulator)
    inst = create_instance(client)
    url = f"/v1/instances/{inst['id']}/metrics"
    error = err(client.get(url, params={"end": "0001-01-01T00:00:00Z"}), 400, "invalid_request")
    assert error["details"]["field"] == "start"
    data = ok(client.get(url, params={"end": "0001-01-01T00:30:00Z"}))
    assert data["start"] == "0001-01-01T00:00:00Z"
    assert data["metrics"]["cpu_utilization"] == []  # the instance did not exist yet
    error = err(
        client.get(url, params={"end": "0001-01-01T00:00:00+01:00"}), 400, "invalid_request"
    )
    assert error["details"]["field"] == "end"
