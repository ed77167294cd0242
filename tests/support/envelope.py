"""The response envelope, checked: ``ok`` gives the ``data`` of a success, ``err`` the
``error`` of a failure, each after asserting the status and the envelope's shape."""

from __future__ import annotations

from typing import Any

import httpx


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The ``data`` of a success envelope, after checking the status and the envelope."""
    payload = response.json()
    assert response.status_code == status, payload
    assert payload["success"] is True, payload
    assert payload["metadata"]["request_id"] == response.headers["x-request-id"]
    return payload["data"]


def err(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The ``error`` of an error envelope, after checking status and code."""
    payload = response.json()
    assert response.status_code == status, payload
    assert payload["success"] is False, payload
    assert payload["error"]["code"] == code, payload
    assert payload["metadata"]["request_id"].startswith("req_")
    error: dict[str, Any] = payload["error"]
    return error
