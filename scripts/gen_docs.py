"""Regenerate the generated parts of the docs (the configuration table) in place."""

from __future__ import annotations

import re
from pathlib import Path

from lambda_emulator.settings import markdown_table

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- generated from settings.py by `make docs` -->"
END = "<!-- end of generated table -->"


def main() -> None:
    for name in ("docs/configuration.md", "README.md"):
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        if START not in text:
            continue
        pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
        path.write_text(
            pattern.sub(lambda _: f"{START}\n{markdown_table()}\n{END}", text), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
