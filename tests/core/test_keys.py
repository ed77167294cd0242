from __future__ import annotations

import random

import pytest

from lambda_emulator.core import keys


@pytest.mark.parametrize(
    ("key", "well_formed"),
    [
        ("λ_sk_1234567890abcdef", True),
        ("λ_sk_" + "a" * 32, True),
        ("λ_sk_ABCDEF1234567890", False),
        ("sk_1234567890abcdef", False),
        ("λ_sk_short", False),
        ("λ_sk_1234567890abcdef ", False),
        ("", False),
    ],
)
def test_key_format(key: str, well_formed: bool) -> None:
    assert keys.is_well_formed(key) is well_formed


def test_generated_keys_are_well_formed_and_seeded() -> None:
    a = keys.generate(random.Random(7))
    assert keys.is_well_formed(a)
    assert a == keys.generate(random.Random(7))
    assert a != keys.generate(random.Random(8))


def test_digest_hides_the_secret_and_compares() -> None:
    d = keys.digest(keys.DEFAULT_API_KEY)
    assert keys.DEFAULT_API_KEY not in d and len(d) == 64
    assert keys.digests_match(d, keys.digest(keys.DEFAULT_API_KEY))
    assert not keys.digests_match(d, keys.digest("λ_sk_00000000"))


def test_display_parts() -> None:
    assert keys.public_prefix("λ_sk_abcdefgh1234") == "λ_sk_abcd"
    assert keys.last4("λ_sk_abcdefgh1234") == "1234"
