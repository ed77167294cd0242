"""Assembles an OpenAPI 3.1 document from operations and the schema files that validate them.

Both documents (``/v1/openapi.json``, the emulated API; ``/_emulator/openapi.json``, the
control plane) are built here from the same ``Operation`` declarations and ``schemas/`` that
check every request and response, so a document cannot drift from what the emulator enforces.
What SDK generators need is decided here once, for both:

* a component is named by its definition's bare name (``Instance``, not ``instances.Instance``)
  and is published only when an operation (or a webhook) reaches it: no internal or unused
  schema leaks into a client;
* every ``enum`` is a named component (an inline one is hoisted under a name made of its
  parent and property, or reuses an existing component with the same values), because
  generators otherwise invent colliding names for inline enums;
* catalogue values (``x-catalogue``) are enums of the fixtures' ids (``SchemaSet`` fills them,
  so requests are validated against the same list);
* every answer of an operation is a named envelope component (``InstanceEnvelope``,
  ``InstanceListEnvelope``, ``ErrorEnvelope``), so generated clients get typed results with
  stable names.

The output depends on nothing but the code, the schemas and the fixtures: the same bytes on
every port, host, seed and run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lambda_emulator.errors import ERROR_CATALOGUE
from lambda_emulator.http.operations import EMPTY_BODY, Operation
from lambda_emulator.http.validation import SCHEMA_BASE, SchemaSet

__all__ = ["DocumentBuilder", "OperationText", "path_params", "template"]

_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")
_ENVELOPE_ERROR = "#/components/schemas/ErrorEnvelope"


def template(path: str) -> str:
    """A route path as an OpenAPI path template (``{id:str}`` → ``{id}``)."""
    return _PATH_PARAM.sub(r"{\1}", path)


def path_params(path: str) -> list[str]:
    return list(_PATH_PARAM.findall(path))


def _pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


@dataclass(frozen=True)
class OperationText:
    """What a document says about an operation beyond its declaration."""

    description: str
    tag: str
    #: Extra statuses and why (e.g. a lifecycle 409), added to the ones every operation has.
    extra_errors: Mapping[int, str] = field(default_factory=dict)


#: Response headers of the traffic rules (``components.headers``), by name.
HEADERS: dict[str, dict[str, Any]] = {
    "X-RateLimit-Limit": {
        "description": "Requests per hour the account's plan allows (while rate limits are on).",
        "schema": {"type": "integer", "minimum": 1},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current hour's window.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "End of the current hour's window, in epoch seconds.",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds until a request would pass (equals error.retry_after).",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Idempotent-Replayed": {
        "description": "true when the answer is the stored one of an earlier request with "
        "the same Idempotency-Key.",
        "schema": {"type": "string", "const": "true"},
    },
    "X-Request-Id": {
        "description": "The request's id, as metadata.request_id.",
        "schema": {"type": "string", "pattern": "^req_[a-z0-9]+$"},
    },
}
_RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key with the same request within 24 hours "
    "answers the stored response again instead of acting twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


class DocumentBuilder:
    """One document under construction: components are added as operations reach them."""

    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas
        self.components: dict[str, Any] = {}
        self._names: dict[str, str] = {}  # schema ref ("file.json#/$defs/X") → component name
        self._enums: dict[tuple[Any, ...], str] = {}  # enum values → component name
        self.headers: set[str] = set()

    # -- components -------------------------------------------------------------------------

    def ref(self, schema_ref: str) -> dict[str, Any]:
        """``{"$ref": "#/components/schemas/<Name>"}`` for a schema file reference, adding the
        component (and everything it reaches) on first use."""
        schema_ref = schema_ref.removeprefix(SCHEMA_BASE)
        name = self._names.get(schema_ref)
        if name is None:
            file, _, pointer = schema_ref.partition("#")
            name = pointer.rsplit("/", 1)[-1]
            if name in self.components:
                raise ValueError(f"two schemas named {name!r} reach one document: {schema_ref}")
            self._names[schema_ref] = name
            self.components[name] = {}  # reserve the name while its body is rewritten
            body = self._rewrite(copy.deepcopy(self.schemas.resolve(schema_ref)), file, name)
            self.components[name] = body
            if isinstance(body.get("enum"), list):
                self._enums.setdefault(tuple(body["enum"]), name)
        return {"$ref": "#/components/schemas/" + name}

    def add(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """A component assembled here (envelopes, event payloads); its refs are rewritten."""
        if name not in self.components:
            self.components[name] = {}
            self.components[name] = self._rewrite(schema, "", name)
        return {"$ref": "#/components/schemas/" + name}

    def _rewrite(self, node: Any, file: str, context: str, *, root: bool = True) -> Any:
        if isinstance(node, list):
            return [self._rewrite(item, file, context, root=False) for item in node]
        if not isinstance(node, dict):
            return node
        if "enum" in node and not root:
            return self._hoist(node, file, context)
        out: dict[str, Any] = {}
        for key, value in node.items():
            # x-catalogue: the SchemaSet already filled the enum from the fixtures
            if key in ("$id", "$schema", "$comment", "x-catalogue"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                out[key] = value
            elif key == "$ref" and isinstance(value, str):
                target = value.removeprefix(SCHEMA_BASE)
                out[key] = self.ref(file + target if target.startswith("#") else target)["$ref"]
            elif key == "properties" and isinstance(value, dict):
                out[key] = {
                    prop: self._rewrite(schema, file, context + _pascal(prop), root=False)
                    for prop, schema in value.items()
                }
            elif key in ("$defs", "examples", "default", "const", "enum", "required"):
                out[key] = copy.deepcopy(value)
            else:
                out[key] = self._rewrite(value, file, context, root=False)
        return out

    def _hoist(self, node: dict[str, Any], file: str, context: str) -> dict[str, Any]:
        """An inline enum becomes a named component (generators name inline enums after the
        property, and two properties of one name then collide); annotations stay inline."""
        values = tuple(node["enum"])
        inline: dict[str, Any] = {
            k: node[k] for k in ("default", "description", "examples") if k in node
        }
        name = self._enums.get(values)
        if name is None:
            name = context if context not in self.components else context + "Value"
            body = {k: v for k, v in node.items() if k not in inline}
            body.setdefault("type", _json_type(values))
            self.components[name] = self._rewrite(body, file, name)
            self._enums[values] = name
        return {"$ref": "#/components/schemas/" + name, **inline}

    # -- operations -------------------------------------------------------------------------

    def envelope(self, op: Operation) -> dict[str, Any]:
        """The named success envelope of ``op``'s answer."""
        if not op.response:
            raise ValueError(f"{op.operation_id} declares no response schema")
        data = self.ref(op.response)
        base = data["$ref"].rsplit("/", 1)[-1]
        metadata = self.ref("common.json#/$defs/Metadata")
        props: dict[str, Any] = {"success": {"const": True}, "metadata": metadata}
        required = ["success", "data", "metadata"]
        if op.listing:
            props["data"] = {"type": "array", "items": data}
            props["pagination"] = self.ref("common.json#/$defs/Pagination")
            required.append("pagination")
            name = base + "ListEnvelope"
        else:
            props["data"] = data
            name = base + "Envelope"
        return self.add(
            name,
            {
                "description": f"The envelope of a successful answer; data is {base}"
                + (" items, one page of them." if op.listing else "."),
                "type": "object",
                "required": required,
                "additionalProperties": False,
                "properties": props,
            },
        )

    def operation(
        self,
        op: Operation,
        text: OperationText,
        *,
        common_errors: Callable[[Operation], Iterable[int]],
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "description": text.description,
            "tags": [text.tag],
        }
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": f"The {name.replace('_', ' ')} of the resource.",
                "schema": {"type": "string", "minLength": 1},
            }
            for name in path_params(op.path)
        ]
        if op.query:
            query = self.schemas.resolve(op.query)
            required = set(query.get("required", []))
            file = op.query.split("#")[0]
            for name, prop in query.get("properties", {}).items():
                schema = self._rewrite(
                    copy.deepcopy(prop), file, _pascal(op.operation_id) + _pascal(name), root=False
                )
                param = {"name": name, "in": "query", "required": name in required}
                if isinstance(prop, dict) and "description" in prop:
                    param["description"] = prop["description"]
                param["schema"] = schema
                params.append(param)
        if op.authenticated and op.method == "POST":
            params.append(dict(_IDEMPOTENCY_KEY))
        if params:
            spec["parameters"] = params
        if op.body or op.method in ("POST", "PUT", "PATCH"):
            body = op.body or EMPTY_BODY
            # A request without a body is read as {} (SPEC §1: actions accept an empty body),
            # so the body is required exactly when its schema refuses {}.
            spec["requestBody"] = {
                "required": not self.schemas.prepare(body)({}),
                "content": {"application/json": {"schema": self.ref(body)}},
            }
        responses: dict[str, Any] = {}
        if op.response:
            responses[str(op.status)] = self._response(op, op.status, "Success.", self.envelope(op))
        statuses = {*common_errors(op), *op.errors, *text.extra_errors}
        for status in sorted(statuses):
            responses[str(status)] = self._response(
                op, status, _error_description(status, text.extra_errors.get(status)), None
            )
        spec["responses"] = responses
        if not op.authenticated:
            spec["security"] = []
        return spec

    def _response(
        self, op: Operation, status: int, description: str, schema: dict[str, Any] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {"schema": schema or {"$ref": self._error_envelope()}}},
        }
        names = ["X-Request-Id"]
        if op.authenticated and status != 401:
            names.extend(_RATE_HEADERS)
        if op.authenticated and status == 429:
            names.append("Retry-After")
        if op.authenticated and op.method == "POST" and status < 500 and status not in (401, 429):
            names.append("Idempotent-Replayed")
        out["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in names}
        self.headers.update(names)
        return out

    def _error_envelope(self) -> str:
        return str(self.ref("common.json#/$defs/ErrorEnvelope")["$ref"])

    def component_headers(self) -> dict[str, Any]:
        return {name: copy.deepcopy(HEADERS[name]) for name in sorted(self.headers)}


def _json_type(values: tuple[Any, ...]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {str}:
        return "string"
    if kinds <= {int}:
        return "integer"
    if kinds == {bool}:
        return "boolean"
    return "string"


def _error_description(status: int, extra: str | None) -> str:
    codes = sorted(c for c, cls in ERROR_CATALOGUE.items() if cls.status == status)
    text = "Error envelope with error.code " + (" or ".join(codes) if codes else "server_error")
    return text + (f". {extra}" if extra else ".")


def add_links(operations: list[Operation], paths: dict[str, Any], prefix: str = "") -> None:
    """OpenAPI ``links`` from each create (``POST /things`` → 201) to every operation on
    ``/things/{id}…`` that needs only that id, so clients and stateful fuzzers can follow a
    created resource's ``data.id`` into its reads, actions and delete."""
    body_links = {"createVolume": (("createSnapshot", "volume_id"),)}
    for create in operations:
        if create.method != "POST" or create.status != 201 or path_params(create.path):
            continue
        links: dict[str, Any] = {}
        for op in operations:
            if path_params(op.path) == ["id"] and op.path.startswith(create.path + "/{id"):
                links[op.operation_id] = {
                    "operationId": op.operation_id,
                    "parameters": {"path.id": "$response.body#/data/id"},
                    "description": f"The created resource's id as {{id}} of {op.operation_id}.",
                }
        for target, body_field in body_links.get(create.operation_id, ()):
            links[target] = {
                "operationId": target,
                "requestBody": {body_field: "$response.body#/data/id"},
                "description": f"The created resource's id as '{body_field}' of {target}.",
            }
        if links:
            path = template(prefix + create.path)
            paths[path]["post"]["responses"]["201"]["links"] = links
