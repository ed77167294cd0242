"""The baseline for the throughput benchmark: one bare Starlette route on the same uvicorn.

It answers with the exact bytes the emulator's ``GET /v1/account`` returned (read from the file
named by ``BARE_BODY``), so both sides send the same response size and differ only in the work
the emulator does per request (middleware, auth, validation, envelope).
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BARE_BODY"]).read_bytes()


async def account(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route(os.environ.get("BARE_PATH", "/v1/account"), account)])
