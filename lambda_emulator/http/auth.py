"""Reading the API key from a request's headers.

curl sends ``λ`` as its two UTF-8 bytes and the ASGI server hands header bytes over decoded as
Latin-1, so the text is re-read as UTF-8 before it is checked.
"""

from __future__ import annotations

from collections.abc import Mapping

from lambda_emulator.errors import AuthenticationFailed

__all__ = ["presented_key", "utf8_header"]


def utf8_header(value: str) -> str:
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def presented_key(headers: Mapping[str, str], query_key: str | None = None) -> str:
    """The key from ``Authorization: Bearer``, ``X-API-Key`` or (streams only) the query."""
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(
                "Malformed Authorization header: expected 'Bearer <API key>'"
            )
        return utf8_header(token.strip())
    api_key = headers.get("x-api-key")
    if api_key is not None:
        return utf8_header(api_key.strip())
    if query_key is not None:
        return query_key.strip()
    raise AuthenticationFailed(
        "Missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
    )
