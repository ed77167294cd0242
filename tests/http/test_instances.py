"""``/v1/instances`` over a real server: lifecycle on the emulator clock, rules, quotas,
events, meters, lists and determinism."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.curl import curl_json
from tests.support.envelope import err, ok
from tests.support.events import assert_events_match_catalogue, event_types, meters_of
from tests.support.keys import KEY
from tests.support.resources import (
    INSTANCE_BODY,
    SETTLE,
    create_instance,
    running_instance,
    stopped_instance,
)


def test_create_starts_pending_and_runs_after_the_boot_time(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    created = create_instance(client)
    assert created["status"] == "pending"
    assert created["id"].startswith("inst_")
    assert created["public_ip"] is None
    assert ipaddress.ip_address(created["private_ip"]) in ipaddress.ip_network("10.10.0.0/16")
    assert (created["vcpus"], created["memory_gb"]) == (2, 4)
    assert created["created_at"] == "2026-01-24T10:30:00Z"
    lambda_emulator.advance(44)
    assert ok(client.get(f"/v1/instances/{created['id']}"))["status"] == "pending"
    lambda_emulator.advance(1)
    running = ok(client.get(f"/v1/instances/{created['id']}"))
    assert running["status"] == "running"
    assert ipaddress.ip_address(running["public_ip"]) in ipaddress.ip_network("203.0.113.0/24")
    assert running["updated_at"] == "2026-01-24T10:30:45Z"


@pytest.mark.parametrize(
    ("field", "value"),
    [("instance_type", "compute-3x"), ("region", "mars-1"), ("image", "windows-95")],
)
def test_create_rejects_unknown_catalogue_values(
    client: httpx.Client, field: str, value: str
) -> None:
    error = err(
        client.post("/v1/instances", json={**INSTANCE_BODY, field: value}), 400, "invalid_request"
    )
    assert error["details"]["field"] == field
    assert error["details"]["value"] == value
    assert len(error["details"]["allowed_values"]) >= 3


def test_create_validates_the_body(client: httpx.Client) -> None:
    missing = {k: v for k, v in INSTANCE_BODY.items() if k != "name"}
    assert err(client.post("/v1/instances", json=missing), 400, "invalid_request")["details"] == {
        "field": "name",
        "constraint": "required",
    }
    extra = err(
        client.post("/v1/instances", json={**INSTANCE_BODY, "gpu": 1}), 400, "invalid_request"
    )
    assert extra["details"]["field"] == "gpu"
    assert "instance_type" in extra["details"]["allowed_values"]
    keys = err(
        client.post("/v1/instances", json={**INSTANCE_BODY, "ssh_keys": "key_abc"}),
        400,
        "invalid_request",
    )
    assert keys["details"]["field"] == "ssh_keys"


def test_power_actions_follow_the_lifecycle(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = running_instance(lambda_emulator, client)
    url = f"/v1/instances/{instance['id']}"
    assert ok(client.post(url + "/stop"))["status"] == "stopping"
    lambda_emulator.advance(20)
    assert ok(client.get(url))["status"] == "stopped"
    assert ok(client.post(url + "/start", json={}))["status"] == "starting"
    lambda_emulator.advance(30)
    assert ok(client.get(url))["status"] == "running"
    assert ok(client.post(url + "/restart"))["status"] == "restarting"
    lambda_emulator.advance(30)
    back = ok(client.get(url))
    assert back["status"] == "running"
    assert back["public_ip"] == instance["public_ip"]  # kept across stop/start
    assert event_types(runtime, resource_id=instance["id"]) == [
        "instance.pending",
        "instance.created",
        "instance.stopping",
        "instance.stopped",
        "instance.starting",
        "instance.started",
        "instance.restarting",
        "instance.restarted",
    ]
    assert_events_match_catalogue(runtime)


@pytest.mark.parametrize(
    ("state_of", "action", "current", "allowed"),
    [
        ("running", "start", "running", ["stop", "restart", "update", "attach_volume", "delete"]),
        ("stopped", "stop", "stopped", ["start", "resize", "update", "attach_volume", "delete"]),
        ("stopped", "restart", "stopped", ["start", "resize", "update", "attach_volume", "delete"]),
        ("pending", "stop", "pending", ["update", "attach_volume", "delete"]),
        ("running", "resize", "running", ["stop", "restart", "update", "attach_volume", "delete"]),
    ],
)
def test_refused_actions_are_409_naming_state_and_allowed_actions(
    lambda_emulator: EmulatorHandle,
    client: httpx.Client,
    state_of: str,
    action: str,
    current: str,
    allowed: list[str],
) -> None:
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "pending": lambda: create_instance(client),
        "running": lambda: running_instance(lambda_emulator, client),
        "stopped": lambda: stopped_instance(lambda_emulator, client),
    }
    instance = makers[state_of]()
    body = {"instance_type": "compute-4x"} if action == "resize" else None
    error = err(client.post(f"/v1/instances/{instance['id']}/{action}", json=body), 409, "conflict")
    assert error["details"]["current_state"] == current
    assert error["details"]["allowed_actions"] == allowed
    assert error["details"]["action"] == action
    assert f"'{current}'" in error["message"]


def test_resize_only_when_stopped_and_applies_the_new_type(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = stopped_instance(lambda_emulator, client)
    url = f"/v1/instances/{instance['id']}"
    same = err(
        client.post(url + "/resize", json={"instance_type": "compute-2x"}), 400, "invalid_request"
    )
    assert same["details"]["field"] == "instance_type"
    bad = err(client.post(url + "/resize", json={"instance_type": "huge"}), 400, "invalid_request")
    assert "compute-8x" in bad["details"]["allowed_values"]
    resizing = ok(client.post(url + "/resize", json={"instance_type": "compute-8x"}))
    assert (resizing["status"], resizing["instance_type"], resizing["vcpus"]) == (
        "resizing",
        "compute-8x",
        8,
    )
    assert err(client.post(url + "/start"), 409, "conflict")["details"]["allowed_actions"] == [
        "update",
        "attach_volume",
    ]
    lambda_emulator.advance(60)
    done = ok(client.get(url))
    assert (done["status"], done["memory_gb"]) == ("stopped", 16)
    ok(client.post(url + "/start"))
    lambda_emulator.advance(SETTLE)
    skus = [(m["sku"], m["ended_at"] is None) for m in meters_of(runtime, instance["id"])]
    assert skus == [("compute-2x", False), ("compute-8x", True)]
    assert "instance.resized" in event_types(runtime, resource_id=instance["id"])


def test_instance_meter_is_open_exactly_while_running(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = create_instance(client, instance_type="compute-4x")
    url = f"/v1/instances/{instance['id']}"
    assert meters_of(runtime, instance["id"]) == []
    lambda_emulator.advance(45)  # running at 10:30:45
    ok(client.post(url + "/restart"))  # restarting still bills
    lambda_emulator.advance(100)
    ok(client.post(url + "/stop"))  # 10:32:25: billing stops when stopping starts
    lambda_emulator.advance(100)
    ok(client.post(url + "/start"))  # 10:34:05, running at 10:34:35
    lambda_emulator.advance(60)
    ok(client.delete(url))  # 10:35:05: deleting is not billed
    meters = meters_of(runtime, instance["id"])
    assert [(m["started_at"], m["ended_at"]) for m in meters] == [
        (1769250645.0, 1769250745.0),
        (1769250875.0, 1769250905.0),
    ]
    assert all(
        (m["sku"], m["unit"], m["quantity"], m["resource_type"])
        == ("compute-4x", "hour", 1, "instance")
        for m in meters
    )


def test_patch_renames_and_sets_tags(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = create_instance(client, tags={"env": "dev"})
    url = f"/v1/instances/{instance['id']}"
    lambda_emulator.advance(5)
    updated = ok(client.patch(url, json={"name": "web-2", "tags": {"env": "prod", "team": "a"}}))
    assert (updated["name"], updated["tags"], updated["status"]) == (
        "web-2",
        {"env": "prod", "team": "a"},
        "pending",
    )
    assert updated["updated_at"] == "2026-01-24T10:30:05Z"
    assert err(client.patch(url, json={}), 400, "invalid_request")
    assert err(client.patch(url, json={"status": "running"}), 400, "invalid_request")["details"][
        "allowed_values"
    ] == ["name", "tags"]
    ok(client.delete(url))
    assert (
        err(client.patch(url, json={"name": "x"}), 409, "conflict")["details"]["current_state"]
        == "deleting"
    )
    assert "instance.updated" in event_types(runtime, resource_id=instance["id"])


def test_delete_goes_through_deleting_then_404(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = running_instance(lambda_emulator, client)
    url = f"/v1/instances/{instance['id']}"
    assert ok(client.delete(url))["status"] == "deleting"
    assert ok(client.get(url))["status"] == "deleting"
    again = err(client.delete(url), 409, "conflict")
    assert again["details"]["allowed_actions"] == []
    lambda_emulator.advance(15)
    missing = err(client.get(url), 404, "not_found")
    assert missing["details"]["value"] == instance["id"]
    assert ok(client.get("/v1/instances")) == []
    assert event_types(runtime, resource_id=instance["id"])[-2:] == [
        "instance.deleting",
        "instance.deleted",
    ]
    assert ok(client.get("/v1/account/quota"))["quotas"]["instances"]["used"] == 0


def test_other_accounts_instances_are_404(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = create_instance(client)
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as theirs:
        for method, path in [
            ("GET", ""),
            ("PATCH", ""),
            ("DELETE", ""),
            ("POST", "/stop"),
            ("GET", "/network"),
        ]:
            body = {"name": "x"} if method == "PATCH" else None
            response = theirs.request(method, f"/v1/instances/{instance['id']}{path}", json=body)
            err(response, 404, "not_found")
        assert ok(theirs.get("/v1/instances")) == []


def test_quota_instances_and_vcpus_on_the_free_plan(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        create_instance(c, instance_type="compute-4x")
        over = err(
            c.post("/v1/instances", json={**INSTANCE_BODY, "instance_type": "compute-8x"}),
            403,
            "quota_exceeded",
        )
        assert over["details"] == {
            "quota": "vcpus",
            "used": 4,
            "requested": 8,
            "limit": 8,
            "plan": "free",
        }
        for _ in range(4):
            create_instance(c, instance_type="compute-1x")
        assert (
            err(c.post("/v1/instances", json=INSTANCE_BODY), 403, "quota_exceeded")["details"][
                "quota"
            ]
            == "instances"
        )
        quota = ok(c.get("/v1/account/quota"))["quotas"]
        assert quota["instances"] == {"used": 5, "limit": 5}
        assert quota["vcpus"] == {"used": 8, "limit": 8}
        assert len(ok(c.get("/v1/instances"))) == 5


def test_resize_is_quota_checked(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        instance = stopped_instance(lambda_emulator, c, instance_type="compute-4x")
        create_instance(c, instance_type="compute-2x")
        error = err(
            c.post(f"/v1/instances/{instance['id']}/resize", json={"instance_type": "compute-8x"}),
            403,
            "quota_exceeded",
        )
        assert error["details"]["requested"] == 4
        shrink = ok(
            c.post(f"/v1/instances/{instance['id']}/resize", json={"instance_type": "compute-1x"})
        )
        assert shrink["vcpus"] == 1


def test_public_ips_are_unique_among_live_instances(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    for i in range(30):
        create_instance(client, name=f"n{i}", instance_type="compute-1x")
    lambda_emulator.advance(SETTLE)
    listed = ok(client.get("/v1/instances", params={"limit": 100}))
    public = [i["public_ip"] for i in listed]
    private = [i["private_ip"] for i in listed]
    assert len(set(public)) == 30 and len(set(private)) == 30


def test_same_seed_same_requests_same_ids_and_addresses(
    lambda_emulator: EmulatorHandle, client: httpx.Client, make_emulator: Any
) -> None:
    def run(c: httpx.Client, emu: EmulatorHandle) -> list[tuple[str, str, str]]:
        ids = [create_instance(c, name=f"d{i}")["id"] for i in range(3)]
        emu.advance(SETTLE)
        return [
            (d["id"], d["public_ip"], d["private_ip"])
            for d in (ok(c.get(f"/v1/instances/{i}")) for i in ids)
        ]

    first = run(client, lambda_emulator)
    lambda_emulator.reset()
    assert run(client, lambda_emulator) == first
    other = make_emulator(seed=1)
    with other.client() as c:
        assert run(c, other) != first


def test_list_paginates_filters_and_sorts(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    names = ["delta", "alpha", "echo", "bravo", "charlie"]
    ids = {}
    for i, name in enumerate(names):
        region = "us-west-1" if i % 2 == 0 else "eu-west-1"
        ids[name] = create_instance(client, name=name, region=region, tags={"n": str(i)})["id"]
        lambda_emulator.advance(1)
    lambda_emulator.advance(SETTLE)
    ok(client.post(f"/v1/instances/{ids['echo']}/stop"))

    def names_of(**params: Any) -> list[str]:
        return [i["name"] for i in ok(client.get("/v1/instances", params=params))]

    assert names_of() == names  # default: oldest first
    assert names_of(sort="name") == sorted(names)
    assert names_of(sort="name", order="desc") == sorted(names, reverse=True)
    assert names_of(sort="created_at", order="desc") == names[::-1]
    assert names_of(region="eu-west-1") == ["alpha", "bravo"]
    assert names_of(status="stopping") == ["echo"]
    assert names_of(status="running", region="us-west-1") == ["delta", "charlie"]
    assert names_of(tag="n:3") == ["bravo"]
    assert names_of(tag="n") == names
    assert names_of(instance_type="compute-2x", name="alpha") == ["alpha"]
    page = client.get("/v1/instances", params={"page": 2, "limit": 2, "sort": "name"}).json()
    assert [i["name"] for i in page["data"]] == ["charlie", "delta"]
    assert page["pagination"] == {
        "page": 2,
        "limit": 2,
        "total_items": 5,
        "total_pages": 3,
        "has_next": True,
        "has_prev": True,
    }
    past = client.get("/v1/instances", params={"page": 4, "limit": 2}).json()
    assert past["data"] == [] and past["pagination"]["has_next"] is False
    for params, field in [
        ({"status": "exploded"}, "status"),
        ({"sort": "public_ip"}, "sort"),
        ({"order": "up"}, "order"),
        ({"limit": 101}, "limit"),
        ({"page": 0}, "page"),
        ({"colour": "red"}, "colour"),
    ]:
        error = err(client.get("/v1/instances", params=params), 400, "invalid_request")
        assert error["details"]["field"] == field


REFERENCE_LIST_EXAMPLES = [
    "?page=1&limit=20",
    "?status=running",
    "?region=us-west-1",
    "?status=running&region=us-west-1",
    "?sort=created_at&order=asc",
    "?sort=name&order=desc",
]


@pytest.mark.parametrize("query", REFERENCE_LIST_EXAMPLES)
def test_reference_list_examples_with_curl(
    lambda_emulator: EmulatorHandle, client: httpx.Client, query: str
) -> None:
    for name, region in [("b-node", "us-west-1"), ("a-node", "eu-west-1"), ("c-node", "us-west-1")]:
        create_instance(client, name=name, region=region)
        lambda_emulator.advance(1)
    lambda_emulator.advance(SETTLE)
    ok(client.post("/v1/instances", json={**INSTANCE_BODY, "name": "d-node"}), 201)
    payload = curl_json(
        "--fail-with-body",
        "-H",
        f"Authorization: Bearer {KEY}",
        lambda_emulator.url + "/v1/instances" + query,
    )
    assert payload["success"] is True
    names = [i["name"] for i in payload["data"]]
    expected = {
        "?page=1&limit=20": ["b-node", "a-node", "c-node", "d-node"],
        "?status=running": ["b-node", "a-node", "c-node"],
        "?region=us-west-1": ["b-node", "c-node", "d-node"],
        "?status=running&region=us-west-1": ["b-node", "c-node"],
        "?sort=created_at&order=asc": ["b-node", "a-node", "c-node", "d-node"],
        "?sort=name&order=desc": ["d-node", "c-node", "b-node", "a-node"],
    }[query]
    assert names == expected
    assert payload["pagination"]["total_items"] == len(expected)
    assert payload["pagination"]["limit"] == 20
    # The X-API-Key form of the reference works the same way.
    same = curl_json(
        "--fail-with-body", "-H", f"X-API-Key: {KEY}", lambda_emulator.url + "/v1/instances" + query
    )
    assert [i["name"] for i in same["data"]] == expected


def test_v2_serves_instances_too(lambda_emulator: EmulatorHandle) -> None:
    payload = curl_json(
        "--fail-with-body",
        "-H",
        f"Authorization: Bearer {KEY}",
        lambda_emulator.url + "/v2/instances",
    )
    assert payload["data"] == []


def test_openapi_lists_every_compute_operation(lambda_emulator: EmulatorHandle) -> None:
    doc = httpx.get(lambda_emulator.url + "/v1/openapi.json").json()
    ops = {(m.upper(), p) for p, item in doc["paths"].items() for m in item}
    for expected in [
        ("POST", "/instances"),
        ("GET", "/instances"),
        ("GET", "/instances/{id}"),
        ("PATCH", "/instances/{id}"),
        ("DELETE", "/instances/{id}"),
        ("POST", "/instances/{id}/start"),
        ("POST", "/instances/{id}/stop"),
        ("POST", "/instances/{id}/restart"),
        ("POST", "/instances/{id}/resize"),
        ("POST", "/volumes"),
        ("GET", "/volumes"),
        ("GET", "/volumes/{id}"),
        ("DELETE", "/volumes/{id}"),
        ("POST", "/volumes/{id}/attach"),
        ("POST", "/volumes/{id}/detach"),
        ("POST", "/volumes/{id}/resize"),
        ("POST", "/snapshots"),
        ("GET", "/snapshots"),
        ("GET", "/snapshots/{id}"),
        ("DELETE", "/snapshots/{id}"),
        ("POST", "/snapshots/{id}/restore"),
        ("GET", "/instances/{id}/network"),
        ("POST", "/firewall/rules"),
        ("GET", "/firewall/rules"),
        ("DELETE", "/firewall/rules/{id}"),
        ("POST", "/vpn"),
        ("GET", "/vpn"),
    ]:
        assert expected in ops, expected


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("POST", "/v1/instances", "instances:write"),
        ("GET", "/v1/volumes", "volumes:read"),
        ("POST", "/v1/snapshots", "snapshots:write"),
        ("GET", "/v1/firewall/rules", "networking:read"),
        ("POST", "/v1/vpn", "networking:write"),
    ],
)
def test_each_area_needs_its_permission(
    lambda_emulator: EmulatorHandle, client: httpx.Client, method: str, path: str, permission: str
) -> None:
    created = ok(
        client.post("/v1/account/api-keys", json={"name": "ro", "permissions": ["instances:read"]}),
        201,
    )
    with lambda_emulator.client(created["key"]) as reader:
        ok(reader.get("/v1/instances"))
        error = err(
            reader.request(method, path, json={} if method == "POST" else None), 403, "forbidden"
        )
        assert error["details"]["permission"] == permission


def test_the_openapi_document_is_valid(lambda_emulator: EmulatorHandle) -> None:
    from openapi_spec_validator import validate

    validate(httpx.get(lambda_emulator.url + "/v1/openapi.json").json())


def test_state_file_keeps_resources_transitions_and_counters(tmp_path: Any) -> None:
    from lambda_emulator.process.server import EmulatorThread
    from tests.support.server import emulator_settings

    state = tmp_path / "state.json"
    first = EmulatorThread(emulator_settings(state_file=state)).start()
    try:
        handle = EmulatorHandle(first)
        with handle.client() as c:
            pending = create_instance(c, name="survivor")
        handle.close()
    finally:
        first.stop()
    second = EmulatorThread(emulator_settings(state_file=state)).start()
    try:
        handle = EmulatorHandle(second)
        with handle.client() as c:
            assert ok(c.get(f"/v1/instances/{pending['id']}"))["status"] == "pending"
            handle.advance(45)  # the queued transition was kept with the state
            running = ok(c.get(f"/v1/instances/{pending['id']}"))
            assert running["status"] == "running" and running["public_ip"]
            another = create_instance(c, name="second")
            assert another["id"] != pending["id"]
            assert another["private_ip"] != pending["private_ip"]
        handle.close()
    finally:
        second.stop()


def test_a_json_null_body_is_refused_not_read_as_no_body(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    """Found by fuzzing (negative_data_rejection): ``-d null`` on an action that takes no
    parameters was read as an absent body and restarted the instance."""
    inst = running_instance(lambda_emulator, client)
    json_type = {"content-type": "application/json"}
    for raw in (b"null", b"[]", b"0"):
        r = client.post(f"/v1/instances/{inst['id']}/restart", content=raw, headers=json_type)
        error = err(r, 400, "invalid_request")
        assert error["details"]["field"] == "body"
    assert ok(client.get(f"/v1/instances/{inst['id']}"))["status"] == "running"
    # No body, an empty one and {} still mean "no parameters".
    for raw in (b"", b"{}"):
        r = client.post(f"/v1/instances/{inst['id']}/restart", content=raw, headers=json_type)
        ok(r)
        lambda_emulator.advance(SETTLE)
