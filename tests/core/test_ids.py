from __future__ import annotations

import re

from lambda_emulator.core.ids import ID_PREFIXES, make_id, rng_for


def test_ids_are_prefix_and_lowercase_alphanumerics() -> None:
    for prefix in ID_PREFIXES:
        assert re.fullmatch(rf"{prefix}_[a-z0-9]{{20}}", make_id(1, prefix, 1))


def test_ids_are_deterministic_per_seed_and_counter() -> None:
    assert make_id(1, "inst", 5) == make_id(1, "inst", 5)
    assert make_id(1, "inst", 5) != make_id(2, "inst", 5)
    assert make_id(1, "inst", 5) != make_id(1, "inst", 6)
    assert len({make_id(0, "vol", n) for n in range(5000)}) == 5000


def test_random_streams_are_private_to_their_purpose() -> None:
    assert rng_for(3, "ip", "inst_a").random() == rng_for(3, "ip", "inst_a").random()
    assert rng_for(3, "ip", "inst_a").random() != rng_for(3, "ip", "inst_b").random()
