"""The fast front-of-list selection gives exactly what a full sort gives."""

from __future__ import annotations

import random
from typing import Any

import pytest

from lambda_emulator.core.pagination import _sort_key, paginate


def _docs(rng: random.Random, n: int) -> list[dict[str, Any]]:
    docs = []
    for i in range(n):
        doc: dict[str, Any] = {
            "id": f"x_{rng.randrange(10**6):06d}",
            "created_at": f"2026-01-24T10:{rng.randrange(3):02d}:00Z",
            "_seq": i,
            "status": rng.choice(["running", "stopped"]),
        }
        if rng.random() > 0.1:
            doc["name"] = rng.choice(["a", "b", "c", "d", "e"]) + str(rng.randrange(5))
        if rng.random() > 0.5:
            doc["size"] = rng.randrange(20)
        docs.append(doc)
    return docs


@pytest.mark.parametrize("seed", range(60))
def test_front_selection_matches_a_full_sort(seed: int) -> None:
    rng = random.Random(seed)
    docs = _docs(rng, rng.randrange(0, 400))
    for field in ("name", "size", "created_at"):
        for order in ("asc", "desc"):
            for limit in (1, 5, 20):
                for page in (1, 2, 3, 9, 40):
                    status = rng.choice([None, "running"])
                    wanted = [d for d in docs if status is None or d["status"] == status]
                    wanted.sort(key=_sort_key(field), reverse=order == "desc")
                    start = (page - 1) * limit
                    got = paginate(
                        docs,
                        filters={"status": status},
                        sort=field,
                        order=order,
                        page=page,
                        limit=limit,
                    )
                    assert got.items == wanted[start : start + limit]
                    assert got.total_items == len(wanted)
