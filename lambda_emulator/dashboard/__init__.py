"""The dashboard's static files (``static/``), shipped in the package so the page works offline.

``lambda_emulator.http.dashboard`` serves them; ``static/vendor`` holds pinned releases of the
JavaScript libraries it uses, re-fetched by ``scripts/vendor-dashboard.sh``.
"""
