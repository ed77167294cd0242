"""Filtering, sorting and paging of a list, as every list endpoint does it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Page", "paginate"]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    limit: int
    total_items: int

    @property
    def pagination(self) -> dict[str, Any]:
        total_pages = math.ceil(self.total_items / self.limit) if self.total_items else 0
        return {
            "page": self.page,
            "limit": self.limit,
            "total_items": self.total_items,
            "total_pages": total_pages,
            "has_next": self.page < total_pages,
            "has_prev": self.page > 1,
        }


def _sort_key(field: str) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    def key(doc: Mapping[str, Any]) -> tuple[Any, ...]:
        value = doc.get(field)
        # None sorts first; ties fall back to creation order (the timestamp, then a creation
        # sequence number ``_seq`` where the document keeps one) and then id, so pages are
        # stable and same-second creations keep their order.
        return (
            value is not None,
            value if value is not None else "",
            doc.get("created_at", ""),
            doc.get("_seq", 0),
            doc.get("id", ""),
        )

    return key


def paginate(
    docs: Iterable[Mapping[str, Any]],
    *,
    filters: Mapping[str, Any] | None = None,
    sort: str = "created_at",
    order: str = "asc",
    page: int = 1,
    limit: int = 20,
) -> Page:
    """Filter by equality on each given field, sort stably, then cut one page."""
    active = {k: v for k, v in (filters or {}).items() if v is not None}
    rows = [d for d in docs if all(d.get(k) == v for k, v in active.items())]
    rows.sort(key=_sort_key(sort), reverse=(order == "desc"))
    start = (page - 1) * limit
    return Page(
        items=[dict(d) for d in rows[start : start + limit]],
        page=page,
        limit=limit,
        total_items=len(rows),
    )
