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


#: Every pair of base-36 digits, least significant first: two digits per ``divmod``.
_PAIRS = [low + high for high in _ALPHABET for low in _ALPHABET]
_BASE2 = len(_ALPHABET) ** 2


def make_id(seed: int | str, prefix: str, counter: int) -> str:
    """The id's characters are the number's base-36 digits, least significant first (taken two
    at a time: every request makes a request id, and this halves the cost)."""
    raw = hashlib.blake2b(f"{seed}:{prefix}:{counter}".encode(), digest_size=16).digest()
    number = int.from_bytes(raw, "big")
    pairs = []
    for _ in range(_ID_LENGTH // 2):
        number, rem = divmod(number, _BASE2)
        pairs.append(_PAIRS[rem])
    return f"{prefix}_{''.join(pairs)}"


def rng_for(seed: int | str, *parts: object) -> random.Random:
    """A random stream private to one purpose, so unrelated requests never shift each other."""
    text = ":".join([str(seed), *(str(p) for p in parts)])
    return random.Random(hashlib.sha256(text.encode()).digest())
