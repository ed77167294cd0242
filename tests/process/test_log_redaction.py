"""``log_redaction``: what the filter takes out of a log line, and what it leaves."""

from __future__ import annotations

import logging

import pytest

from lambda_emulator.process.log_redaction import SecretFilter, redact_text

KEY = "λ_sk_abcdef0123456789"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f'"WebSocket /v1/x/stream?api_key={KEY}" [accepted]',
            '"WebSocket /v1/x/stream?api_key=[redacted]" [accepted]',
        ),
        (
            "GET /v1/x?period=60&api_key=%CE%BB_sk_abc123&b=1 HTTP/1.1",
            "GET /v1/x?period=60&api_key=[redacted]&b=1 HTTP/1.1",
        ),
        (f"< authorization: Bearer {KEY}", "< authorization: [redacted]"),
        ("< X-API-Key: whatever-it-is", "< X-API-Key: [redacted]"),
        (f"key in a message: {KEY}.", "key in a message: [redacted]."),
        ("mojibake: Î»_sk_abc123 end", "mojibake: [redacted] end"),
        ("percent: /v1/instances/%ce%bb_sk_zz99", "percent: /v1/instances/[redacted]"),
        ("prefix only: λ_sk_", "prefix only: λ_sk_"),
        ("< host: 127.0.0.1:8787", "< host: 127.0.0.1:8787"),
        ("GET /v1/instances?page=2 HTTP/1.1", "GET /v1/instances?page=2 HTTP/1.1"),
    ],
)
def test_redact_text(line: str, expected: str) -> None:
    assert redact_text(line) == expected


def test_the_filter_rewrites_the_record_and_keeps_it() -> None:
    record = logging.LogRecord(
        "uvicorn.error", logging.DEBUG, "", 0, "< %s: %s", ("authorization", f"Bearer {KEY}"), None
    )
    assert SecretFilter().filter(record) is True
    assert record.getMessage() == "< authorization: [redacted]"
    untouched = logging.LogRecord("uvicorn.error", logging.INFO, "", 0, "ready on %s", ("x",), None)
    SecretFilter().filter(untouched)
    assert (untouched.msg, untouched.args) == ("ready on %s", ("x",))
