"""The request journal: the most recent API requests, for tests to assert what a client sent.

Recording must cost almost nothing per request, so an ``Entry`` keeps the raw bytes it saw and
everything is decoded, parsed and redacted only when someone reads the journal. Redaction
removes what must never be shown again: API key secrets (in headers, bodies, query strings and
anywhere a ``λ_sk_…`` string appears), webhook secrets, ``Authorization``/``X-API-Key``
headers, and any body field named like a secret. The journal is bounded (``--journal-size``,
oldest dropped first), in-process, and cleared by reset.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from lambda_emulator.core.timefmt import format_time, from_epoch

__all__ = ["BODY_CAPTURE_LIMIT", "REDACTED", "Entry", "Journal", "redact"]

#: Bytes of each body the journal keeps; the rest is cut off (and the entry says so).
BODY_CAPTURE_LIMIT = 64 * 1024
REDACTED = "[REDACTED]"
_SECRET_FIELDS = frozenset(
    {"secret", "key", "api_key", "apikey", "password", "token", "access_token", "authorization"}
)
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "cookie", "proxy-authorization"})
_SECRET_QUERY = frozenset({"api_key", "key", "token", "access_token"})
_KEY_RE = re.compile(r"λ_sk_[a-z0-9]{8,}")  # a secret, not a 4-character public prefix


@dataclass
class Entry:
    """One request as seen at the edge; raw until ``view`` is called."""

    request_id: str
    #: Emulator epoch seconds at arrival (formatted only when read).
    epoch: float
    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    request_body: bytearray = field(default_factory=bytearray)
    request_truncated: bool = False
    status: int = 0
    account_id: str | None = None
    duration_ms: float = 0.0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytearray = field(default_factory=bytearray)
    response_truncated: bool = False
    fault_id: str | None = None
    #: The network failure a fault rule made of the answer (``connection_reset``, …).
    failure: str | None = None

    def view(self) -> dict[str, Any]:
        response_headers = _headers(self.response_headers)
        return {
            "request_id": self.request_id,
            "timestamp": format_time(from_epoch(self.epoch)),
            "method": self.method,
            "path": self.path,
            "query": _query(self.query),
            # 0: no status line was sent (the connection was reset or closed first)
            "status": self.status or None,
            "account_id": self.account_id,
            "duration_ms": round(self.duration_ms, 3),
            "fault_id": self.fault_id,
            "failure": self.failure,
            "idempotency_key": _headers(self.headers).get("idempotency-key"),
            "idempotent_replayed": response_headers.get("idempotent-replayed") == "true",
            "request_headers": _headers(self.headers, redact_secrets=True),
            "request_body": _body(self.request_body, self.request_truncated),
            "response_headers": response_headers,
            "response_body": _body(self.response_body, self.response_truncated),
        }


class Journal:
    def __init__(self, size: int) -> None:
        self.entries: deque[Entry] = deque(maxlen=size)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    def clear(self) -> int:
        removed = len(self.entries)
        self.entries.clear()
        return removed

    def select(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        account_id: str | None = None,
        request_id: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Matching entries, oldest first; ``limit`` keeps the most recent ones."""
        pattern = re.compile(fnmatch.translate(path)) if path else None
        chosen = [
            e
            for e in self.entries
            if (method is None or e.method == method.upper())
            and (pattern is None or pattern.match(e.path))
            and (status is None or e.status == status)
            and (account_id is None or e.account_id == account_id)
            and (request_id is None or e.request_id == request_id)
        ]
        if limit is not None:
            chosen = chosen[-limit:] if limit else []
        return [e.view() for e in chosen]


def redact(value: Any) -> Any:
    """``value`` with every secret replaced by ``[REDACTED]`` (a new object)."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if k.lower() in _SECRET_FIELDS and v is not None else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _KEY_RE.sub(REDACTED, value)
    return value


def _text(raw: bytes) -> str:
    """Header bytes as text: UTF-8 when they are (curl sends ``λ`` raw), else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _headers(raw: list[tuple[bytes, bytes]], *, redact_secrets: bool = False) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name_bytes, value_bytes in raw:
        name = name_bytes.decode("latin-1").lower()
        value = _text(value_bytes)
        if redact_secrets:
            value = REDACTED if name in _SECRET_HEADERS else redact(value)
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _query(raw: bytes) -> str:
    if not raw:
        return ""
    pairs = parse_qsl(_text(raw), keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in _SECRET_QUERY else redact(v)) for k, v in pairs])


def _body(raw: bytearray, truncated: bool) -> Any:
    """JSON bodies as JSON, anything else as text; ``None`` when there was no body."""
    if not raw:
        return None
    text = bytes(raw).decode("utf-8", errors="replace")
    if not truncated:
        try:
            return redact(json.loads(text))
        except ValueError:
            pass
    shown = redact(text)
    return shown + f"… [truncated at {BODY_CAPTURE_LIMIT} bytes]" if truncated else shown
