"""Webhook logic without I/O: the payload bytes, both signatures, the retry schedule, the
subscription's event patterns and its URL.

The delivery body is the event serialised compactly (``{"id","type","timestamp","data"}`` in
that order, ``separators=(",", ":")``, UTF-8, non-ASCII left as is) with one more member,
``"signature"``, appended last::

    {"id":"evt_…","type":"instance.created","timestamp":"…","data":{…},"signature":"sha256=<hex>"}

Two signatures, both ``sha256=`` + hex HMAC-SHA256 with the subscription's secret:

* the ``X-Lambda-Signature`` header signs the raw body bytes exactly as sent (what the
  reference's Node ``verifyWebhook(rawBody, header, secret)`` checks);
* the body's own ``signature`` member signs the body *without* that member: the bytes before
  ``,"signature":"`` followed by ``}``. Because the member is last, cutting it off restores
  exactly the bytes that were signed; no re-serialisation is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_RETRY_SCHEDULE",
    "SIGNATURE_MEMBER",
    "build_body",
    "compact_event",
    "invalid_patterns",
    "is_success",
    "matches",
    "max_attempts",
    "retry_delay",
    "sign",
    "signed_part",
    "url_problem",
    "verify_body_signature",
    "verify_header",
]

#: Seconds to wait after failed attempt 1, 2, …: exponential, doubling from 10 s (9 attempts in
#: all over about 42.5 minutes of emulator time). ``--webhook-retry-schedule`` replaces it.
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = tuple(10.0 * 2**i for i in range(8))
#: What precedes the body's signature value; the signed bytes end just before it.
SIGNATURE_MEMBER = b',"signature":"'


def compact_event(event: Mapping[str, Any]) -> bytes:
    """The signed form of an event: its four public members, compact, UTF-8."""
    public = {
        "id": event["id"],
        "type": event["type"],
        "timestamp": event["timestamp"],
        "data": event["data"],
    }
    text = json.dumps(public, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def sign(secret: str, payload: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``payload`` keyed with the UTF-8 bytes of ``secret``."""
    digest = hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def build_body(event: Mapping[str, Any], secret: str) -> bytes:
    """The exact bytes POSTed for ``event``: the compact event plus its signature member."""
    inner = compact_event(event)
    return inner[:-1] + SIGNATURE_MEMBER + sign(secret, inner).encode("ascii") + b'"}'


def signed_part(body: bytes) -> bytes | None:
    """The bytes the body's ``signature`` member signs, or None if the body has no such member."""
    cut = body.rfind(SIGNATURE_MEMBER)
    if cut < 0:
        return None
    return body[:cut] + b"}"


def verify_header(body: bytes, header: str | None, secret: str) -> bool:
    """Check ``X-Lambda-Signature`` against the raw body bytes, in constant time."""
    if not header:
        return False
    return hmac.compare_digest(header.encode("utf-8"), sign(secret, body).encode("ascii"))


def verify_body_signature(body: bytes, secret: str) -> bool:
    """Check the body's own ``signature`` member against the bytes it signs."""
    part = signed_part(body)
    if part is None:
        return False
    try:
        claimed = json.loads(body.decode("utf-8")).get("signature")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return False
    if not isinstance(claimed, str):
        return False
    return hmac.compare_digest(claimed.encode("utf-8"), sign(secret, part).encode("ascii"))


# retries -----------------------------------------------------------------------------------
def is_success(status_code: int) -> bool:
    """Only a 2xx answer counts as delivered; redirects are not followed."""
    return 200 <= status_code < 300


def max_attempts(schedule: Sequence[float]) -> int:
    return 1 + len(schedule)


def retry_delay(schedule: Sequence[float], attempts_made: int) -> float | None:
    """Seconds to wait after the ``attempts_made``-th failed attempt; None when none remain."""
    if attempts_made < 1 or attempts_made > len(schedule):
        return None
    return float(schedule[attempts_made - 1])


# subscriptions -----------------------------------------------------------------------------
def _prefix(pattern: str) -> str | None:
    return pattern[:-1] if pattern.endswith(".*") and len(pattern) > 2 else None


def invalid_patterns(patterns: Iterable[str], catalogue: Sequence[str]) -> list[str]:
    """The patterns that name no event: not ``*``, not a type in the catalogue, and not a
    ``<resource>.*`` that covers at least one type."""
    known = set(catalogue)
    bad = []
    for pattern in patterns:
        prefix = _prefix(pattern)
        if pattern == "*" or pattern in known:
            continue
        if prefix is not None and any(t.startswith(prefix) for t in catalogue):
            continue
        bad.append(pattern)
    return bad


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether a subscription's patterns select ``event_type``."""
    for pattern in patterns:
        if pattern in ("*", event_type):
            return True
        prefix = _prefix(pattern)
        if prefix is not None and event_type.startswith(prefix):
            return True
    return False


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot receive deliveries, or None when it can (loopback included)."""
    if url != url.strip() or any(ch.isspace() for ch in url):
        return "must not contain whitespace"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        # A NUL or other control byte cannot go on a request line; percent-encode it.
        return "must not contain control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must use the http or https scheme"
    if not parts.hostname:
        return "must name a host"
    if parts.username is not None or parts.password is not None:
        return "must not carry credentials; authenticate deliveries by their signature"
    if parts.fragment:
        return "must not have a fragment"
    if port == 0:
        return "must not use port 0"
    return None
