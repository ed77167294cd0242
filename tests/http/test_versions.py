"""``/v1`` is stable, ``/v2`` is the same API marked beta, anything else is a 404."""

from __future__ import annotations

import httpx

from tests.support.envelope import err, ok


def test_v1_and_v2_serve_the_same_api_with_version_headers(client: httpx.Client) -> None:
    v1 = client.get("/v1/account")
    v2 = client.get("/v2/account")
    assert ok(v1) == ok(v2)
    assert v1.headers["x-api-version"] == "v1"
    assert v2.headers["x-api-version"] == "v2-beta"


def test_other_versions_name_the_supported_ones(client: httpx.Client) -> None:
    for path in ("/v3/account", "/v0/instances", "/v12"):
        error = err(client.get(path), 404, "not_found")
        assert error["details"]["supported_versions"] == ["v1", "v2"]
