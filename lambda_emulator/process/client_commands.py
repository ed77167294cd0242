"""CLI commands that talk to a running emulator over HTTP, as a user's own client would."""

from __future__ import annotations

import ssl
import sys
from typing import Any

from lambda_emulator.core.keys import DEFAULT_API_KEY

__all__ = ["create_api_key"]


def create_api_key(
    *,
    name: str,
    url: str,
    api_key: str | None,
    permissions: list[str] | None,
    ca_bundle: str | None,
) -> int:
    import httpx

    key = api_key or DEFAULT_API_KEY
    body: dict[str, Any] = {"name": name}
    if permissions:
        body["permissions"] = permissions
    # httpx 0.28 deprecates a path as ``verify``; a context trusting the bundle is the way.
    verify: Any = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
    try:
        response = httpx.post(
            url.rstrip("/") + "/v1/account/api-keys",
            json=body,
            # httpx refuses a str header holding λ; UTF-8 bytes go through as curl sends them.
            headers={b"Authorization": b"Bearer " + key.encode("utf-8")},
            verify=verify,
            timeout=10,
        )
    except httpx.HTTPError as exc:
        print(f"lambda-emulator: error: cannot reach the emulator at {url}: {exc}", file=sys.stderr)
        return 1
    try:
        payload = response.json()
    except ValueError:
        print(
            f"lambda-emulator: error: {url} did not answer with JSON (HTTP {response.status_code})",
            file=sys.stderr,
        )
        return 1
    if not payload.get("success"):
        error = payload.get("error", {})
        print(
            f"lambda-emulator: error: {error.get('code')}: {error.get('message')}", file=sys.stderr
        )
        return 1
    data = payload["data"]
    print("API Key Created:")
    print(f"Name: {data['name']}")
    print(f"Key: {data['key']}")
    print(f"Created: {data['created_at']}")
    print("⚠️ Save this key securely. It won't be shown again.")
    return 0
