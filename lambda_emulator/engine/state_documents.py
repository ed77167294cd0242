"""Export and import of the whole state as one versioned JSON document.

    {"format": "lambda-emulator-state", "version": 1, "exported_at": "…Z",
     "tables": {"<table>": {"<id>": {"id": "<id>", …}, …}, …}}

The document is exactly the store: accounts, API keys (as hashes, never secrets), resources,
events, pending jobs (so transitions in progress finish after an import), idempotency records,
and the id counters (so new ids never collide with imported ones). The emulator clock is not
part of it: pending jobs simply fall due on the importing emulator's clock. The same document
is what ``serve --fixtures FILE`` starts from and what reset returns to.

Nothing is replaced until the whole document has been checked: its structure here, every
stored document against ``schemas/state.json`` (by the caller's ``check``, since schemas live
at the edge), then what a schema cannot say: accounts named by documents exist, instance
types, regions and images are in the catalogue, attachments point at existing resources of the
same account, a resource in transition has its job, job kinds have a handler. A document that
passed is one every later read can serve (no 500 from a malformed import).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from lambda_emulator.catalog import Catalog
from lambda_emulator.errors import InvalidRequest
from lambda_emulator.runtime import Runtime
from lambda_emulator.storage.protocol import Doc

__all__ = [
    "FORMAT",
    "VERSION",
    "TablesCheck",
    "export_state",
    "import_state",
    "load_fixtures",
    "validate",
]

#: Checks the ``tables`` of a document against the stored-document schemas; raises
#: ``InvalidRequest`` naming the field (``tables.<table>.<id>.<field>``).
TablesCheck = Callable[[dict[str, Any]], None]

FORMAT = "lambda-emulator-state"
VERSION = 1
_TABLE_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def export_state(rt: Runtime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": rt.timestamp(),
        "tables": rt.store.export(),
    }


def _bad(message: str, field: str, **details: Any) -> InvalidRequest:
    return InvalidRequest(message, {"field": field, **details})


def validate(
    document: Any, job_kinds: Collection[str], catalog: Catalog, check: TablesCheck
) -> dict[str, dict[str, Doc]]:
    """The tables of a state document, or 400 naming the first thing wrong with it.

    The reference's envelope around it (``{"success": true, "data": {…}}``, as
    ``GET /_emulator/state`` answers) is accepted too, so an export can be fed back as is.
    """
    if isinstance(document, dict) and document.get("success") is True and "data" in document:
        document = document["data"]
    if not isinstance(document, dict):
        raise _bad("A state document must be a JSON object", "body")
    for field, expected, problem in (
        ("format", FORMAT, f"Not a state document: 'format' must be '{FORMAT}'"),
        ("version", VERSION, f"Unsupported state document version {document.get('version')!r}"),
    ):
        if document.get(field) != expected:
            raise _bad(problem, field, value=document.get(field), allowed_values=[expected])
    unknown = sorted(set(document) - {"format", "version", "exported_at", "tables"})
    if unknown:
        raise _bad(
            f"Unknown fields in the state document: {', '.join(unknown)}",
            unknown[0],
            allowed_values=["exported_at", "format", "tables", "version"],
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise _bad("'tables' must be an object of tables", "tables")
    for name, rows in tables.items():
        if not _TABLE_RE.match(name):
            raise _bad(f"Bad table name '{name}'", f"tables.{name}", constraint=_TABLE_RE.pattern)
        if not isinstance(rows, dict):
            raise _bad(f"Table '{name}' must be an object keyed by id", f"tables.{name}")
        for key, doc in rows.items():
            where = f"tables.{name}.{key}"
            if not isinstance(doc, dict) or doc.get("id") != key:
                raise _bad(
                    f"'{where}' must be an object whose id is '{key}'",
                    where,
                    constraint="an object with a matching id",
                )
            if "account_id" in doc and not isinstance(doc["account_id"], str | None):
                raise _bad(f"'{where}.account_id' must be a string", f"{where}.account_id")
    check(tables)
    accounts_table = tables.get("accounts", {})
    default = tables.get("meta", {}).get("default")
    if default is not None and default.get("account_id") not in accounts_table:
        raise _bad(
            "meta.default names an account that is not in the document",
            "tables.meta.default.account_id",
            value=default.get("account_id"),
        )
    for job_id, job in tables.get("jobs", {}).items():
        if job.get("kind") not in job_kinds:
            raise _bad(
                f"Job '{job_id}' is of an unknown kind {job.get('kind')!r}",
                f"tables.jobs.{job_id}.kind",
                value=job.get("kind"),
                allowed_values=sorted(job_kinds),
            )
    _check_references(tables, catalog)
    return tables


#: The catalogue entries stored documents name: table → [(field, catalogue section)].
_CATALOGUE_FIELDS = {
    "instances": [("instance_type", "instance_types"), ("region", "regions"), ("image", "images")],
    "volumes": [("region", "regions")],
    "snapshots": [("region", "regions")],
    "vpns": [("region", "regions")],
}
#: Fields that attach a document to an instance of the same account (null when unattached).
_INSTANCE_LINKS = {"volumes": "instance_id", "firewall_rules": "instance_id"}


def _check_references(tables: dict[str, dict[str, Doc]], catalog: Catalog) -> None:
    """What the schemas cannot say: every id a document names is in the document (or the
    catalogue). Runs after the schema check, so the fields have their types."""
    known_accounts = tables.get("accounts", {})
    jobs = tables.get("jobs", {})
    instances = tables.get("instances", {})
    for name, rows in tables.items():
        for doc_id, doc in rows.items():
            where = f"tables.{name}.{doc_id}"
            account_id = doc.get("account_id")
            if name != "meta" and account_id is not None and account_id not in known_accounts:
                raise _bad(
                    f"'{where}' belongs to account '{account_id}', which is not in the document",
                    f"{where}.account_id",
                    value=account_id,
                )
            for field, section in _CATALOGUE_FIELDS.get(name, []):
                entries: dict[str, Any] = getattr(catalog, section)
                if doc[field] not in entries:
                    raise _bad(
                        f"'{where}.{field}' is not in the catalogue: {doc[field]!r}",
                        f"{where}.{field}",
                        value=doc[field],
                        allowed_values=sorted(entries),
                    )
            link = _INSTANCE_LINKS.get(name)
            target = doc.get(link) if link else None
            if target is not None:
                instance = instances.get(target)
                if instance is None or instance.get("account_id") != account_id:
                    raise _bad(
                        f"'{where}.{link}' names instance '{target}', which is not in the "
                        "document under the same account",
                        f"{where}.{link}",
                        value=target,
                    )
            transition = doc.get("_transition")
            if transition is not None and transition["job"] not in jobs:
                raise _bad(
                    f"'{where}' is in transition by job '{transition['job']}', which is not in "
                    "the document",
                    f"{where}._transition.job",
                    value=transition["job"],
                )


def import_state(rt: Runtime, document: Any, check: TablesCheck) -> dict[str, int]:
    """Replace the whole store with ``document`` (validated first: a bad one changes nothing)."""
    tables = validate(document, rt.job_handlers, rt.catalog, check)
    rt.store.replace_all(tables)
    rt.caches.clear()
    rt.rebuild_job_heap()
    for hook in rt.load_hooks:
        hook(rt)
    return {name: rt.store.count(name) for name in rt.store.tables()}


def load_fixtures(
    path: Path, job_kinds: Collection[str], catalog: Catalog, check: TablesCheck
) -> dict[str, dict[str, Doc]]:
    """The tables of a ``--fixtures`` file; a ``ValueError`` saying what is wrong otherwise."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"--fixtures {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ValueError(f"--fixtures {path}: not valid JSON ({exc})") from None
    try:
        return validate(document, job_kinds, catalog, check)
    except InvalidRequest as exc:
        field = (exc.details or {}).get("field")
        where = f" (at {field})" if field else ""
        raise ValueError(f"--fixtures {path}: {exc.message}{where}") from None
