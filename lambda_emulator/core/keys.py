"""API key format, hashing and display.

Keys are ``λ_sk_`` and lowercase alphanumerics, as the reference shows. Only a SHA-256 digest of
a key is ever stored: keys are long random strings, so a fast hash is safe, and comparing digests
with ``hmac.compare_digest`` keeps the check constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re
import string

__all__ = [
    "DEFAULT_API_KEY",
    "KEY_PREFIX",
    "digest",
    "digests_match",
    "generate",
    "is_well_formed",
    "last4",
    "public_prefix",
]

KEY_PREFIX = "λ_sk_"
#: The default account's key: the reference's own example key, so its curl lines work verbatim.
DEFAULT_API_KEY = "λ_sk_1234567890abcdef"
_KEY_RE = re.compile(r"^λ_sk_[a-z0-9]{8,128}$")
_ALPHABET = string.ascii_lowercase + string.digits


def is_well_formed(key: str) -> bool:
    return bool(_KEY_RE.match(key))


def generate(rng: random.Random, length: int = 32) -> str:
    return KEY_PREFIX + "".join(rng.choice(_ALPHABET) for _ in range(length))


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def digests_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def public_prefix(key: str) -> str:
    """What lists show of a key: the fixed prefix and the first four random characters."""
    return key[: len(KEY_PREFIX) + 4]


def last4(key: str) -> str:
    return key[-4:]
