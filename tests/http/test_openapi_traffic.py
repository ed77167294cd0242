"""The OpenAPI document describes the traffic rules: Idempotency-Key and the limit headers."""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate

from lambda_emulator.testing.pytest_plugin import EmulatorHandle


def test_openapi_documents_idempotency_and_rate_limit_headers(
    lambda_emulator: EmulatorHandle,
) -> None:
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        document = raw.get("/v1/openapi.json").json()
    validate(document)
    create = document["paths"]["/account/api-keys"]["post"]
    [idempotency] = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert idempotency["in"] == "header" and idempotency["schema"]["maxLength"] == 255
    assert set(create["responses"]["201"]["headers"]) == {
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
        "Idempotent-Replayed",
        "X-Request-Id",
    }
    assert "Retry-After" in create["responses"]["429"]["headers"]
    assert set(create["responses"]["401"]["headers"]) == {"X-Request-Id"}
    listing = document["paths"]["/account/api-keys"]["get"]
    assert "Idempotency-Key" not in {p["name"] for p in listing.get("parameters", [])}
    assert "Idempotent-Replayed" not in listing["responses"]["200"]["headers"]
    assert set(document["components"]["headers"]) >= {"Retry-After", "X-RateLimit-Reset"}
