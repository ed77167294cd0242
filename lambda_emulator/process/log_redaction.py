"""Keep API key secrets out of the server's log output.

uvicorn's access log prints every request target with its query string, and at ``debug`` the
WebSocket handshake is logged line by line, headers included. A metrics stream authenticates by
``?api_key=`` (browsers cannot set headers) or by ``Authorization``/``X-API-Key``, so without this
filter ``--log-level debug`` would write live keys to the terminal and to any log collector.

The filter rewrites a record's message before any handler formats it: ``api_key=`` values,
``Authorization``/``X-API-Key`` header lines and anything shaped like a key (``λ_sk_…`` as text,
as UTF-8 read as Latin-1, or percent-encoded) become ``[redacted]``.
"""

from __future__ import annotations

import logging
import re

__all__ = ["REDACTED", "SecretFilter", "install", "redact_text"]

REDACTED = "[redacted]"

#: Loggers whose records can carry request targets or headers.
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "websockets", "lambda_emulator")

_QUERY_KEY = re.compile(r"(?i)\b((?:api_key|apikey|key|token|access_token)=)[^&\s\"']+")
_HEADER = re.compile(r"(?im)\b(authorization|x-api-key|proxy-authorization|cookie)(:\s*)\S.*$")
# λ as text, as its UTF-8 bytes read as Latin-1 (what ASGI servers hand over), percent-encoded.
_KEY = re.compile(r"(?i)(?:λ|\u00ce\u00bb|%ce%bb)_sk_[a-z0-9]+")


def redact_text(text: str) -> str:
    text = _QUERY_KEY.sub(lambda m: m.group(1) + REDACTED, text)
    text = _HEADER.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    return _KEY.sub(REDACTED, text)


class SecretFilter(logging.Filter):
    """Redacts a record in place (the record stays, only its secrets go)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = SecretFilter()


def install() -> None:
    """Attach the filter to every logger that may see a secret (idempotent). Call it after
    uvicorn has configured logging: its dictConfig leaves existing filters in place, but the
    loggers must exist."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
