"""Deterministic fake values (names, emails) from Faker, seeded per purpose.

Faker takes a quarter of a second to import, so it is loaded on first use, not at start-up.
"""

from __future__ import annotations

from typing import Any

from lambda_emulator.runtime import Runtime

__all__ = ["faker_for"]


def faker_for(rt: Runtime, *parts: object) -> Any:
    """A Faker whose output depends only on the seed and ``parts``."""
    fake = rt.tools.faker
    if fake is None:
        from faker import Faker

        fake = Faker("en_US")
        rt.tools.faker = fake
    fake.seed_instance(rt.rng("faker", *parts).getrandbits(64))
    return fake
