"""API keys: issue, list, revoke, and authenticate a presented secret.

Only the SHA-256 digest of a secret is stored. Revoked keys are kept (without their secret) so
that a request with one is told "revoked" rather than "unknown".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lambda_emulator.core import keys as keycore
from lambda_emulator.core.timefmt import format_time, parse_time
from lambda_emulator.engine.quotas import check_quota
from lambda_emulator.engine.views import PublicView
from lambda_emulator.errors import AuthenticationFailed, InvalidRequest, NotFound
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "API_KEYS",
    "authenticate",
    "create_key",
    "delete_key",
    "find_by_secret",
    "key_view",
    "list_keys",
    "still_valid",
    "store_key",
    "valid_key",
]

API_KEYS = "api_keys"
#: ``last_used_at`` is refreshed at most this often, so reads do not turn into writes.
_TOUCH_EVERY = timedelta(seconds=60)


#: What the API shows of a stored document: the properties of its response schema.
key_view = PublicView("account.json#/$defs/ApiKeyFields")


def _index(rt: Runtime) -> dict[str, str]:
    index = rt.caches.key_index
    if index is None:
        index = {d["hash"]: d["id"] for d in rt.store.all(API_KEYS)}
        rt.caches.key_index = index
    return index


def find_by_secret(rt: Runtime, secret: str) -> Doc | None:
    wanted = keycore.digest(secret)
    key_id = _index(rt).get(wanted)
    doc = rt.store.get(API_KEYS, key_id) if key_id else None
    if doc is None or not keycore.digests_match(doc["hash"], wanted):
        return None
    return doc


def store_key(
    rt: Runtime,
    account_id: str,
    secret: str,
    *,
    name: str,
    permissions: list[str],
    expires_at: str | None = None,
) -> Doc:
    doc: Doc = {
        "id": rt.new_id("key"),
        "account_id": account_id,
        "name": name,
        "permissions": list(permissions),
        "prefix": keycore.public_prefix(secret),
        "last4": keycore.last4(secret),
        "hash": keycore.digest(secret),
        "created_at": rt.timestamp(),
        "last_used_at": None,
        "expires_at": expires_at,
        "revoked_at": None,
    }
    rt.store.put(API_KEYS, doc)
    _index(rt)[doc["hash"]] = doc["id"]
    for hook in rt.key_hooks:
        hook(rt, doc["hash"])
    return doc


def create_key(
    rt: Runtime,
    account_id: str,
    name: str,
    permissions: list[str] | None,
    expires_at: str | None,
) -> tuple[Doc, str]:
    expires = None
    if expires_at is not None:
        try:
            expires = parse_time(expires_at)
        except ValueError:
            raise InvalidRequest(
                f"expires_at '{expires_at}' is not a valid time",
                {"field": "expires_at", "value": expires_at, "constraint": "RFC 3339 time"},
            ) from None
    if expires is not None and expires <= rt.now():
        raise InvalidRequest(
            "expires_at must be in the future",
            {"field": "expires_at", "value": expires_at, "constraint": "after the current time"},
        )
    check_quota(rt, account_id, "api_keys")
    secret = keycore.generate(rt.rng("api-key", account_id, rt.next_seq("api-key-secret")))
    doc = store_key(
        rt,
        account_id,
        secret,
        name=name,
        permissions=permissions or ["*"],
        expires_at=format_time(expires) if expires else None,
    )
    return doc, secret


def list_keys(rt: Runtime, account_id: str) -> list[Doc]:
    return [d for d in rt.store.find(API_KEYS, account_id) if not d.get("revoked_at")]


def delete_key(rt: Runtime, account_id: str, key_id: str) -> Doc:
    doc = rt.store.get(API_KEYS, key_id)
    if doc is None or doc["account_id"] != account_id or doc.get("revoked_at"):
        raise NotFound(f"API key '{key_id}' not found", {"field": "id", "value": key_id})
    revoked = dict(doc, revoked_at=rt.timestamp())
    rt.store.put(API_KEYS, revoked)
    return revoked


def _lapsed(doc: Doc, now: datetime) -> str | None:
    """``"revoked"`` or ``"expired"`` for a known key that no longer works, else None."""
    if doc.get("revoked_at"):
        return "revoked"
    if doc.get("expires_at") and parse_time(doc["expires_at"]) <= now:
        return "expired"
    return None


def still_valid(rt: Runtime, key_id: str) -> str | None:
    """Why a key that authenticated earlier (an open stream's) no longer works, or None:
    the same rule as ``authenticate``, applied again as time passes, in a short wording
    that fits a WebSocket close reason."""
    doc = rt.store.get(API_KEYS, key_id)
    lapsed = "revoked" if doc is None else _lapsed(doc, rt.now())
    if lapsed is None:
        return None
    return "API key was revoked" if lapsed == "revoked" else "API key expired"


def valid_key(rt: Runtime, secret: str) -> Doc | None:
    """The key document when ``secret`` would authenticate, else ``None``; it only reads
    (``last_used_at`` is left alone), for answers given before authentication that must
    still look like the real ones to a valid caller (an injected error, an unknown route)."""
    if not keycore.is_well_formed(secret):
        return None
    doc = find_by_secret(rt, secret)
    if doc is None or _lapsed(doc, rt.now()) is not None:
        return None
    return doc


def authenticate(rt: Runtime, secret: str) -> Doc:
    """The key document for ``secret``, or 401 saying why not."""
    if not keycore.is_well_formed(secret):
        raise AuthenticationFailed(
            "Malformed API key: expected λ_sk_ followed by lowercase letters and digits"
        )
    doc = find_by_secret(rt, secret)
    if doc is None:
        raise AuthenticationFailed("Unknown API key")
    now = rt.now()
    lapsed = _lapsed(doc, now)
    if lapsed == "revoked":
        raise AuthenticationFailed(f"API key {doc['prefix']}… was revoked at {doc['revoked_at']}")
    if lapsed == "expired":
        raise AuthenticationFailed(f"API key {doc['prefix']}… expired at {doc['expires_at']}")
    last = doc.get("last_used_at")
    if last is None or now - parse_time(last) >= _TOUCH_EVERY:
        doc = dict(doc, last_used_at=format_time(now))
        rt.store.put(API_KEYS, doc)
    return doc
