"""The 429 a refused request gets, in one place: the rate limiter raises it, and an injected
429 for a caller with a valid key is built from it, so the two cannot drift apart."""

from __future__ import annotations

from lambda_emulator.core.ratelimit import Decision, Limits
from lambda_emulator.errors import RateLimitExceeded

__all__ = ["refusal"]


def refusal(limits: Limits, decision: Decision, wait: int) -> RateLimitExceeded:
    """The 429 of a refused request (the real one, and the model for an injected one)."""
    exceeded = decision.exceeded or "burst"
    scope = (
        f"{limits.per_hour} requests per hour"
        if exceeded == "hourly"
        else f"a burst of {limits.burst} requests per second"
    )
    return RateLimitExceeded(
        f"Rate limit exceeded. Retry after {wait} seconds.",
        {
            "limit": exceeded,
            "requests_per_hour": limits.per_hour,
            "burst": limits.burst,
            "reason": f"the account's plan allows {scope}",
        },
        headers={**decision.headers(), "Retry-After": str(wait)},
        extra={"retry_after": wait},
    )
