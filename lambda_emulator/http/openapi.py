"""The OpenAPI 3.1 document, assembled from the operations and the same schema files that
validate requests and responses, so the document cannot drift from what the emulator enforces."""

from __future__ import annotations

import copy
import re
from typing import Any

from lambda_emulator import __version__
from lambda_emulator.errors import ERROR_CATALOGUE
from lambda_emulator.http.operations import EMPTY_BODY, Operation
from lambda_emulator.http.validation import SCHEMA_BASE, SchemaSet

__all__ = ["build_openapi"]

_PATH_PARAM = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?}")


def _component(file: str, name: str) -> str:
    return f"{file.removesuffix('.json')}.{name}"


def _rewrite(node: Any, file: str) -> Any:
    """Point every ``$ref`` at ``#/components/schemas/…`` and drop per-file keywords."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("$id", "$schema"):
                continue
            if key == "$ref" and isinstance(value, str):
                out[key] = _ref(value, file)
            else:
                out[key] = _rewrite(value, file)
        return out
    if isinstance(node, list):
        return [_rewrite(item, file) for item in node]
    return node


def _ref(ref: str, file: str) -> str:
    ref = ref.removeprefix(SCHEMA_BASE)
    target, _, pointer = ref.partition("#")
    name = pointer.removeprefix("/$defs/")
    return "#/components/schemas/" + _component(target or file, name)


def _ref_to(schema_ref: str) -> dict[str, Any]:
    return {"$ref": _ref(schema_ref, "")}


def _envelope(data: dict[str, Any], listing: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "success": {"const": True},
        "data": {"type": "array", "items": data} if listing else data,
        "metadata": {"$ref": "#/components/schemas/common.Metadata"},
    }
    required = ["success", "data", "metadata"]
    if listing:
        props["pagination"] = {"$ref": "#/components/schemas/common.Pagination"}
        required.append("pagination")
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": props,
    }


#: Response headers of the traffic rules (``components.headers``), by name.
_HEADERS: dict[str, dict[str, Any]] = {
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
        "schema": {"type": "string", "enum": ["true"]},
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


def _headers_for(op: Operation, status: int) -> dict[str, Any]:
    names: list[str] = []
    if op.authenticated and status not in (401,):
        names.extend(_RATE_HEADERS)
    if op.authenticated and status == 429:
        names.append("Retry-After")
    if op.authenticated and op.method == "POST" and status < 500 and status not in (401, 429):
        names.append("Idempotent-Replayed")
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _error_responses(op: Operation) -> dict[str, Any]:
    statuses = {400, 404, 405, 413, 415, 500, 503, *op.errors}
    if op.authenticated:
        statuses |= {401, 403, 429}
    if op.method == "POST":
        statuses |= {409, 422}
    out: dict[str, Any] = {}
    for status in sorted(statuses):
        codes = sorted(c for c, cls in ERROR_CATALOGUE.items() if cls.status == status)
        out[str(status)] = {
            "description": ", ".join(codes) or "error",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/common.ErrorEnvelope"}
                }
            },
        }
        headers = _headers_for(op, status)
        if headers:
            out[str(status)]["headers"] = headers
    return out


def _operation(op: Operation, schemas: SchemaSet) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
    }
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    if op.query:
        query_schema = schemas.resolve(op.query)
        required = set(query_schema.get("required", []))
        file = op.query.split("#")[0]
        for name, prop in query_schema.get("properties", {}).items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": _rewrite(copy.deepcopy(prop), file),
                }
            )
    if op.authenticated and op.method == "POST":
        params.append(dict(_IDEMPOTENCY_KEY))
    if params:
        spec["parameters"] = params
    if op.body:
        spec["requestBody"] = {
            "required": op.body != EMPTY_BODY,
            "content": {"application/json": {"schema": _ref_to(op.body)}},
        }
    elif op.method in ("POST", "PUT", "PATCH"):
        spec["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": _ref_to(EMPTY_BODY)}},
        }
    data = _ref_to(op.response) if op.response else {}
    responses: dict[str, Any] = {
        str(op.status): {
            "description": "Success",
            "content": {"application/json": {"schema": _envelope(data, op.listing)}},
        }
    }
    headers = _headers_for(op, op.status)
    if headers:
        responses[str(op.status)]["headers"] = headers
    responses.update(_error_responses(op))
    spec["responses"] = responses
    if not op.authenticated:
        spec["security"] = []
    return spec


#: Creates whose id another create takes in its body: operationId → (target, body field).
_BODY_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "createVolume": (("createSnapshot", "volume_id"),),
}


def _add_links(operations: list[Operation], paths: dict[str, Any], prefix: str) -> None:
    """OpenAPI ``links`` from each create (``POST /things`` → 201) to every operation on
    ``/things/{id}…`` that needs only that id, so clients and stateful fuzzers can follow a
    created resource's ``data.id`` into its reads, actions and delete."""
    for create in operations:
        if create.method != "POST" or create.status != 201 or _PATH_PARAM.search(create.path):
            continue
        links: dict[str, Any] = {}
        for op in operations:
            params = _PATH_PARAM.findall(op.path)
            if params == ["id"] and op.path.startswith(create.path + "/{id"):
                links[op.operation_id] = {
                    "operationId": op.operation_id,
                    "parameters": {"path.id": "$response.body#/data/id"},
                    "description": f"The created resource's id as {{id}} of {op.operation_id}.",
                }
        for target, field in _BODY_LINKS.get(create.operation_id, ()):
            links[target] = {
                "operationId": target,
                "requestBody": {field: "$response.body#/data/id"},
                "description": f"The created resource's id as '{field}' of {target}.",
            }
        if links:
            path = _PATH_PARAM.sub(r"{\1}", prefix + create.path)
            paths[path]["post"]["responses"]["201"]["links"] = links


def build_openapi(
    operations: list[Operation],
    schemas: SchemaSet,
    prefix: str,
    server_url: str,
    *,
    title: str = "Lambda compute platform API",
) -> dict[str, Any]:
    components: dict[str, Any] = {}
    for file, document in schemas.documents.items():
        for name, schema in document.get("$defs", {}).items():
            components[_component(file, name)] = _rewrite(copy.deepcopy(schema), file)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        path = _PATH_PARAM.sub(r"{\1}", prefix + op.path)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, schemas)
    _add_links(operations, paths, prefix)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": __version__,
            "description": "Served by Lambda Emulator. Every response uses the envelope "
            "{success, data | error, metadata}.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "headers": copy.deepcopy(_HEADERS),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer λ_sk_…",
                },
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }
