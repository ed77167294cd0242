"""The fixture catalogues (instance types, regions, images, plans, prices), loaded once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from lambda_emulator.errors import InvalidRequest
from lambda_emulator.package_data import data_dir

__all__ = ["Catalog", "load_catalog"]


@dataclass(frozen=True)
class Catalog:
    instance_types: dict[str, dict[str, Any]]
    regions: dict[str, dict[str, Any]]
    images: dict[str, dict[str, Any]]
    plans: dict[str, dict[str, Any]]
    prices: dict[str, Any]

    @property
    def currency(self) -> str:
        return str(self.prices["currency"])

    def hourly_price(self, instance_type: str) -> Decimal:
        return Decimal(self.instance_types[instance_type]["hourly_price"])

    def quotas(self, plan: str) -> dict[str, int]:
        return dict(self.plans[plan]["quotas"])

    def rate_limit(self, plan: str) -> dict[str, int]:
        return dict(self.plans[plan]["rate_limit"])

    def require(self, field: str, value: str) -> dict[str, Any]:
        """The catalogue entry a request names in ``field``, or a 400 naming the field and
        every value the catalogue has for it."""
        entries: dict[str, dict[str, Any]] = getattr(self, _SECTIONS[field])
        entry = entries.get(value)
        if entry is None:
            raise InvalidRequest(
                f"Unknown {field.replace('_', ' ')} '{value}'",
                {"field": field, "value": value, "allowed_values": list(entries)},
            )
        return entry


#: The request field that names an entry of each catalogue section.
_SECTIONS = {
    "instance_type": "instance_types",
    "region": "regions",
    "image": "images",
    "plan": "plans",
}


def _read(folder: Path, name: str) -> Any:
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def load_catalog(folder: Path | None = None) -> Catalog:
    root = folder or data_dir("fixtures")

    def by_id(name: str) -> dict[str, dict[str, Any]]:
        return {item["id"]: item for item in _read(root, name)[name]}

    return Catalog(
        instance_types=by_id("instance_types"),
        regions=by_id("regions"),
        images=by_id("images"),
        plans=by_id("plans"),
        prices=_read(root, "prices"),
    )
