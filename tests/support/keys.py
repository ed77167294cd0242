"""API keys as the tests use them."""

from __future__ import annotations

#: The start-up key of every emulator the tests run (the settings' default).
KEY = "λ_sk_1234567890abcdef"


def wire(key: str) -> str:
    """The key as the ``websockets`` client must be given it: its UTF-8 bytes as Latin-1 text
    (the library writes header values as ISO-8859-1 and refuses other characters)."""
    return key.encode("utf-8").decode("latin-1")


def auth_header(key: str) -> dict[str, str]:
    """An ``Authorization`` header for the ``websockets`` client."""
    return {"Authorization": f"Bearer {wire(key)}"}
