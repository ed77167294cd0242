from __future__ import annotations

from lambda_emulator.core.pagination import paginate

DOCS = [
    {"id": f"i{n}", "name": name, "status": status, "created_at": f"2026-01-0{n}T00:00:00Z"}
    for n, (name, status) in enumerate(
        [("b", "running"), ("a", "stopped"), ("c", "running"), ("a", "running")], start=1
    )
]


def test_filters_sorts_and_cuts_a_page() -> None:
    page = paginate(DOCS, filters={"status": "running"}, sort="name", order="asc", limit=2)
    assert [d["id"] for d in page.items] == ["i4", "i1"]
    assert page.pagination == {
        "page": 1,
        "limit": 2,
        "total_items": 3,
        "total_pages": 2,
        "has_next": True,
        "has_prev": False,
    }


def test_ties_fall_back_to_creation_order_and_desc_reverses() -> None:
    asc = paginate(DOCS, sort="name")
    assert [d["id"] for d in asc.items] == ["i2", "i4", "i1", "i3"]
    desc = paginate(DOCS, sort="name", order="desc")
    assert [d["id"] for d in desc.items] == ["i3", "i1", "i4", "i2"]


def test_a_page_past_the_end_is_empty() -> None:
    page = paginate(DOCS, page=5, limit=2)
    assert page.items == []
    assert page.pagination["has_next"] is False and page.pagination["has_prev"] is True


def test_none_filters_are_ignored_and_empty_input_has_zero_pages() -> None:
    assert paginate(DOCS, filters={"status": None}).total_items == 4
    assert paginate([]).pagination["total_pages"] == 0
