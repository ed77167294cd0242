"""Fault and latency injection: rules that make matching API requests fail or slow down.

A rule matches on method (or any), a path pattern and optionally an account. Path patterns are
shell-style globs matched against the whole request path, as sent: ``*`` matches any run of
characters including ``/``, ``?`` one character, ``[abc]`` one of a set; so ``/v1/instances*``
matches the list, every instance and every action under it, and ``/v*/instances`` both versions.

When a request arrives, the first rule (in creation order) that matches and fires decides:

- a rule with ``status`` or ``code`` answers at once with that error, before authentication (a
  failing front door: nothing is counted or stored), after ``latency_ms`` if it has one;
- a rule with only ``latency_ms`` delays the request after it has been authenticated, counted by
  the rate limiter and marked in flight for its Idempotency-Key (a slow backend).

``count`` limits how many times a rule fires; ``probability`` makes it fire at random, from a
stream private to the rule and derived from ``--seed``, so a run with the same seed and the same
requests fails the same requests. Rules are in-process (``rt.traffic.faults``): reset clears
them.
"""

from __future__ import annotations

import fnmatch
import random
import re
from dataclasses import dataclass, field
from typing import Any

from lambda_emulator.core.ids import make_id, rng_for
from lambda_emulator.errors import (
    ERROR_CATALOGUE,
    ApiError,
    InvalidRequest,
    NotFound,
    error_for_code,
)

__all__ = ["Fault", "FaultRules", "injected_error"]

_DEFAULT_MESSAGES = {
    429: "Rate limit exceeded. Retry after {retry_after} seconds.",
    503: "The service is temporarily unavailable; retry later",
}


@dataclass
class Fault:
    id: str
    path: str
    method: str | None
    account_id: str | None
    status: int | None
    code: str | None
    message: str | None
    latency_ms: int
    count: int | None
    probability: float
    retry_after: int | None
    created_at: str
    matched: int = 0
    fired: int = 0
    _regex: re.Pattern[str] = field(repr=False, default=re.compile(""))
    _rng: random.Random = field(repr=False, default_factory=random.Random)

    @property
    def is_error(self) -> bool:
        return self.status is not None

    @property
    def remaining(self) -> int | None:
        return None if self.count is None else max(0, self.count - self.fired)

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "account_id": self.account_id,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "latency_ms": self.latency_ms,
            "count": self.count,
            "remaining": self.remaining,
            "probability": self.probability,
            "retry_after": self.retry_after,
            "matched": self.matched,
            "fired": self.fired,
            "created_at": self.created_at,
        }


class FaultRules:
    """The rules of one world, in creation order; ids come from ``--seed`` and a counter, so a
    seeded run issues the same ids."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rules: list[Fault] = []
        self.issued = 0

    def add(self, body: dict[str, Any], created_at: str) -> Fault:
        """A new rule from a validated ``FaultCreate`` body."""
        status, code = _status_and_code(body.get("status"), body.get("code"))
        latency = int(body.get("latency_ms", 0))
        if status is None and latency == 0:
            raise InvalidRequest(
                "A fault needs an error (status and/or code) or latency_ms, or both",
                {"field": "status", "constraint": "one of status, code, latency_ms is required"},
            )
        retry_after = body.get("retry_after")
        if status == 429 and retry_after is None:
            retry_after = 1
        self.issued += 1
        fault_id = make_id(self.seed, "flt", self.issued)
        method = body.get("method")
        fault = Fault(
            id=fault_id,
            path=body["path"],
            method=method.upper() if method and method != "*" else None,
            account_id=body.get("account_id"),
            status=status,
            code=code,
            message=body.get("message"),
            latency_ms=latency,
            count=body.get("count"),
            probability=float(body.get("probability", 1.0)),
            retry_after=retry_after,
            created_at=created_at,
            _regex=re.compile(fnmatch.translate(body["path"])),
            _rng=rng_for(self.seed, "fault", fault_id),
        )
        self.rules.append(fault)
        return fault

    def get(self, fault_id: str) -> Fault:
        for fault in self.rules:
            if fault.id == fault_id:
                return fault
        raise NotFound(f"Fault '{fault_id}' not found", {"field": "id", "value": fault_id})

    def delete(self, fault_id: str) -> Fault:
        fault = self.get(fault_id)
        self.rules.remove(fault)
        return fault

    def clear(self) -> int:
        removed = len(self.rules)
        self.rules.clear()
        return removed

    def needs_account(self) -> bool:
        """Whether any rule names an account (only then is the caller's key looked up)."""
        return any(f.account_id is not None for f in self.rules)

    def fire(self, method: str, path: str, account_id: str | None) -> Fault | None:
        """The rule that fires for this request, if any; counts it as fired."""
        for fault in self.rules:
            if fault.method is not None and fault.method != method:
                continue
            if fault.account_id is not None and fault.account_id != account_id:
                continue
            if not fault._regex.match(path):
                continue
            if fault.remaining == 0:
                continue
            fault.matched += 1
            if fault.probability < 1.0 and fault._rng.random() >= fault.probability:
                continue
            fault.fired += 1
            return fault
        return None


def _status_and_code(status: int | None, code: str | None) -> tuple[int | None, str | None]:
    if code is not None:
        cls = error_for_code(code)
        return (status if status is not None else cls.status), code
    if status is None:
        return None, None
    for name, cls in ERROR_CATALOGUE.items():
        if cls.status == status:
            return status, name
    return status, "server_error" if status >= 500 else "invalid_request"


def injected_error(fault: Fault) -> ApiError:
    """The error a firing rule answers with (its status may differ from the code's own)."""
    assert fault.status is not None and fault.code is not None
    cls = error_for_code(fault.code)
    if cls.status != fault.status:
        cls = type(cls.__name__, (cls,), {"status": fault.status})
    message = fault.message or _DEFAULT_MESSAGES.get(fault.status, cls.description).format(
        retry_after=fault.retry_after
    )
    headers: dict[str, str] = {"X-Emulator-Fault": fault.id}
    extra: dict[str, Any] = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
        extra["retry_after"] = fault.retry_after
    return cls(message, headers=headers, extra=extra)
