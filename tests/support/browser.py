"""Debian's Chromium for the browser tests, launched by its path (Playwright's own browser
download cannot work here), with the flags that keep it off the network."""

from __future__ import annotations

import os

#: ``LAMBDA_EMULATOR_CHROMIUM`` points elsewhere; ``make test`` installs Debian's package.
CHROMIUM = os.environ.get("LAMBDA_EMULATOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
