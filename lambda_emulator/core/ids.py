"""Deterministic identifiers and random streams.

An id is ``<prefix>_`` and 20 lowercase alphanumerics derived from the seed, the prefix and a
per-prefix counter. Counters live in the store, so a restart from a state file never repeats an
id, and the same seed with the same requests in the same order repeats every id exactly.
"""

from __future__ import annotations

import hashlib
import random
import string

__all__ = ["ID_PREFIXES", "make_id", "rng_for"]

ID_PREFIXES = (
    "acct",
    "inst",
    "vol",
    "snap",
    "fw",
    "vpn",
    "inv",
    "key",
    "wh",
    "evt",
    "dlv",
    "req",
    "job",
    "mtr",
    "flt",
)
_ALPHABET = string.ascii_lowercase + string.digits
_ID_LENGTH = 20


def make_id(seed: int, prefix: str, counter: int) -> str:
    raw = hashlib.blake2b(f"{seed}:{prefix}:{counter}".encode(), digest_size=16).digest()
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(_ID_LENGTH):
        number, rem = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[rem])
    return f"{prefix}_{''.join(chars)}"


def rng_for(seed: int, *parts: object) -> random.Random:
    """A random stream private to one purpose, so unrelated requests never shift each other."""
    text = ":".join([str(seed), *(str(p) for p in parts)])
    return random.Random(hashlib.sha256(text.encode()).digest())
