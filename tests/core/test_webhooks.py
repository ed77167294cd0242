"""Pure webhook logic: payload bytes, both signatures, retry schedule, patterns, URLs."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json

import pytest

from lambda_emulator.core import webhooks as core

EVENT = {
    "id": "evt_abc123",
    "type": "instance.created",
    "timestamp": "2026-01-24T10:30:00Z",
    "data": {"instance_id": "inst_abc123", "name": "my-instance", "status": "running"},
    "account_id": "acct_x",
    "seq": 7,
}
SECRET = "your-webhook-secret"


def test_body_is_the_compact_event_with_the_signature_member_last() -> None:
    body = core.build_body(EVENT, SECRET)
    parsed = json.loads(body)
    assert list(parsed) == ["id", "type", "timestamp", "data", "signature"]
    assert "account_id" not in parsed and "seq" not in parsed
    inner = (
        b'{"id":"evt_abc123","type":"instance.created","timestamp":"2026-01-24T10:30:00Z",'
        b'"data":{"instance_id":"inst_abc123","name":"my-instance","status":"running"}}'
    )
    assert core.compact_event(EVENT) == inner
    expected = "sha256=" + hmac.new(SECRET.encode(), inner, hashlib.sha256).hexdigest()
    assert parsed["signature"] == expected
    assert core.signed_part(body) == inner


def test_header_signature_covers_the_raw_body() -> None:
    body = core.build_body(EVENT, SECRET)
    header = core.sign(SECRET, body)
    assert header == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert core.verify_header(body, header, SECRET)
    assert not core.verify_header(body, header, SECRET + "x")
    assert not core.verify_header(body, None, SECRET)
    for index in (0, len(body) // 2, len(body) - 1):
        flipped = bytearray(body)
        flipped[index] ^= 0x01
        assert not core.verify_header(bytes(flipped), header, SECRET)


@pytest.mark.parametrize(
    "data",
    [
        {"name": "café ☕ λ"},
        {"a": 1, "signature": "sha256=fake", "nested": {"signature": "x"}},
        {"text": 'quote " and ,"signature":" inside'},
        {},
    ],
)
def test_body_signature_survives_awkward_data(data: dict[str, object]) -> None:
    event = dict(EVENT, data=data)
    body = core.build_body(event, SECRET)
    assert json.loads(body)["data"] == data
    assert core.signed_part(body) == core.compact_event(event)
    assert core.verify_body_signature(body, SECRET)
    assert not core.verify_body_signature(body, "wrong-secret")


@pytest.mark.parametrize(
    ("body", "ok"),
    [
        (b"", False),
        (b"not json", False),
        (b'{"id":"evt_1"}', False),
        (b'{"id":"evt_1","signature":5}', False),
    ],
)
def test_body_signature_rejects_malformed_bodies(body: bytes, ok: bool) -> None:
    assert core.verify_body_signature(body, SECRET) is ok


@pytest.mark.parametrize(
    ("schedule", "attempts_made", "delay"),
    [
        (core.DEFAULT_RETRY_SCHEDULE, 1, 10.0),
        (core.DEFAULT_RETRY_SCHEDULE, 2, 20.0),
        (core.DEFAULT_RETRY_SCHEDULE, 8, 1280.0),
        (core.DEFAULT_RETRY_SCHEDULE, 9, None),
        ((5.0, 7.0), 2, 7.0),
        ((5.0, 7.0), 3, None),
        ((), 1, None),
        ((5.0,), 0, None),
    ],
)
def test_retry_delay(schedule: tuple[float, ...], attempts_made: int, delay: float | None) -> None:
    assert core.retry_delay(schedule, attempts_made) == delay


def test_default_schedule_is_exponential() -> None:
    schedule = core.DEFAULT_RETRY_SCHEDULE
    assert core.max_attempts(schedule) == 9
    assert all(b == 2 * a for a, b in itertools.pairwise(schedule))
    assert sum(schedule) == 2550


@pytest.mark.parametrize(
    ("status", "ok"),
    [(200, True), (204, True), (299, True), (301, False), (400, False), (500, False), (199, False)],
)
def test_only_2xx_is_success(status: int, ok: bool) -> None:
    assert core.is_success(status) is ok


CATALOGUE = ["instance.created", "instance.stopped", "volume.created", "webhook.ping"]


@pytest.mark.parametrize(
    ("patterns", "bad"),
    [
        (["instance.created"], []),
        (["*"], []),
        (["instance.*", "volume.*"], []),
        (["instance.exploded", "instance.created", "vol.*"], ["instance.exploded", "vol.*"]),
        ([".*", "instance", "*.created"], [".*", "instance", "*.created"]),
    ],
)
def test_invalid_patterns(patterns: list[str], bad: list[str]) -> None:
    assert core.invalid_patterns(patterns, CATALOGUE) == bad


@pytest.mark.parametrize(
    ("patterns", "event_type", "selected"),
    [
        (["instance.created"], "instance.created", True),
        (["instance.created"], "instance.stopped", False),
        (["*"], "volume.created", True),
        (["instance.*"], "instance.stopped", True),
        (["instance.*"], "instances.x", False),
        (["volume.*"], "instance.created", False),
    ],
)
def test_matches(patterns: list[str], event_type: str, selected: bool) -> None:
    assert core.matches(patterns, event_type) is selected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://your-app.com/webhook", None),
        ("http://127.0.0.1:9000/hooks", None),
        ("http://localhost/h?x=1", None),
        ("http://[::1]:8080/", None),
        ("ftp://example.com/", "scheme"),
        ("your-app.com/webhook", "scheme"),
        ("http:///path", "host"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://example.com/#frag", "fragment"),
        ("https://example.com:99999/", "valid URL"),
        ("https://exa mple.com/", "whitespace"),
        (" https://example.com/", "whitespace"),
    ],
)
def test_url_problem(url: str, problem: str | None) -> None:
    found = core.url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("5,10,20", (5.0, 10.0, 20.0)),
        ("0.5", (0.5,)),
        ("none", ()),
        ("", ()),
    ],
)
def test_retry_schedule_setting(raw: str, parsed: tuple[float, ...]) -> None:
    from lambda_emulator.settings import settings_from

    flags = {"webhook_retry_schedule": raw}
    assert settings_from(flags, env={}).webhook_retry_schedule == parsed
    env = {"LAMBDA_EMULATOR_WEBHOOK_RETRY_SCHEDULE": raw}
    if raw == "":  # an empty variable counts as unset (so `docker run -e NAME=` clears it)
        parsed = settings_from({}, env={}).webhook_retry_schedule
    assert settings_from({}, env=env).webhook_retry_schedule == parsed


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("webhook_retry_schedule", "5,soon"),
        ("webhook_retry_schedule", "-1"),
        ("webhook_retry_schedule", "0"),
        ("webhook_timeout", "0"),
        ("webhook_timeout", "301"),
        ("webhook_timeout", "fast"),
    ],
)
def test_bad_webhook_settings_name_the_flag(name: str, raw: str) -> None:
    from lambda_emulator.settings import SettingsError, settings_from

    with pytest.raises(SettingsError, match="--webhook-"):
        settings_from({name: raw}, env={})
