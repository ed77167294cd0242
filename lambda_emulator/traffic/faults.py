"""Fault and latency injection: rules that make matching API requests fail or slow down.

A rule matches on method (or any), a path pattern and optionally an account. Path patterns are
shell-style globs matched against the whole request path, as sent: ``*`` matches any run of
characters including ``/``, ``?`` one character, ``[abc]`` one of a set; so ``/v1/instances*``
matches the list, every instance and every action under it, and ``/v*/instances`` both versions.

When a request arrives, the first rule (in creation order) that matches and fires decides:

- a rule with ``status`` or ``code`` answers at once with that error, before authentication (a
  failing front door: nothing is counted or stored), after ``latency_ms`` if it has one;
- a rule with only ``latency_ms`` delays the request after it has been authenticated, counted by
  the rate limiter and marked in flight for its Idempotency-Key (a slow backend);
- a rule with ``failure`` breaks the network instead of answering an error (SPEC §13):
  ``connection_reset``, ``empty_response`` and ``malformed_json`` happen at the front door, like
  an error (nothing counted or stored; ``latency_ms`` waits first); ``truncated_body`` and
  ``slow_body`` spoil the real answer on its way back, after the operation ran (the response
  was lost, not the request): ``truncated_body`` waits ``latency_ms`` like a slow backend,
  ``slow_body`` spends it dribbling the body. What each does to the socket is
  ``http.network_faults``.

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
from lambda_emulator.core.ratelimit import Decision, Limits
from lambda_emulator.errors import (
    ERROR_CATALOGUE,
    ApiError,
    InvalidRequest,
    NotFound,
    error_for_code,
)
from lambda_emulator.traffic.refusals import refusal

__all__ = [
    "FRONT_DOOR_FAILURES",
    "NETWORK_FAILURES",
    "RESPONSE_FAILURES",
    "Fault",
    "FaultRules",
    "injected_error",
]

#: Failures that replace the answer before the request is processed.
FRONT_DOOR_FAILURES = ("connection_reset", "empty_response", "malformed_json")
#: Failures that spoil the real answer on its way back.
RESPONSE_FAILURES = ("truncated_body", "slow_body")
NETWORK_FAILURES = FRONT_DOOR_FAILURES + RESPONSE_FAILURES

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
    failure: str | None = None
    matched: int = 0
    fired: int = 0
    _regex: re.Pattern[str] = field(repr=False, default=re.compile(""))
    _rng: random.Random = field(repr=False, default_factory=random.Random)

    @property
    def is_error(self) -> bool:
        return self.status is not None

    @property
    def at_front_door(self) -> bool:
        """Whether it answers before the request is processed (an error or a front-door
        network failure), so nothing is counted or stored."""
        return self.status is not None or self.failure in FRONT_DOOR_FAILURES

    @property
    def delay_before_operation(self) -> float:
        """Seconds a slow backend adds once the request is counted (``slow_body`` spends its
        ``latency_ms`` on the body instead)."""
        return 0.0 if self.failure == "slow_body" else self.latency_ms / 1000

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
            "failure": self.failure,
        }


class FaultRules:
    """The rules of one world, in creation order; ids come from ``--seed`` and a counter, so a
    seeded run issues the same ids."""

    def __init__(self, seed: int | str) -> None:
        self.seed = seed
        self.rules: list[Fault] = []
        self.issued = 0

    def add(self, body: dict[str, Any], created_at: str) -> Fault:
        """A new rule from a validated ``FaultCreate`` body."""
        failure = body.get("failure")
        latency = int(body.get("latency_ms", 0))
        _check_failure(body, failure, latency)
        status, code = _status_and_code(body.get("status"), body.get("code"))
        if status is None and latency == 0 and failure is None:
            raise InvalidRequest(
                "A fault needs an error (status and/or code), a failure or latency_ms",
                {
                    "field": "status",
                    "constraint": "one of status, code, failure, latency_ms is required",
                },
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
            failure=failure,
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


def _check_failure(body: dict[str, Any], failure: str | None, latency: int) -> None:
    """A network failure sends no error, so it cannot carry one; a slow body needs a time to
    be slow over. (An unknown failure is refused by the schema, with the allowed values.)"""
    if failure is None:
        return
    clash = [name for name in ("status", "code", "message", "retry_after") if name in body]
    if clash:
        raise InvalidRequest(
            f"A fault with a failure sends no HTTP error; remove {', '.join(clash)}",
            {
                "field": clash[0],
                "value": body[clash[0]],
                "constraint": "not allowed together with failure",
            },
        )
    if failure == "slow_body" and latency == 0:
        raise InvalidRequest(
            "A slow_body failure needs latency_ms: the time over which the body is sent",
            {"field": "latency_ms", "constraint": "required with failure slow_body, above 0"},
        )


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


def injected_error(fault: Fault, seen: tuple[Limits, Decision] | None = None) -> ApiError:
    """The error a firing rule answers with (its status may differ from the code's own).

    ``seen`` is what the rate limiter would say to the caller when the request bears a valid
    key (else ``None``): the injected error then carries what the real one would, the
    ``X-RateLimit-*`` headers (every real answer after authentication has them; a real 401
    never does), and for a 429 the real 429's body and ``Retry-After``. Only
    ``X-Emulator-Fault`` tells it apart."""
    assert fault.status is not None and fault.code is not None
    if seen is not None and fault.status == 429 and fault.code == "rate_limit_exceeded":
        limits, decision = seen
        real = refusal(limits, decision, fault.retry_after or 1)
        if fault.message:
            real.message = fault.message
        real.headers["X-Emulator-Fault"] = fault.id
        return real
    cls = error_for_code(fault.code)
    if cls.status != fault.status:
        cls = type(cls.__name__, (cls,), {"status": fault.status})
    message = fault.message or _DEFAULT_MESSAGES.get(fault.status, cls.description).format(
        retry_after=fault.retry_after
    )
    headers: dict[str, str] = {"X-Emulator-Fault": fault.id}
    if seen is not None and fault.status != 401:
        headers.update(seen[1].headers())
    extra: dict[str, Any] = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
        extra["retry_after"] = fault.retry_after
    return cls(message, headers=headers, extra=extra)
