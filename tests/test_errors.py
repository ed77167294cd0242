"""One error catalogue: the classes, the schema enum and the docs agree."""

from __future__ import annotations

import json
from pathlib import Path

from lambda_emulator.errors import ERROR_CATALOGUE, ApiError, RateLimitExceeded, error_for_code

ROOT = Path(__file__).resolve().parent.parent


def test_the_schema_enum_is_the_catalogue() -> None:
    common = json.loads((ROOT / "schemas" / "common.json").read_text())
    assert sorted(common["$defs"]["ErrorCode"]["enum"]) == sorted(ERROR_CATALOGUE)


def test_the_reference_codes_keep_their_statuses() -> None:
    expected = {
        "invalid_request": 400,
        "authentication_failed": 401,
        "forbidden": 403,
        "not_found": 404,
        "rate_limit_exceeded": 429,
        "server_error": 500,
        "service_unavailable": 503,
        "method_not_allowed": 405,
        "conflict": 409,
        "idempotency_key_in_use": 409,
        "idempotency_key_reused": 422,
        "payload_too_large": 413,
        "unsupported_media_type": 415,
        "quota_exceeded": 403,
    }
    assert {code: cls.status for code, cls in ERROR_CATALOGUE.items()} == expected


def test_every_code_is_documented() -> None:
    docs = (ROOT / "docs" / "api-conventions.md").read_text()
    for code, cls in ERROR_CATALOGUE.items():
        assert f"| `{code}` | {cls.status} |" in docs, code


def test_extra_members_go_into_the_error_object() -> None:
    error = RateLimitExceeded("slow down", extra={"retry_after": 12})
    assert error.to_error_object() == {
        "code": "rate_limit_exceeded",
        "message": "slow down",
        "retry_after": 12,
    }
    assert error_for_code("conflict").status == 409
    assert issubclass(error_for_code("quota_exceeded"), ApiError)


def test_the_configuration_table_is_generated_from_the_settings() -> None:
    from lambda_emulator.settings import markdown_table

    assert markdown_table() in (ROOT / "docs" / "configuration.md").read_text()


def test_an_error_declares_its_code_status_and_default_message_in_its_header() -> None:
    from lambda_emulator.errors import Conflict, IdempotencyKeyInUse, NotFound

    assert (NotFound.status, NotFound.code) == (404, "not_found")
    assert NotFound().message == "Resource not found"
    # a child keeps its parent's status unless it names one, and has its own message
    assert IdempotencyKeyInUse.status == Conflict.status == 409
    assert IdempotencyKeyInUse().message != Conflict().message
    assert ApiError().message == "Internal server error"  # the base's docstring is no message
