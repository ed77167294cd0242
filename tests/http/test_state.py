"""State export/import through ``/_emulator/state``, and ``serve --fixtures FILE``."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from lambda_emulator.testing.pytest_plugin import EmulatorHandle
from tests.support.envelope import err, ok
from tests.support.resources import SETTLE
from tests.support.state import populate

KEYS = "/v1/account/api-keys"


def without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "exported_at"}


def test_export_is_the_whole_state_without_secrets(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    secret = ok(client.post(KEYS, json={"name": "ci"}, headers={"Idempotency-Key": "k"}), 201)[
        "key"
    ]
    document = lambda_emulator.export_state()
    assert (document["format"], document["version"]) == ("lambda-emulator-state", 1)
    assert document["exported_at"] == "2026-01-24T10:30:00Z"
    tables = document["tables"]
    assert {"accounts", "api_keys", "meta", "idempotency_keys", "jobs"} <= set(tables)
    assert sorted(k["name"] for k in tables["api_keys"].values()) == ["ci", "default"]
    text = json.dumps(document, ensure_ascii=False)
    assert secret not in text and lambda_emulator.api_key not in text


def test_import_replaces_everything_and_ids_do_not_collide(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    kept = ok(client.post(KEYS, json={"name": "kept"}), 201)
    snapshot = lambda_emulator.export_state()
    later = ok(client.post(KEYS, json={"name": "later"}), 201)
    result = lambda_emulator.import_state(snapshot)
    assert result["imported"] is True and result["tables"]["api_keys"] == 2
    assert [k["name"] for k in ok(client.get(KEYS))] == ["default", "kept"]
    with lambda_emulator.client(later["key"]) as gone:
        err(gone.get("/v1/account"), 401, "authentication_failed")
    with lambda_emulator.client(kept["key"]) as still:
        ok(still.get("/v1/account"))
    again = ok(client.post(KEYS, json={"name": "again"}), 201)
    assert again["id"] not in {k for k in snapshot["tables"]["api_keys"]}
    assert without_time(lambda_emulator.export_state())["tables"]["api_keys"].keys() == {
        *snapshot["tables"]["api_keys"],
        again["id"],
    }


def test_the_envelope_of_an_export_can_be_put_back_as_is(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    ok(client.post(KEYS, json={"name": "kept"}), 201)
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        exported = raw.get("/_emulator/state").json()
        ok(client.post(KEYS, json={"name": "dropped"}), 201)
        ok(raw.put("/_emulator/state", json=exported))
    assert [k["name"] for k in ok(client.get(KEYS))] == ["default", "kept"]


def test_pending_jobs_are_imported_and_run(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    ok(client.post(KEYS, json={"name": "ci"}, headers={"Idempotency-Key": "k"}), 201)
    snapshot = lambda_emulator.export_state()
    lambda_emulator.reset()
    lambda_emulator.import_state(snapshot)
    jobs = snapshot["tables"]["jobs"]
    assert any(job["kind"] == "idempotency.expire" for job in jobs.values())
    assert lambda_emulator.control("GET", "clock")["pending_jobs"] == len(jobs)
    replay = client.post(KEYS, json={"name": "ci"}, headers={"Idempotency-Key": "k"})
    assert replay.headers["idempotent-replayed"] == "true"
    assert lambda_emulator.advance(24 * 3600)["jobs_run"] == 1
    assert "idempotency_keys" not in lambda_emulator.export_state()["tables"]


def broken(document: dict[str, Any], how: str) -> Any:
    doc = copy.deepcopy(document)
    tables = doc["tables"]
    some_key = next(iter(tables["api_keys"]))
    if how == "format":
        doc["format"] = "something-else"
    elif how == "version":
        doc["version"] = 2
    elif how == "extra":
        doc["colour"] = "red"
    elif how == "tables":
        doc["tables"] = []
    elif how == "table-name":
        tables["Bad Name"] = {}
    elif how == "id-mismatch":
        tables["api_keys"][some_key] = dict(tables["api_keys"][some_key], id="key_other")
    elif how == "default-account":
        tables["meta"]["default"]["account_id"] = "acct_missing"
    elif how == "job-kind":
        tables["jobs"] = {"job_x": {"id": "job_x", "kind": "nope", "due": 0, "payload": {}}}
    elif how == "not-object":
        return ["a", "list"]
    return doc


@pytest.mark.parametrize(
    ("how", "field"),
    [
        ("format", "format"),
        ("version", "version"),
        ("extra", "colour"),
        ("tables", "tables"),
        ("table-name", "tables.Bad Name"),
        ("id-mismatch", "tables.api_keys."),
        ("default-account", "tables.meta.default.account_id"),
        ("job-kind", "tables.jobs.job_x.kind"),
        ("not-object", "body"),
    ],
)
def test_a_bad_document_is_400_and_changes_nothing(
    lambda_emulator: EmulatorHandle, client: httpx.Client, how: str, field: str
) -> None:
    ok(client.post(KEYS, json={"name": "ci"}), 201)
    before = lambda_emulator.export_state()
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        error = err(raw.put("/_emulator/state", json=broken(before, how)), 400, "invalid_request")
    assert error["details"]["field"].startswith(field)
    assert without_time(lambda_emulator.export_state()) == without_time(before)


def test_serve_fixtures_starts_from_a_document_and_reset_returns_to_it(
    lambda_emulator: EmulatorHandle,
    client: httpx.Client,
    make_emulator: Callable[..., EmulatorHandle],
    tmp_path: Path,
) -> None:
    ci = ok(client.post(KEYS, json={"name": "ci"}), 201)
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(lambda_emulator.export_state(), ensure_ascii=False))
    seeded = make_emulator(fixtures=fixtures)
    with seeded.client(ci["key"]) as c:
        assert [k["name"] for k in ok(c.get(KEYS))] == ["default", "ci"]
        ok(c.post(KEYS, json={"name": "scratch"}), 201)
        seeded.reset()
        assert [k["name"] for k in ok(c.get(KEYS))] == ["default", "ci"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "lambda-emulator-state", "version": 9, "tables": {}}', "version 9"),
        (
            '{"format": "lambda-emulator-state", "version": 1,'
            ' "tables": {"instances": {"inst_a": {"id": "inst_a", "status": "running"}}}}',
            "at tables.instances.inst_a.",
        ),
    ],
)
def test_serve_refuses_a_bad_fixtures_file(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "lambda_emulator", "serve", "--port", "0", "--fixtures", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2  # an unusable setting, as docs/configuration.md says
    assert "--fixtures" in result.stderr and message in result.stderr


def test_a_full_export_imports_and_round_trips_identically(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    ids = populate(lambda_emulator, client)
    before = lambda_emulator.export_state()
    exported_at = lambda_emulator.control("GET", "clock")["epoch"]
    assert set(before["tables"]) >= STORED_KINDS, STORED_KINDS - set(before["tables"])
    lambda_emulator.reset()
    lambda_emulator.import_state(before)
    assert without_time(lambda_emulator.export_state()) == without_time(before)
    # Every imported resource reads back (no 500), and what was in flight finishes.
    for path in (
        f"/v1/instances/{ids['instance']}",
        f"/v1/volumes/{ids['attached_volume']}",
        f"/v1/snapshots/{ids['snapshot']}",
        f"/v1/vpn/{ids['vpn']}",
        f"/v1/webhooks/{ids['webhook']}",
        "/v1/firewall/rules",
        "/v1/billing/invoices",
        f"/v1/webhooks/{ids['webhook']}/deliveries",
    ):
        ok(client.get(path))
    # The reset took the clock back to the start: the export's jobs are still a week ahead.
    lambda_emulator.advance(exported_at - lambda_emulator.control("GET", "clock")["epoch"] + SETTLE)
    assert ok(client.get(f"/v1/instances/{ids['instance']}"))["status"] == "stopped"
    assert ok(client.get(f"/v1/volumes/{ids['creating_volume']}"))["status"] == "available"


#: Every table a populated emulator stores; an import must know all of them.
STORED_KINDS = {
    "accounts",
    "api_keys",
    "events",
    "firewall_rules",
    "idempotency_keys",
    "instances",
    "invoices",
    "jobs",
    "meta",
    "meters",
    "snapshots",
    "volumes",
    "vpns",
    "webhook_deliveries",
    "webhooks",
}

Tables = dict[str, dict[str, dict[str, Any]]]


def _first(tables: Tables, table: str, **match: Any) -> dict[str, Any]:
    return next(d for d in tables[table].values() if all(d.get(k) == v for k, v in match.items()))


def _break(tables: Tables, ids: dict[str, str], how: str) -> str:
    """Spoil ``tables`` in place one way; the field the refusal must name."""
    inst = tables["instances"][ids["instance"]]
    vol = tables["volumes"][ids["attached_volume"]]
    where = f"tables.instances.{inst['id']}"
    if how == "missing-field":
        del inst["status"]
        return f"{where}.status"
    if how == "unknown-status":
        inst["status"] = "exploded"
        return f"{where}.status"
    if how == "wrong-type":
        inst["vcpus"] = "2"
        return f"{where}.vcpus"
    if how == "unknown-field":
        inst["colour"] = "red"
        return f"{where}.colour"
    if how == "unknown-instance-type":
        inst["instance_type"] = "gpu-9000x"
        return f"{where}.instance_type"
    if how == "unknown-region":
        inst["region"] = "moon-1"
        return f"{where}.region"
    if how == "unknown-image":
        inst["image"] = "beos-5"
        return f"{where}.image"
    if how == "volume-on-missing-instance":
        vol["instance_id"] = "inst_doesnotexist"
        return f"tables.volumes.{vol['id']}.instance_id"
    if how == "volume-on-foreign-instance":
        vol["instance_id"] = ids["their_instance"]
        return f"tables.volumes.{vol['id']}.instance_id"
    if how == "rule-on-missing-instance":
        tables["firewall_rules"][ids["firewall_rule"]]["instance_id"] = "inst_gone"
        return f"tables.firewall_rules.{ids['firewall_rule']}.instance_id"
    if how == "transition-without-job":
        job = inst["_transition"]["job"]
        del tables["jobs"][job]
        return f"{where}._transition.job"
    if how == "unknown-account":
        key = _first(tables, "api_keys", name="ci")
        key["account_id"] = "acct_nobody"
        return f"tables.api_keys.{key['id']}.account_id"
    if how == "unknown-plan":
        tables["accounts"][ids["other_account"]]["plan"] = "platinum"
        return f"tables.accounts.{ids['other_account']}.plan"
    if how == "unknown-job-kind":
        tables["jobs"]["job_x"] = {"id": "job_x", "kind": "nope", "due": 0, "payload": {"a": []}}
        return "tables.jobs.job_x.kind"
    if how == "bad-job-payload":
        job = _first(tables, "jobs", kind="volume.settle")
        job["payload"] = {"id": 7}
        return f"tables.jobs.{job['id']}.payload.id"
    if how == "bad-delivery":
        delivery = next(iter(tables["webhook_deliveries"].values()))
        delivery["attempts"][0]["succeeded"] = "no"
        return f"tables.webhook_deliveries.{delivery['id']}.attempts.0.succeeded"
    if how == "bad-invoice":
        invoice = next(iter(tables["invoices"].values()))
        invoice["total"] = 9.5
        return f"tables.invoices.{invoice['id']}.total"
    if how == "bad-meter":
        meter = next(iter(tables["meters"].values()))
        meter["started_at"] = "yesterday"
        return f"tables.meters.{meter['id']}.started_at"
    if how == "bad-counter":
        tables["meta"]["counters"]["inst"] = "many"
        return "tables.meta.counters.inst"
    if how == "bad-idempotency-record":
        record = next(iter(tables["idempotency_keys"].values()))
        del record["fingerprint"]
        return f"tables.idempotency_keys.{record['id']}.fingerprint"
    if how == "bad-event":
        event = next(iter(tables["events"].values()))
        event["timestamp"] = "last tuesday"
        return f"tables.events.{event['id']}.timestamp"
    if how == "unknown-table":
        tables["widgets"] = {}
        return "tables.widgets"
    raise AssertionError(how)


BREAKAGES = [
    "missing-field",
    "unknown-status",
    "wrong-type",
    "unknown-field",
    "unknown-instance-type",
    "unknown-region",
    "unknown-image",
    "volume-on-missing-instance",
    "volume-on-foreign-instance",
    "rule-on-missing-instance",
    "transition-without-job",
    "unknown-account",
    "unknown-plan",
    "unknown-job-kind",
    "bad-job-payload",
    "bad-delivery",
    "bad-invoice",
    "bad-meter",
    "bad-counter",
    "bad-idempotency-record",
    "bad-event",
    "unknown-table",
]


def test_malformed_resources_are_400_naming_the_field_and_change_nothing(
    lambda_emulator: EmulatorHandle, client: httpx.Client
) -> None:
    """One populated state, spoiled one way at a time (populating takes a while)."""
    ids = populate(lambda_emulator, client)
    before = without_time(lambda_emulator.export_state())
    refused = {}
    with httpx.Client(base_url=lambda_emulator.url) as raw:
        for how in BREAKAGES:
            document = copy.deepcopy(before)
            field = _break(document["tables"], ids, how)
            error = err(raw.put("/_emulator/state", json=document), 400, "invalid_request")
            refused[how] = (error["details"]["field"], field)
    assert {how: got for how, (got, _) in refused.items()} == {
        how: want for how, (_, want) in refused.items()
    }
    assert without_time(lambda_emulator.export_state()) == before
    ok(client.get(f"/v1/instances/{ids['instance']}"))
