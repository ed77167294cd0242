"""Lambda Emulator: a local, deterministic stand-in for the Lambda compute platform's API."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
