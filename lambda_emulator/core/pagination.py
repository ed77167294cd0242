"""Filtering, sorting and paging of a list, as every list endpoint does it."""

from __future__ import annotations

import heapq
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Page", "page_of", "paginate"]


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


def _front(
    rows: list[Mapping[str, Any]], field: str, descending: bool, count: int
) -> list[Mapping[str, Any]]:
    """The first ``count`` rows of the full sort, without sorting (or keying) every row.

    A heap selection on the bare field value finds the boundary value; every row on the right
    side of it, ties included, is then sorted with the full key. Exactly what
    ``sorted(rows, key=_sort_key(field), reverse=descending)[:count]`` gives.
    """
    full = _sort_key(field)
    present = [d for d in rows if d.get(field) is not None]
    missing = sorted((d for d in rows if d.get(field) is None), key=full, reverse=descending)
    if not descending and len(missing) >= count:
        return missing[:count]
    need = count - len(missing) if not descending else count
    value = operator.itemgetter(field)
    if descending:
        top = heapq.nlargest(need, present, key=value)
        bound = value(top[-1]) if top else None
        near = [d for d in present if value(d) >= bound] if top else []
    else:
        top = heapq.nsmallest(need, present, key=value)
        bound = value(top[-1]) if top else None
        near = [d for d in present if value(d) <= bound] if top else []
    near.sort(key=full, reverse=descending)
    head = near[:need]
    return (head + missing)[:count] if descending else missing + head


def _ordered(
    rows: list[Mapping[str, Any]], field: str, descending: bool
) -> list[Mapping[str, Any]]:
    """All rows in the order of ``sorted(rows, key=_sort_key(field), reverse=descending)``.

    Sorting on the bare field value runs in C; only runs of equal values are then re-sorted
    with the full key (creation order, id), which is far cheaper than keying every row.
    """
    full = _sort_key(field)
    present = [d for d in rows if d.get(field) is not None]
    missing = sorted((d for d in rows if d.get(field) is None), key=full, reverse=descending)
    value = operator.itemgetter(field)
    present.sort(key=value, reverse=descending)
    i, n = 0, len(present)
    while i < n:
        j = i + 1
        current = value(present[i])
        while j < n and value(present[j]) == current:
            j += 1
        if j - i > 1:
            present[i:j] = sorted(present[i:j], key=full, reverse=descending)
        i = j
    return present + missing if descending else missing + present


def paginate(
    docs: Iterable[Mapping[str, Any]],
    *,
    filters: Mapping[str, Any] | None = None,
    sort: str = "created_at",
    order: str = "asc",
    page: int = 1,
    limit: int = 20,
) -> Page:
    """Filter by equality on each given field, sort stably, then cut one page.

    A page near the front of a long list (the common case: page 1 of thousands) is cut with a
    partial heap selection, which gives exactly the items a full sort would.
    """
    active = [(k, v) for k, v in (filters or {}).items() if v is not None]
    if not active:
        rows = list(docs)
    elif len(active) == 1:
        field, wanted = active[0]
        rows = [d for d in docs if d.get(field) == wanted]
    else:
        rows = [d for d in docs if all(d.get(k) == v for k, v in active)]
    start = (page - 1) * limit
    end = start + limit
    if end * 4 <= len(rows):
        chosen = _front(rows, sort, order == "desc", end)[start:end]
    else:
        chosen = _ordered(rows, sort, order == "desc")[start:end]
    return Page(
        items=[dict(d) for d in chosen],
        page=page,
        limit=limit,
        total_items=len(rows),
    )


def page_of(
    docs: Iterable[Mapping[str, Any]],
    query: Mapping[str, Any],
    *,
    filters: Iterable[str] = (),
    view: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    sort: str = "created_at",
    order: str = "asc",
) -> Page:
    """The page a validated list query asks for: its ``page``, ``limit``, ``sort`` and
    ``order`` (``sort``/``order`` here are the defaults), equality on each of ``filters``
    that the query names, and each item of the page shown through ``view``."""
    cut = paginate(
        docs,
        filters={name: query.get(name) for name in filters},
        sort=query.get("sort", sort),
        order=query.get("order", order),
        page=query.get("page", 1),
        limit=query.get("limit", 20),
    )
    if view is None:
        return cut
    return Page([view(d) for d in cut.items], cut.page, cut.limit, cut.total_items)
