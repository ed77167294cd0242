"""Where the shipped data lives: ``schemas/`` and ``fixtures/``.

In a wheel they sit inside the package (the build copies them there); in a source checkout they
are the top-level folders. Either way they are found from any working directory.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the emulator's '{name}' folder is missing from {_PACKAGE}")
