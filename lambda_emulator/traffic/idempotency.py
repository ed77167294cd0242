"""Idempotency keys: one POST per (account, key), replayed for 24 hours of emulator time.

A request carrying ``Idempotency-Key`` first ``claim``s the key. A key already answered is a
``Replay`` of the stored status and body (the same request) or a 422 (a different method, path
or body); a key whose first request is still running is a 409. The answer is saved in the same
store transaction as the handler's writes, so a resource and the record of having created it
are durable together (``--state-file`` keeps both across restarts). Only answers the handler
produced are saved: a request refused before it ran (bad key, rate limit, injected fault,
validation) leaves no record and can be retried with the same key.

In-flight claims are in-process (``rt.traffic.claims``): a restart ends every request anyway.

No secret is ever written to the store: an API key secret in a stored answer (the one-time
``key`` of ``POST /v1/account/api-keys``) is replaced by ``λ_sk_[REDACTED]`` in the record and
kept in memory only, so a replay in the same run shows it again, and a replay after a restart
shows the placeholder.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lambda_emulator.core.idempotency import Claim, fingerprint, record_id
from lambda_emulator.errors import IdempotencyKeyInUse, IdempotencyKeyReused, InvalidRequest
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "EXPIRE_JOB",
    "HEADER",
    "MAX_KEY_LENGTH",
    "RETENTION_SECONDS",
    "SECRET_PLACEHOLDER",
    "TABLE",
    "Claim",
    "claim",
    "expire",
    "release",
    "replay_payload",
    "save",
]

TABLE = "idempotency_keys"
HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION_SECONDS = 24 * 3600
EXPIRE_JOB = "idempotency.expire"
SECRET_PLACEHOLDER = "λ_sk_[REDACTED]"
_SECRET_RE = re.compile(r"λ_sk_[a-z0-9]{8,}")  # a secret, not a 4-character public prefix
_PLACEHOLDER_RE = re.compile(re.escape(SECRET_PLACEHOLDER))


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidRequest(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters (got {len(key)})",
            {"field": HEADER, "constraint": f"1-{MAX_KEY_LENGTH} printable characters"},
        )


def claim(
    rt: Runtime, account_id: str, key: str, method: str, path: str, raw: bytes
) -> Claim | Doc:
    """Hold ``key`` for this request, or return the stored record to replay; 409/422 if not."""
    _check_key(key)
    rid = record_id(account_id, key)
    digest = fingerprint(method, path, raw)
    in_flight = rt.traffic.claims
    record = rt.store.get(TABLE, rid)
    if record is not None and record["expires_epoch"] <= rt.clock.epoch():
        record = None
    holder = in_flight.get(rid)
    first: Claim | None = holder
    if first is None and record is not None:
        first = Claim(rid, account_id, key, record["method"], record["path"], record["fingerprint"])
    if first is not None and first.fingerprint != digest:
        raise IdempotencyKeyReused(
            f"{HEADER} '{key}' was already used for a different request "
            f"({first.method} {first.path}); use a new key for a new request",
            {"field": HEADER, "original_method": first.method, "original_path": first.path},
        )
    if holder is not None:
        raise IdempotencyKeyInUse(
            f"A request with {HEADER} '{key}' is still being processed; retry after it answers",
            {"field": HEADER},
        )
    if record is not None:
        return record
    held = Claim(rid, account_id, key, method, path, digest)
    in_flight[rid] = held
    return held


def release(rt: Runtime, held: Claim) -> None:
    rt.traffic.claims.pop(held.record_id, None)


def save(
    rt: Runtime,
    held: Claim,
    request_id: str,
    status: int,
    payload: dict[str, Any],
    headers: dict[str, str],
) -> None:
    """Store the answer (``payload``: the envelope without ``metadata``) for replays; call it
    inside the handler's transaction so both commit together."""
    now = rt.clock.epoch()
    expires = now + RETENTION_SECONDS
    rt.store.put(
        TABLE,
        {
            "id": held.record_id,
            "account_id": held.account_id,
            "key": held.key,
            "method": held.method,
            "path": held.path,
            "fingerprint": held.fingerprint,
            "status": status,
            "payload": _seal(rt, held.record_id, payload),
            "headers": dict(headers),
            "request_id": request_id,
            "created_at": rt.timestamp(),
            "expires_epoch": expires,
        },
    )
    rt.schedule(EXPIRE_JOB, expires, {"record_id": held.record_id, "expires_epoch": expires})


def _seal(rt: Runtime, record_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with every API key secret swapped for the placeholder; the secrets stay in
    memory under ``record_id``."""
    text = json.dumps(payload, ensure_ascii=False)
    secrets = _SECRET_RE.findall(text)
    held_secrets = rt.traffic.held_secrets
    if not secrets:
        held_secrets.pop(record_id, None)
        return payload
    held_secrets[record_id] = secrets
    sealed: dict[str, Any] = json.loads(_SECRET_RE.sub(SECRET_PLACEHOLDER, text))
    return sealed


def replay_payload(rt: Runtime, record: Doc) -> dict[str, Any]:
    """The stored answer, with its secrets put back if this process still holds them."""
    payload: dict[str, Any] = record["payload"]
    secrets = rt.traffic.held_secrets.get(record["id"])
    if not secrets:
        return payload
    text = json.dumps(payload, ensure_ascii=False)
    if len(_PLACEHOLDER_RE.findall(text)) != len(secrets):
        return payload
    remaining = iter(secrets)
    restored: dict[str, Any] = json.loads(_PLACEHOLDER_RE.sub(lambda _: next(remaining), text))
    return restored


def expire(rt: Runtime, job: Doc) -> None:
    """Job: forget a record once its 24 hours are up (unless the key was reused since)."""
    payload = job["payload"]
    record = rt.store.get(TABLE, payload["record_id"])
    if record is not None and record["expires_epoch"] <= payload["expires_epoch"]:
        rt.store.delete(TABLE, record["id"])
        rt.traffic.held_secrets.pop(record["id"], None)
