"""``/v1/volumes`` over a real server: lifecycle, attach rules, grow-only resize, quotas,
meters and events."""

from __future__ import annotations

import httpx
import pytest

from lambda_emulator.runtime import Runtime
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.events import (
    VOLUME_ATTACH_DETACH_EVENTS,
    assert_events_match_catalogue,
    event_types,
    meters_of,
)
from tests.support.resources import SETTLE, available_volume, create_instance, running_instance


def test_create_then_available_after_its_creation_time(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    created = ok(
        client.post("/v1/volumes", json={"name": "db", "size_gb": 50, "region": "eu-west-1"}), 201
    )
    assert (created["status"], created["instance_id"], created["source_snapshot_id"]) == (
        "creating",
        None,
        None,
    )
    lambda_emulator.advance(9)
    assert ok(client.get(f"/v1/volumes/{created['id']}"))["status"] == "creating"
    lambda_emulator.advance(1)
    assert ok(client.get(f"/v1/volumes/{created['id']}"))["status"] == "available"
    meter = meters_of(runtime, created["id"])
    assert [(m["sku"], m["quantity"], m["unit"], m["ended_at"]) for m in meter] == [
        ("volume", 50, "GB-hour", None)
    ]
    assert meter[0]["started_at"] == 1769250610.0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "size_gb": 0, "region": "us-west-1"}, "size_gb"),
        ({"name": "x", "size_gb": "10", "region": "us-west-1"}, "size_gb"),
        ({"name": "x", "size_gb": 10, "region": "moon"}, "region"),
        ({"size_gb": 10, "region": "us-west-1"}, "name"),
        ({"name": "x", "size_gb": 10, "region": "us-west-1", "iops": 3}, "iops"),
    ],
)
def test_create_validation(client: httpx.Client, body: dict[str, object], field: str) -> None:
    assert (
        err(client.post("/v1/volumes", json=body), 400, "invalid_request")["details"]["field"]
        == field
    )


def test_attach_detach_lifecycle(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = running_instance(lambda_emulator, client)
    volume = available_volume(lambda_emulator, client)
    url = f"/v1/volumes/{volume['id']}"
    attaching = ok(client.post(url + "/attach", json={"instance_id": instance["id"]}))
    assert (attaching["status"], attaching["instance_id"]) == ("attaching", instance["id"])
    lambda_emulator.advance(5)
    assert ok(client.get(url))["status"] == "in-use"
    assert (
        ok(client.get("/v1/volumes", params={"instance_id": instance["id"]}))[0]["id"]
        == volume["id"]
    )
    assert ok(client.post(url + "/detach"))["status"] == "detaching"
    lambda_emulator.advance(5)
    detached = ok(client.get(url))
    assert (detached["status"], detached["instance_id"]) == ("available", None)
    assert event_types(runtime, prefix="volume.") == VOLUME_ATTACH_DETACH_EVENTS
    assert_events_match_catalogue(runtime)


def test_attach_only_in_the_same_region(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = running_instance(lambda_emulator, client, region="us-east-1")
    volume = available_volume(lambda_emulator, client, region="us-west-1")
    error = err(
        client.post(f"/v1/volumes/{volume['id']}/attach", json={"instance_id": instance["id"]}),
        400,
        "invalid_request",
    )
    assert error["details"]["field"] == "instance_id"
    assert (error["details"]["instance_region"], error["details"]["volume_region"]) == (
        "us-east-1",
        "us-west-1",
    )
    assert ok(client.get(f"/v1/volumes/{volume['id']}"))["status"] == "available"


def test_attach_to_missing_or_foreign_instance_is_404_on_instance_id(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    volume = available_volume(lambda_emulator, client)
    url = f"/v1/volumes/{volume['id']}/attach"
    missing = err(client.post(url, json={"instance_id": "inst_doesnotexist"}), 404, "not_found")
    assert missing["details"]["field"] == "instance_id"
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as theirs:
        foreign = create_instance(theirs)
        err(theirs.get(f"/v1/volumes/{volume['id']}"), 404, "not_found")
    error = err(client.post(url, json={"instance_id": foreign["id"]}), 404, "not_found")
    assert error["details"] == {
        "field": "instance_id",
        "value": foreign["id"],
        "resource": "instance",
    }
    assert (
        err(client.post(url, json={}), 400, "invalid_request")["details"]["field"] == "instance_id"
    )


def test_attach_to_an_instance_being_deleted_is_refused(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = running_instance(lambda_emulator, client)
    volume = available_volume(lambda_emulator, client)
    ok(client.delete(f"/v1/instances/{instance['id']}"))
    error = err(
        client.post(f"/v1/volumes/{volume['id']}/attach", json={"instance_id": instance["id"]}),
        409,
        "conflict",
    )
    assert error["details"]["field"] == "instance_id"
    assert error["details"]["current_state"] == "deleting"
    lambda_emulator.advance(SETTLE)
    gone = err(
        client.post(f"/v1/volumes/{volume['id']}/attach", json={"instance_id": instance["id"]}),
        404,
        "not_found",
    )
    assert gone["details"]["field"] == "instance_id"


def test_a_volume_attaches_to_one_instance_at_a_time(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    first = running_instance(lambda_emulator, client, name="a")
    second = running_instance(lambda_emulator, client, name="b")
    volume = available_volume(lambda_emulator, client)
    url = f"/v1/volumes/{volume['id']}/attach"
    ok(client.post(url, json={"instance_id": first["id"]}))
    error = err(client.post(url, json={"instance_id": second["id"]}), 409, "conflict")
    assert error["details"]["attached_to"] == first["id"]
    assert error["details"]["current_state"] == "attaching"
    lambda_emulator.advance(SETTLE)
    again = err(client.post(url, json={"instance_id": first["id"]}), 409, "conflict")
    assert again["details"]["current_state"] == "in-use"
    assert again["details"]["allowed_actions"] == ["detach", "resize", "snapshot"]


def test_an_attached_volume_cannot_be_deleted(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    instance = running_instance(lambda_emulator, client)
    volume = available_volume(lambda_emulator, client)
    ok(client.post(f"/v1/volumes/{volume['id']}/attach", json={"instance_id": instance["id"]}))
    lambda_emulator.advance(SETTLE)
    error = err(client.delete(f"/v1/volumes/{volume['id']}"), 409, "conflict")
    assert error["details"]["attached_to"] == instance["id"]
    assert "detach" in error["message"]
    ok(client.post(f"/v1/volumes/{volume['id']}/detach"))
    refused = err(client.delete(f"/v1/volumes/{volume['id']}"), 409, "conflict")
    assert refused["details"]["current_state"] == "detaching"
    lambda_emulator.advance(SETTLE)
    assert ok(client.delete(f"/v1/volumes/{volume['id']}"))["status"] == "deleting"


def test_detach_of_an_unattached_volume_is_409(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    volume = available_volume(lambda_emulator, client)
    error = err(client.post(f"/v1/volumes/{volume['id']}/detach"), 409, "conflict")
    assert error["details"]["current_state"] == "available"
    assert error["details"]["allowed_actions"] == ["attach", "resize", "snapshot", "delete"]


def test_deleting_an_instance_detaches_its_volumes(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    instance = running_instance(lambda_emulator, client)
    attached = available_volume(lambda_emulator, client, name="attached")
    attaching = available_volume(lambda_emulator, client, name="attaching")
    ok(client.post(f"/v1/volumes/{attached['id']}/attach", json={"instance_id": instance["id"]}))
    lambda_emulator.advance(SETTLE)
    ok(client.post(f"/v1/volumes/{attaching['id']}/attach", json={"instance_id": instance["id"]}))
    ok(client.delete(f"/v1/instances/{instance['id']}"))
    for volume in (attached, attaching):
        assert ok(client.get(f"/v1/volumes/{volume['id']}"))["status"] == "detaching"
    lambda_emulator.advance(SETTLE)
    for volume in (attached, attaching):
        now = ok(client.get(f"/v1/volumes/{volume['id']}"))
        assert (now["status"], now["instance_id"]) == ("available", None)
    types = event_types(runtime)
    assert types.index("instance.deleting") < types.index("volume.detaching")
    ok(client.delete(f"/v1/volumes/{attached['id']}"))


def test_resize_grows_only_and_reopens_the_meter(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    volume = available_volume(lambda_emulator, client, size_gb=100)
    url = f"/v1/volumes/{volume['id']}/resize"
    for smaller in (50, 100):
        error = err(client.post(url, json={"size_gb": smaller}), 400, "invalid_request")
        assert error["details"]["field"] == "size_gb"
        assert error["details"]["constraint"] == {"exclusiveMinimum": 100}
    lambda_emulator.advance(3600)
    grown = ok(client.post(url, json={"size_gb": 250}))
    assert (grown["size_gb"], grown["status"]) == (250, "available")
    assert [(m["quantity"], m["ended_at"] is None) for m in meters_of(runtime, volume["id"])] == [
        (100, False),
        (250, True),
    ]
    assert ok(client.get("/v1/account/quota"))["quotas"]["storage_gb"]["used"] == 250
    assert "volume.resized" in event_types(runtime)
    fresh = ok(
        client.post("/v1/volumes", json={"name": "n", "size_gb": 5, "region": "us-west-1"}), 201
    )
    refused = err(
        client.post(f"/v1/volumes/{fresh['id']}/resize", json={"size_gb": 6}), 409, "conflict"
    )
    assert refused["details"]["current_state"] == "creating"


def test_volume_quotas_on_create_and_resize(lambda_emulator: EmulatorHandle) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        big = available_volume(lambda_emulator, c, size_gb=400)
        over = err(
            c.post("/v1/volumes", json={"name": "x", "size_gb": 101, "region": "us-west-1"}),
            403,
            "quota_exceeded",
        )
        assert over["details"]["quota"] == "storage_gb"
        grow = err(
            c.post(f"/v1/volumes/{big['id']}/resize", json={"size_gb": 501}), 403, "quota_exceeded"
        )
        assert grow["details"] == {
            "quota": "storage_gb",
            "used": 400,
            "requested": 101,
            "limit": 500,
            "plan": "free",
        }
        for i in range(4):
            ok(
                c.post("/v1/volumes", json={"name": f"s{i}", "size_gb": 1, "region": "us-west-1"}),
                201,
            )
        count = err(
            c.post("/v1/volumes", json={"name": "x", "size_gb": 1, "region": "us-west-1"}),
            403,
            "quota_exceeded",
        )
        assert count["details"]["quota"] == "volumes"


def test_delete_then_gone_and_meter_closed(
    lambda_emulator: EmulatorHandle, client: httpx.Client, runtime: Runtime
) -> None:
    volume = available_volume(lambda_emulator, client)
    assert ok(client.delete(f"/v1/volumes/{volume['id']}"))["status"] == "deleting"
    lambda_emulator.advance(5)
    err(client.get(f"/v1/volumes/{volume['id']}"), 404, "not_found")
    assert all(m["ended_at"] is not None for m in meters_of(runtime, volume["id"]))
    assert event_types(runtime, prefix="volume.")[-2:] == ["volume.deleting", "volume.deleted"]


def test_list_filters_and_sorts(lambda_emulator: EmulatorHandle, client: httpx.Client) -> None:
    for name, size, region in [
        ("b", 30, "us-west-1"),
        ("a", 10, "eu-west-1"),
        ("c", 20, "us-west-1"),
    ]:
        ok(client.post("/v1/volumes", json={"name": name, "size_gb": size, "region": region}), 201)
    lambda_emulator.advance(SETTLE)
    ok(client.post("/v1/volumes", json={"name": "d", "size_gb": 5, "region": "us-west-1"}), 201)

    def names(**params: object) -> list[str]:
        return [v["name"] for v in ok(client.get("/v1/volumes", params=params))]

    assert names() == ["b", "a", "c", "d"]
    assert names(sort="name", order="desc") == ["d", "c", "b", "a"]
    assert names(sort="size_gb") == ["d", "a", "c", "b"]
    assert names(status="available", region="us-west-1") == ["b", "c"]
    assert names(status="creating") == ["d"]
    assert err(client.get("/v1/volumes", params={"status": "in_use"}), 400, "invalid_request")[
        "details"
    ]["allowed_values"] == ["creating", "available", "attaching", "in-use", "detaching", "deleting"]
