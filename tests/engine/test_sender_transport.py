"""The webhook sender's seam: an httpx transport handed to ``create_app`` receives every
delivery, so a test can see what is sent without a socket or a receiver process."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from lambda_emulator.app import create_app
from lambda_emulator.core.keys import DEFAULT_API_KEY
from lambda_emulator.core.webhooks import verify_body_signature, verify_header
from lambda_emulator.settings import Settings

AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}".encode()}
SECRET = "transport-secret"


def test_deliveries_reach_the_transport_signed_and_in_order() -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(204)

    app = create_app(
        Settings(seed=7, transitions="instant"), webhook_transport=httpx.MockTransport(receiver)
    )

    async def scenario() -> list[dict[str, Any]]:
        # the lifespan starts the sender; the API is called in process, without a socket
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as api:
                hook = await api.post(
                    "/v1/webhooks",
                    json={
                        "url": "http://receiver.test/hook",
                        "events": ["instance.*"],
                        "secret": SECRET,
                    },
                    headers=AUTH,
                )
                assert hook.status_code == 201, hook.text
                created = await api.post(
                    "/v1/instances",
                    json={
                        "name": "seam",
                        "instance_type": "compute-1x",
                        "region": "us-west-1",
                        "image": "ubuntu-22.04",
                    },
                    headers=AUTH,
                )
                assert created.status_code == 201, created.text
                drained = await api.post("/_emulator/webhooks/drain", json={"timeout_seconds": 5})
                assert drained.status_code == 200, drained.text
                listed = await api.get("/_emulator/webhooks/deliveries")
                deliveries: list[dict[str, Any]] = listed.json()["data"]
                return deliveries

    deliveries = asyncio.run(scenario())
    types = [json.loads(r.content)["type"] for r in received]
    assert types == ["instance.pending", "instance.created"]
    for request in received:
        assert str(request.url) == "http://receiver.test/hook"
        assert verify_header(request.content, request.headers["X-Lambda-Signature"], SECRET)
        assert verify_body_signature(request.content, SECRET)
    assert {d["status"] for d in deliveries} == {"succeeded"}
