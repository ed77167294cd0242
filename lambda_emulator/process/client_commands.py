"""CLI commands that talk to a running emulator over HTTP, as a user's own client would.

Each prints what a person reads (the reference CLI's wording for ``create``) and returns the exit
status: 0 done, 1 the emulator refused or could not be reached.
"""

from __future__ import annotations

import ssl
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from lambda_emulator.core.keys import DEFAULT_API_KEY

__all__ = ["Target", "create_api_key", "list_api_keys", "revoke_api_key"]


@dataclass(frozen=True)
class Target:
    """Which emulator to talk to, with which key, trusting which CA."""

    url: str
    api_key: str | None
    ca_bundle: str | None


class _Failed(Exception):
    """Already explained on stderr; the command exits 1."""


def _call(target: Target, method: str, path: str, body: Any = None) -> Any:
    import httpx

    key = target.api_key or DEFAULT_API_KEY
    # httpx 0.28 deprecates a path as ``verify``; a context trusting the bundle is the way.
    verify: Any = ssl.create_default_context(cafile=target.ca_bundle) if target.ca_bundle else True
    url = target.url.rstrip("/")
    try:
        response = httpx.request(
            method,
            url + path,
            json=body,
            # httpx refuses a str header holding λ; UTF-8 bytes go through as curl sends them.
            headers={b"Authorization": b"Bearer " + key.encode("utf-8")},
            verify=verify,
            timeout=10,
        )
    except httpx.HTTPError as exc:
        _error(f"cannot reach the emulator at {url}: {exc}")
    try:
        payload = response.json()
    except ValueError:
        _error(f"{url} did not answer with JSON (HTTP {response.status_code})")
    if not payload.get("success"):
        error = payload.get("error", {})
        _error(f"{error.get('code')}: {error.get('message')}")
    return payload


def _error(message: str) -> Any:
    print(f"lambda-emulator: error: {message}", file=sys.stderr)
    raise _Failed


def create_api_key(target: Target, *, name: str, permissions: list[str] | None) -> int:
    body: dict[str, Any] = {"name": name}
    if permissions:
        body["permissions"] = permissions
    try:
        data = _call(target, "POST", "/v1/account/api-keys", body)["data"]
    except _Failed:
        return 1
    print("API Key Created:")
    print(f"Name: {data['name']}")
    print(f"Key: {data['key']}")
    print(f"Created: {data['created_at']}")
    print("⚠️ Save this key securely. It won't be shown again.")
    return 0


def list_api_keys(target: Target) -> int:
    """One line per key: id, name, the shown part of the secret, permissions, last use."""
    keys: list[dict[str, Any]] = []
    page = 1
    try:
        while True:
            payload = _call(target, "GET", f"/v1/account/api-keys?page={page}&limit=100")
            keys.extend(payload["data"])
            if not payload.get("pagination", {}).get("has_next"):
                break
            page += 1
    except _Failed:
        return 1
    rows = [("ID", "NAME", "KEY", "PERMISSIONS", "LAST USED")]
    for key in keys:
        rows.append(
            (
                key["id"],
                key["name"],
                f"{key['prefix']}…{key['last4']}",
                ",".join(key["permissions"]),
                key.get("last_used_at") or "never",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def revoke_api_key(target: Target, key_id: str) -> int:
    try:
        _call(target, "DELETE", f"/v1/account/api-keys/{quote(key_id, safe='')}")
    except _Failed:
        return 1
    print(f"API key {key_id} revoked.")
    return 0
