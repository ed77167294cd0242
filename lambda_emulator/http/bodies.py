"""Request bodies: the size limit, the media types read as JSON, and a strict JSON parse.

Strict means: no ``NaN``/``Infinity``, no duplicate keys (which value would win depends on the
parser), no nesting past ``MAX_JSON_DEPTH`` and no integer too long to read; each is a 400 that
says what is wrong, never a 500.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from starlette.requests import Request

from lambda_emulator.errors import InvalidRequest, PayloadTooLarge, UnsupportedMediaType

__all__ = ["MAX_JSON_DEPTH", "parse_json", "read_body", "read_json"]

_JSON_TYPES = ("", "application/json", "application/x-www-form-urlencoded")


def _reject_constant(name: str) -> Any:
    raise InvalidRequest(f"{name} is not valid JSON", {"field": "body", "constraint": "valid JSON"})


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON, or ``None`` when there is none (``read_body`` + ``parse_json``)."""
    return parse_json(request, await read_body(request, limit))


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 past ``limit`` bytes (declared or streamed)."""
    headers = request.headers
    declared = headers.get("content-length")
    if declared is None and "transfer-encoding" not in headers:
        return b""  # HTTP/1.1 has no body without one of the two: nothing to wait for
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(
            f"Request body is {declared} bytes; the limit is {limit}",
            {"limit_bytes": limit, "content_length": int(declared)},
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                f"Request body exceeds the limit of {limit} bytes", {"limit_bytes": limit}
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(request: Request, raw: bytes) -> Any:
    """``raw`` parsed as JSON, or ``None`` when it is empty.

    A body without a ``Content-Type``, or with curl's ``-d`` default
    (``application/x-www-form-urlencoded``), is read as JSON, as the reference's own examples
    send it; any other non-JSON type is refused.
    """
    if not raw.strip():
        return None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in _JSON_TYPES and not media.endswith("+json"):
        raise UnsupportedMediaType(
            f"Content-Type '{media}' is not supported; send JSON (application/json)",
            {"content_type": media, "allowed_values": ["application/json"]},
        )
    try:
        parsed = json.loads(
            raw.decode("utf-8"),
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except UnicodeDecodeError:
        raise InvalidRequest(
            "The request body is not valid UTF-8", {"field": "body", "constraint": "utf-8"}
        ) from None
    except json.JSONDecodeError as exc:
        raise InvalidRequest(
            f"Malformed JSON in the request body: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}",
            {"field": "body", "constraint": "valid JSON", "position": exc.pos},
        ) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError:  # an integer past Python's digit limit for int(str)
        raise InvalidRequest(
            "A number in the request body has too many digits",
            {"field": "body", "constraint": {"max_digits": sys.get_int_max_str_digits()}},
        ) from None
    if _depth(parsed) > MAX_JSON_DEPTH:
        raise _too_deep()
    return parsed


#: The deepest nesting of objects and arrays a body may have; no request schema comes close,
#: and validators and the error echo recurse, so a deeper body is refused before them.
MAX_JSON_DEPTH = 32


def _too_deep() -> InvalidRequest:
    return InvalidRequest(
        f"The request body nests objects and arrays deeper than {MAX_JSON_DEPTH} levels",
        {"field": "body", "constraint": {"max_depth": MAX_JSON_DEPTH}},
    )


def _depth(value: Any) -> int:
    """How deeply ``value`` nests containers, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: list[Any] = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _finite_float(text: str) -> float:
    """A JSON number as a float, refused when it overflows (``1e309`` would become infinity,
    which no schema bound catches cleanly and strict JSON cannot echo back)."""
    number = float(text)
    if not math.isfinite(number):
        raise InvalidRequest(
            f"The number {text[:40]} in the request body is out of range",
            {"field": "body", "value": text[:40], "constraint": "finite number"},
        )
    return number


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are unique: with a repeated key, which value wins would depend on
    the parser, so the request is ambiguous and refused."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidRequest(
                f"The key '{key}' appears more than once in a JSON object",
                {"field": key, "constraint": "unique keys"},
            )
        result[key] = value
    return result
