"""Pending deliveries survive a restart with --state-file, and secrets never reach the disk in
plain text (they are encrypted with a key kept beside the state file, mode 0600)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lambda_emulator.process.server import EmulatorThread
from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from lambda_emulator.testing.webhook_receiver import WebhookReceiver
from tests.support.envelope import ok
from tests.support.server import emulator_settings as settings_with
from tests.support.webhooks import SECRET, ping, subscribe


@contextmanager
def emulator(state_file: Path) -> Iterator[EmulatorHandle]:
    server = EmulatorThread(settings_with(state_file=state_file)).start()
    handle = EmulatorHandle(server)
    try:
        yield handle
    finally:
        handle.close()
        server.stop()


def test_a_delivery_waiting_for_its_retry_is_retried_after_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    receiver = WebhookReceiver()
    receiver.start()
    url = receiver.url
    receiver.stop()  # down: the first attempt will be refused
    try:
        with emulator(state) as first, first.client() as client:
            hook = subscribe(client, url)
            sent = ping(client, hook["id"])
            first.drain_webhooks()
            [waiting] = first.deliveries(status="pending")
            assert waiting["attempt_count"] == 1 and waiting["next_attempt_at"] is not None
        key = Path(str(state) + ".key")
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p != key)
        assert SECRET.encode() not in on_disk
        assert hook["id"].encode() in on_disk  # the state really is in those files

        receiver.start()
        with emulator(state) as second:
            second.advance(10)
            got = receiver.wait_for("webhook.ping", timeout=5)
            assert got.event_id == sent["event_id"] and got.verify(SECRET)
            second.drain_webhooks()
            [done] = second.deliveries()
            assert done["status"] == "succeeded"
            assert [a["status_code"] for a in done["attempts"]] == [None, 200]
    finally:
        receiver.stop()


def test_a_delivery_in_flight_at_shutdown_is_sent_again_on_start(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with WebhookReceiver() as receiver:
        receiver.respond_with(200, delay=1.0, times=1)  # still answering when we stop
        with emulator(state) as first, first.client() as client:
            hook = subscribe(client, receiver.url)
            sent = ping(client, hook["id"])
        with emulator(state) as second:
            second.drain_webhooks()
            [done] = second.deliveries()
            assert done["status"] == "succeeded" and done["event_id"] == sent["event_id"]
            arrived = receiver.wait_for_count(2, timeout=5)
            assert {d.event_id for d in arrived} == {sent["event_id"]}  # at least once


def test_a_lost_key_file_is_reported_and_patching_the_secret_recovers(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with WebhookReceiver() as receiver:
        with emulator(state) as first, first.client() as client:
            hook = subscribe(client, receiver.url)
        Path(str(state) + ".key").unlink()
        with emulator(state) as second, second.client() as client:
            ping(client, hook["id"])
            second.drain_webhooks()
            [delivery] = second.deliveries()
            error = delivery["attempts"][0]["error"]
            assert "cannot be decrypted" in error and "PATCH" in error
            assert receiver.deliveries == []
            ok(client.patch(f"/v1/webhooks/{hook['id']}", json={"secret": "a-fresh-secret"}))
            second.advance(10)
            assert receiver.wait_for("webhook.ping", timeout=5).verify("a-fresh-secret")
