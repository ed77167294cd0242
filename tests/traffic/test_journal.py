"""Redaction of journal entries, table-driven (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_emulator.traffic.journal import REDACTED, Entry, redact

SECRET = "λ_sk_abcdefgh12345678"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"secret": "whsec"}, {"secret": REDACTED}),
        ({"Password": "p", "name": "n"}, {"Password": REDACTED, "name": "n"}),
        ({"key": None}, {"key": None}),
        ({"nested": [{"token": "t"}]}, {"nested": [{"token": REDACTED}]}),
        (f"use {SECRET} here", f"use {REDACTED} here"),
        ({"prefix": "λ_sk_abcd", "last4": "5678"}, {"prefix": "λ_sk_abcd", "last4": "5678"}),
        ([SECRET, 3, True], [REDACTED, 3, True]),
    ],
)
def test_redact(value: Any, expected: Any) -> None:
    assert redact(value) == expected


def test_an_entry_redacts_headers_query_and_bodies() -> None:
    entry = Entry(
        request_id="req_1",
        epoch=1769250600.0,
        method="POST",
        path="/v1/webhooks",
        query="api_key=λ_sk_abcdefgh12345678&page=2".encode(),
        headers=[
            (b"authorization", f"Bearer {SECRET}".encode()),
            (b"x-api-key", SECRET.encode()),
            (b"user-agent", b"sdk/1"),
        ],
        request_body=bytearray(b'{"url": "http://x", "secret": "whsec-1"}'),
        status=201,
        response_body=bytearray(b"not json"),
    )
    view = entry.view()
    assert view["timestamp"] == "2026-01-24T10:30:00Z"
    assert view["query"] == "api_key=%5BREDACTED%5D&page=2"
    assert view["request_headers"] == {
        "authorization": REDACTED,
        "x-api-key": REDACTED,
        "user-agent": "sdk/1",
    }
    assert view["request_body"] == {"url": "http://x", "secret": REDACTED}
    assert view["response_body"] == "not json"
    assert SECRET not in str(view)
