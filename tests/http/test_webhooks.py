"""``/v1/webhooks``: subscriptions, the catalogue check, permissions and quota."""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.webhooks import SECRET, subscribe


def test_create_exactly_as_the_reference_curl_and_the_secret_is_never_returned(
    client: httpx.Client,
) -> None:
    response = client.post(
        "/v1/webhooks",
        content=(
            '{"url": "https://your-app.com/webhook",'
            ' "events": ["instance.created", "instance.stopped"],'
            ' "secret": "your-webhook-secret"}'
        ),
        headers={"Content-Type": "application/json"},
    )
    created = ok(response, 201)
    assert created["id"].startswith("wh_")
    assert created["url"] == "https://your-app.com/webhook"
    assert created["events"] == ["instance.created", "instance.stopped"]
    assert created["status"] == "active"
    assert created["created_at"] == "2026-01-24T10:30:00Z"
    wid = created["id"]
    answers = [
        response.text,
        client.get("/v1/webhooks").text,
        client.get(f"/v1/webhooks/{wid}").text,
        client.patch(f"/v1/webhooks/{wid}", json={"secret": "a-new-secret"}).text,
        client.delete(f"/v1/webhooks/{wid}").text,
    ]
    for text in answers:
        assert "secret" not in text
        assert SECRET not in text and "a-new-secret" not in text


def test_list_get_patch_delete(client: httpx.Client) -> None:
    a = subscribe(client, "http://127.0.0.1:9/a", ["instance.*"])
    b = subscribe(client, "http://127.0.0.1:9/b", ["*"])
    listed = client.get("/v1/webhooks", params={"sort": "url", "order": "desc"}).json()
    assert [w["id"] for w in listed["data"]] == [b["id"], a["id"]]
    assert listed["pagination"]["total_items"] == 2
    assert ok(client.get(f"/v1/webhooks/{a['id']}")) == a
    patched = ok(
        client.patch(
            f"/v1/webhooks/{a['id']}",
            json={"events": ["volume.created"], "status": "disabled", "description": "ops"},
        )
    )
    assert (patched["events"], patched["status"], patched["description"]) == (
        ["volume.created"],
        "disabled",
        "ops",
    )
    disabled = ok(client.get("/v1/webhooks", params={"status": "disabled"}))
    assert [w["id"] for w in disabled] == [a["id"]]
    deleted = ok(client.delete(f"/v1/webhooks/{a['id']}"))
    assert deleted["status"] == "deleted"
    err(client.get(f"/v1/webhooks/{a['id']}"), 404, "not_found")
    err(client.delete(f"/v1/webhooks/{a['id']}"), 404, "not_found")
    assert [w["id"] for w in ok(client.get("/v1/webhooks"))] == [b["id"]]


def test_unknown_events_are_named_in_a_400(client: httpx.Client) -> None:
    body = {
        "url": "https://example.com/h",
        "events": ["instance.created", "instance.exploded", "rocket.*"],
        "secret": SECRET,
    }
    error = err(client.post("/v1/webhooks", json=body), 400, "invalid_request")
    assert error["details"]["field"] == "events"
    assert error["details"]["value"] == ["instance.exploded", "rocket.*"]
    assert "instance.exploded" in error["message"] and "rocket.*" in error["message"]
    assert "instance.created" in error["details"]["allowed_values"]
    assert "webhook.ping" in error["details"]["allowed_values"]
    wid = subscribe(client, "https://example.com/h")["id"]
    bad = err(
        client.patch(f"/v1/webhooks/{wid}", json={"events": ["nope"]}), 400, "invalid_request"
    )
    assert bad["details"]["value"] == ["nope"]
    assert ok(client.get(f"/v1/webhooks/{wid}"))["events"] == ["instance.created"]


def test_body_validation(client: httpx.Client) -> None:
    good = {"url": "https://example.com/h", "events": ["*"], "secret": SECRET}
    cases = [
        ({**good, "url": "ftp://example.com/h"}, "url"),
        ({**good, "url": "https://user:pw@example.com/h"}, "url"),
        ({**good, "url": "not a url"}, "url"),
        ({**good, "events": []}, "events"),
        ({**good, "events": ["*", "*"]}, "events"),
        ({**good, "secret": "short"}, "secret"),
        ({"url": good["url"], "events": good["events"]}, "secret"),
        ({**good, "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        error = err(client.post("/v1/webhooks", json=body), 400, "invalid_request")
        assert error["details"]["field"] == field, (body, error)
    assert ok(client.get("/v1/webhooks")) == []
    wid = subscribe(client, "http://localhost:8080/hooks")["id"]
    err(client.patch(f"/v1/webhooks/{wid}", json={}), 400, "invalid_request")
    err(client.patch(f"/v1/webhooks/{wid}", json={"status": "deleted"}), 400, "invalid_request")


def test_permissions_and_account_isolation(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    reader_key = ok(
        client.post("/v1/account/api-keys", json={"name": "r", "permissions": ["webhooks:read"]}),
        201,
    )["key"]
    wid = subscribe(client, "https://example.com/h")["id"]
    with lambda_emulator.client(reader_key) as reader:
        assert len(ok(reader.get("/v1/webhooks"))) == 1
        error = err(
            reader.post(
                "/v1/webhooks", json={"url": "https://e.com", "events": ["*"], "secret": SECRET}
            ),
            403,
            "forbidden",
        )
        assert error["details"]["permission"] == "webhooks:write"
        err(reader.post(f"/v1/webhooks/{wid}/ping"), 403, "forbidden")
        ok(reader.get(f"/v1/webhooks/{wid}/deliveries"))
    other = lambda_emulator.new_account()
    with lambda_emulator.client(other.api_key) as stranger:
        assert ok(stranger.get("/v1/webhooks")) == []
        err(stranger.get(f"/v1/webhooks/{wid}"), 404, "not_found")
        err(stranger.post(f"/v1/webhooks/{wid}/ping"), 404, "not_found")
        err(stranger.delete(f"/v1/webhooks/{wid}"), 404, "not_found")


def test_quota_counts_webhooks_and_refuses_past_the_plan_limit(
    lambda_emulator: EmulatorHandle,
) -> None:
    free = lambda_emulator.new_account(plan="free")
    with lambda_emulator.client(free.api_key) as c:
        ids = [subscribe(c, f"https://example.com/{i}")["id"] for i in range(5)]
        assert ok(c.get("/v1/account/quota"))["quotas"]["webhooks"] == {"used": 5, "limit": 5}
        body = {"url": "https://example.com/6", "events": ["*"], "secret": SECRET}
        error = err(c.post("/v1/webhooks", json=body), 403, "quota_exceeded")
        assert error["details"]["quota"] == "webhooks"
        ok(c.delete(f"/v1/webhooks/{ids[0]}"))
        ok(c.post("/v1/webhooks", json=body), 201)


def test_webhooks_appear_in_the_openapi_document(client: httpx.Client) -> None:
    doc = client.get("/v1/openapi.json").json()
    validate(doc)
    secret = doc["components"]["schemas"]["Secret"]
    assert secret["writeOnly"] is True
    assert {"post", "get"} <= set(doc["paths"]["/webhooks"])
    assert "post" in doc["paths"]["/webhooks/{id}/ping"]
    assert "get" in doc["paths"]["/webhooks/{id}/deliveries"]


def test_ping_refuses_a_json_null_body(client: httpx.Client) -> None:
    """Found by fuzzing: ``-d null`` was accepted as "no body" and queued a ping."""
    hook = subscribe(client, "http://127.0.0.1:9/hook")
    r = client.post(
        f"/v1/webhooks/{hook['id']}/ping",
        content=b"null",
        headers={"content-type": "application/json"},
    )
    assert err(r, 400, "invalid_request")["details"]["field"] == "body"
    assert ok(client.post(f"/v1/webhooks/{hook['id']}/ping"), 202)["event_type"] == "webhook.ping"
