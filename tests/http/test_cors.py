"""CORS on the API (SPEC §16), checked on the wire: preflights and real answers for loopback
origins and ``--cors-origin`` origins, nothing for other origins, never on the control plane."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle

EXPOSED = {
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-request-id",
    "retry-after",
    "idempotent-replayed",
}


def _preflight(url: str, origin: str, path: str = "/v1/instances") -> httpx.Response:
    return httpx.options(
        url + path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, x-api-key, content-type, "
            "idempotency-key",
        },
        timeout=10,
    )


@pytest.mark.parametrize(
    "origin", ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:8080"]
)
def test_loopback_origins_are_allowed_by_default(
    lambda_emulator: EmulatorHandle, origin: str
) -> None:
    answer = _preflight(lambda_emulator.url, origin)
    assert 200 <= answer.status_code < 300
    assert answer.headers["access-control-allow-origin"] == origin
    assert {"POST", "GET", "DELETE", "PATCH", "PUT"} <= {
        m.strip() for m in answer.headers["access-control-allow-methods"].split(",")
    }
    granted = {h.strip() for h in answer.headers["access-control-allow-headers"].split(",")}
    assert granted == {"authorization", "x-api-key", "content-type", "idempotency-key"}
    with lambda_emulator.client() as api:
        real = api.get("/v1/account", headers={"Origin": origin})
    assert real.status_code == 200
    assert real.headers["access-control-allow-origin"] == origin
    exposed = {h.strip().lower() for h in real.headers["access-control-expose-headers"].split(",")}
    assert exposed >= EXPOSED
    assert "origin" in real.headers["vary"].lower()


def test_other_origins_get_no_cors_headers(lambda_emulator: EmulatorHandle) -> None:
    answer = _preflight(lambda_emulator.url, "https://evil.example")
    assert not any(name.startswith("access-control-") for name in answer.headers)
    with lambda_emulator.client() as api:
        real = api.get("/v1/account", headers={"Origin": "http://localhost.evil.example:80"})
    assert real.status_code == 200
    assert not any(name.startswith("access-control-") for name in real.headers)


def test_never_on_the_control_plane(lambda_emulator: EmulatorHandle) -> None:
    answer = _preflight(lambda_emulator.url, "http://localhost:5173", "/_emulator/reset")
    assert not any(name.startswith("access-control-") for name in answer.headers)
    plain = httpx.get(
        lambda_emulator.url + "/_emulator/health",
        headers={"Origin": "http://localhost:5173"},
        timeout=10,
    )
    assert not any(name.startswith("access-control-") for name in plain.headers)


def test_an_error_answer_carries_cors_headers_too(lambda_emulator: EmulatorHandle) -> None:
    """A page must be able to read a 401's envelope and request id to show what went wrong."""
    answer = httpx.get(
        lambda_emulator.url + "/v1/account", headers={"Origin": "http://localhost:5173"}
    )
    assert answer.status_code == 401
    assert answer.headers["access-control-allow-origin"] == "http://localhost:5173"


def test_cors_origin_setting(make_emulator: Callable[..., EmulatorHandle]) -> None:
    listed = make_emulator(cors_origin=("https://app.example.com",))
    assert (
        _preflight(listed.url, "https://app.example.com").headers["access-control-allow-origin"]
        == "https://app.example.com"
    )
    assert (
        "access-control-allow-origin" not in _preflight(listed.url, "https://other.example").headers
    )
    assert (
        _preflight(listed.url, "http://localhost:1234").headers["access-control-allow-origin"]
        == "http://localhost:1234"
    )
    anyone = make_emulator(cors_origin=("*",))
    answer = _preflight(anyone.url, "https://anything.example")
    assert answer.headers["access-control-allow-origin"] == "https://anything.example"
