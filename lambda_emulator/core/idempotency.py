"""Idempotency-key identity: which stored record a key names, and when two requests are the
same request. Pure: the traffic layer keeps the claims and the records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

__all__ = ["Claim", "fingerprint", "record_id"]


@dataclass(frozen=True)
class Claim:
    """A key this request now holds until it answers."""

    record_id: str
    account_id: str
    key: str
    method: str
    path: str
    fingerprint: str


def record_id(account_id: str, key: str) -> str:
    digest = hashlib.sha256(f"{account_id}\n{key}".encode()).hexdigest()[:32]
    return f"idem_{digest}"


def fingerprint(method: str, path: str, raw: bytes) -> str:
    """Same request = same method, path and JSON body (key order and spacing do not matter)."""
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")) if raw else ""
        canonical = body.encode()
    except ValueError:
        canonical = raw
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()
