"""The one error tree of the emulator.

Every failure a client can see is an ``ApiError`` subclass that carries its HTTP status and its
wire ``code``; the edge turns any of them into the envelope in a single handler
(``lambda_emulator.http.envelope.error_response``), so a status or a code is defined here and
nowhere else.

    ApiError
    ├── InvalidRequest            400 invalid_request
    ├── AuthenticationFailed      401 authentication_failed
    ├── Forbidden                 403 forbidden
    │   └── QuotaExceeded         403 quota_exceeded
    ├── NotFound                  404 not_found
    ├── MethodNotAllowed          405 method_not_allowed
    ├── Conflict                  409 conflict
    │   └── IdempotencyKeyInUse   409 idempotency_key_in_use
    ├── PayloadTooLarge           413 payload_too_large
    ├── UnsupportedMediaType      415 unsupported_media_type
    ├── IdempotencyKeyReused      422 idempotency_key_reused
    ├── RateLimitExceeded         429 rate_limit_exceeded
    ├── ServerError               500 server_error
    └── ServiceUnavailable        503 service_unavailable
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ERROR_CATALOGUE",
    "ApiError",
    "AuthenticationFailed",
    "Conflict",
    "Forbidden",
    "IdempotencyKeyInUse",
    "IdempotencyKeyReused",
    "InvalidRequest",
    "MethodNotAllowed",
    "NotFound",
    "PayloadTooLarge",
    "QuotaExceeded",
    "RateLimitExceeded",
    "ServerError",
    "ServiceUnavailable",
    "UnsupportedMediaType",
    "error_for_code",
]


class ApiError(Exception):
    """A failure with a place in the wire contract; subclasses fix ``status`` and ``code``."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "server_error"
    description: ClassVar[str] = "Internal server error"

    def __init_subclass__(
        cls, *, code: str | None = None, status: int | None = None, **kwargs: Any
    ) -> None:
        """A subclass states its wire ``code`` and ``status`` (unless its parent's) in its
        header, and its docstring is its default message, so each error reads as one entry."""
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status is not None:
            cls.status = status
        if cls.__doc__:
            cls.description = cls.__doc__

    def __init__(
        self,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.description
        self.details = details
        # Extra response headers (Retry-After, Allow) and extra members of the ``error``
        # object (the reference's 429 body carries ``retry_after`` beside ``code``).
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.message)

    def to_error_object(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        body.update(self.extra)
        return body


class InvalidRequest(ApiError, status=400, code="invalid_request"):
    """Malformed request"""


class AuthenticationFailed(ApiError, status=401, code="authentication_failed"):
    """Invalid API key"""


class Forbidden(ApiError, status=403, code="forbidden"):
    """Insufficient permissions"""


class QuotaExceeded(Forbidden, code="quota_exceeded"):
    """The account's plan quota would be exceeded"""


class NotFound(ApiError, status=404, code="not_found"):
    """Resource not found"""


class MethodNotAllowed(ApiError, status=405, code="method_not_allowed"):
    """Method not allowed on this path"""


class Conflict(ApiError, status=409, code="conflict"):
    """The action conflicts with the resource's current state"""


class IdempotencyKeyInUse(Conflict, code="idempotency_key_in_use"):
    """A request with this Idempotency-Key is still being processed"""


class PayloadTooLarge(ApiError, status=413, code="payload_too_large"):
    """Request body too large"""


class UnsupportedMediaType(ApiError, status=415, code="unsupported_media_type"):
    """Request body must be JSON"""


class IdempotencyKeyReused(ApiError, status=422, code="idempotency_key_reused"):
    """The Idempotency-Key was already used with a different request"""


class RateLimitExceeded(ApiError, status=429, code="rate_limit_exceeded"):
    """Too many requests"""


class ServerError(ApiError, status=500, code="server_error"):
    """Internal server error"""


class ServiceUnavailable(ApiError, status=503, code="service_unavailable"):
    """Temporary unavailability"""


def _catalogue() -> dict[str, type[ApiError]]:
    seen: dict[str, type[ApiError]] = {}
    stack: list[type[ApiError]] = list(ApiError.__subclasses__())
    while stack:
        cls = stack.pop()
        seen.setdefault(cls.code, cls)
        stack.extend(cls.__subclasses__())
    return dict(sorted(seen.items(), key=lambda item: (item[1].status, item[0])))


#: Every wire error code with the class that raises it, ordered by HTTP status.
ERROR_CATALOGUE: dict[str, type[ApiError]] = _catalogue()


def error_for_code(code: str) -> type[ApiError]:
    """The class for a wire code (fault injection names errors by code)"""
    try:
        return ERROR_CATALOGUE[code]
    except KeyError:
        raise InvalidRequest(
            f"Unknown error code '{code}'",
            {"field": "code", "value": code, "allowed_values": list(ERROR_CATALOGUE)},
        ) from None
