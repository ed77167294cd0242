"""The OpenAPI document lists the monitoring and billing operations with their schemas."""

from __future__ import annotations

import httpx
from openapi_spec_validator import validate

from lambda_emulator.testing.pytest_plugin import EmulatorHandle


def test_openapi_documents_metrics_stream_and_billing(lambda_emulator: EmulatorHandle) -> None:
    doc = httpx.get(lambda_emulator.url + "/v1/openapi.json", timeout=30).json()
    validate(doc)
    paths = doc["paths"]
    for path in (
        "/instances/{id}/metrics",
        "/instances/{id}/metrics/stream",
        "/billing/usage",
        "/billing/invoices",
        "/billing/invoices/{id}",
        "/billing/estimate",
    ):
        assert "get" in paths[path], path
    params = {p["name"] for p in paths["/instances/{id}/metrics/stream"]["get"]["parameters"]}
    assert {"period", "metrics", "api_key"} <= params
    schemas = doc["components"]["schemas"]
    assert {"StreamMessage", "Invoice", "Estimate"} <= set(schemas)
