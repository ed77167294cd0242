"""The wire contract on every kind of response: success, client errors and server errors."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.server import emulator_settings


def test_success_envelope_and_request_id_header(client: httpx.Client) -> None:
    response = client.get("/v1/account")
    payload = response.json()
    assert list(payload) == ["success", "data", "metadata"]
    assert payload["metadata"]["timestamp"] == "2026-01-24T10:30:00Z"
    assert response.headers["x-request-id"] == payload["metadata"]["request_id"]
    assert response.headers["content-type"] == "application/json"


def test_unknown_route_is_a_404_envelope(client: httpx.Client) -> None:
    error = err(client.get("/v1/nothing-here"), 404, "not_found")
    assert error["details"] == {"method": "GET", "path": "/v1/nothing-here"}
    err(client.get("/v1/account/"), 404, "not_found")  # no redirect outside the envelope
    err(client.get("/nothing"), 404, "not_found")


def test_wrong_method_is_a_405_envelope_with_allow(client: httpx.Client) -> None:
    response = client.delete("/v1/account")
    error = err(response, 405, "method_not_allowed")
    assert sorted(error["details"]["allowed_methods"]) == ["GET", "HEAD", "PATCH"]
    assert sorted(response.headers["allow"].split(", ")) == ["GET", "HEAD", "PATCH"]


def test_body_over_one_mebibyte_is_413(client: httpx.Client) -> None:
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    err(
        client.patch("/v1/account", content=big, headers={"Content-Type": "application/json"}),
        413,
        "payload_too_large",
    )
    assert ok(client.get("/v1/account"))["name"] == "Default Account"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_non_json_content_type_is_415(client: httpx.Client, content_type: str) -> None:
    error = err(
        client.patch(
            "/v1/account", content=b'{"name": "x"}', headers={"Content-Type": content_type}
        ),
        415,
        "unsupported_media_type",
    )
    assert error["details"]["content_type"] == content_type


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/x-www-form-urlencoded",
        "application/json; charset=utf-8",
        "application/merge-patch+json",
    ],
)
def test_json_is_read_whatever_curl_claims(client: httpx.Client, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    data = ok(client.patch("/v1/account", content=b'{"name": "Renamed"}', headers=headers))
    assert data["name"] == "Renamed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"name": ', "body"),
        (b"[1, 2]", "body"),
        (b'"text"', "body"),
        (b'{"name": NaN}', "body"),
        (b"\xff\xfe", "body"),
        (b'{"nmae": "typo"}', "nmae"),
        (b'{"name": ""}', "name"),
        (b'{"name": 42}', "name"),
        (b"{}", "body"),
    ],
)
def test_bad_bodies_are_400_with_the_field(client: httpx.Client, body: bytes, field: str) -> None:
    error = err(client.patch("/v1/account", content=body), 400, "invalid_request")
    assert error["details"]["field"] == field
    assert ok(client.get("/v1/account"))["name"] == "Default Account"


def test_unknown_field_names_the_allowed_ones(client: httpx.Client) -> None:
    error = err(
        client.patch("/v1/account", json={"name": "a", "color": "red"}), 400, "invalid_request"
    )
    assert error["details"] == {
        "field": "color",
        "value": "color",
        "allowed_values": ["email", "name"],
    }


def test_query_strings_are_validated(client: httpx.Client) -> None:
    unknown = err(client.get("/v1/account/api-keys?colour=red"), 400, "invalid_request")
    assert unknown["details"]["field"] == "colour"
    assert "page" in unknown["details"]["allowed_values"]
    enum = err(client.get("/v1/account/api-keys?order=sideways"), 400, "invalid_request")
    assert enum["details"] == {
        "field": "order",
        "value": "sideways",
        "allowed_values": ["asc", "desc"],
    }
    err(client.get("/v1/account/api-keys?limit=101"), 400, "invalid_request")
    err(client.get("/v1/account/api-keys?page=0"), 400, "invalid_request")
    err(client.get("/v1/account/api-keys?page=abc"), 400, "invalid_request")
    err(client.get("/v1/account/api-keys?page=1&page=2"), 400, "invalid_request")
    err(client.get("/v1/account?anything=1"), 400, "invalid_request")


def test_an_action_accepts_an_empty_body(lambda_emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        ok(raw.post("/_emulator/reset"))
        ok(raw.post("/_emulator/reset", content=b"{}"))
        error = err(raw.post("/_emulator/reset", json={"x": 1}), 400, "invalid_request")
        assert error["details"]["field"] == "x"


def test_an_unexpected_exception_is_a_500_envelope_logged_with_its_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode(request: Request) -> Response:
        raise RuntimeError("secret internals")

    server = EmulatorThread(emulator_settings())
    server.app.router.routes.insert(0, Route("/v1/explode", explode))
    with server, httpx.Client(base_url=server.url) as raw, caplog.at_level(logging.ERROR):
        response = raw.get("/v1/explode")
        error = err(response, 500, "server_error")
        request_id = response.headers["x-request-id"]
        assert request_id in error["message"]
        assert "secret internals" not in response.text and "Traceback" not in response.text
    assert any(request_id in record.getMessage() for record in caplog.records)
