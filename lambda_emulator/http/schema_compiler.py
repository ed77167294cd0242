"""JSON Schema 2020-12 compiled to plain Python predicates, for the path every request takes.

jsonschema walks the schema tree on every call and resolves each ``$ref`` through
``referencing`` on every descent: about 0.5 ms to check one small response, more than the rest of
a request costs. Here each schema is turned once, at start-up, into nested closures with every
``$ref`` already resolved, answering only "valid or not". When the answer is "not", the caller
asks jsonschema for the error, so error details stay exactly jsonschema's. The keywords mirror
jsonschema's own implementation (``jsonschema/_keywords.py``) one by one, quirks included; a
schema using a keyword compiled here is not safe to guess about (``$dynamicRef``,
``unevaluatedItems``, ``$anchor`` references) raises ``Unsupported`` and the caller keeps
jsonschema for that schema. ``format`` is an annotation, as in jsonschema without a format
checker. A test checks both validators agree on every schema in ``schemas/``.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

__all__ = ["Check", "SchemaCompiler", "Unsupported", "json_equal"]

Check = Callable[[Any], bool]
Keys = Callable[[dict[str, Any]], set[str]]

#: Keywords with no compiled form whose presence makes a verdict unsafe to guess.
_UNSUPPORTED = frozenset({"$dynamicRef", "$recursiveRef", "unevaluatedItems"})


class Unsupported(Exception):
    """The schema needs a feature this compiler leaves to jsonschema."""


# jsonschema's equality: bool is not a number, sequences and mappings compare deeply --------------
def json_equal(one: Any, two: Any) -> bool:
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and json_equal(value, two[key]) for key, value in one.items()
        )
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _unique(items: list[Any]) -> bool:
    seen: list[Any] = []
    for item in items:
        if any(json_equal(item, other) for other in seen):
            return False
        seen.append(item)
    return True


# types, as jsonschema's draft 2020-12 type checker sees them ------------------------------------
def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


_TYPES: dict[str, Check] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": _is_integer,
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


class SchemaCompiler:
    """Compiles schemas from a set of documents keyed by their ``$id``."""

    def __init__(self, documents: Mapping[str, Any]) -> None:
        self._documents = dict(documents)
        self._compiled: dict[int, Check] = {}
        self._keys: dict[int, Keys] = {}
        self._pending: dict[int, list[Check]] = {}

    # references ----------------------------------------------------------------------------
    def resolve(self, ref: str, base: str) -> tuple[Any, str]:
        """The schema a reference points at, and the base URI inside it."""
        url, fragment = urldefrag(urljoin(base, ref))
        document = self._documents.get(url)
        if document is None:
            raise Unsupported(f"cannot resolve {ref!r} from {base!r}")
        node: Any = document
        if fragment:
            if not fragment.startswith("/"):
                raise Unsupported(f"anchor references are not compiled: {ref!r}")
            for part in fragment[1:].split("/"):
                key = unquote(part).replace("~1", "/").replace("~0", "~")
                try:
                    node = node[int(key)] if isinstance(node, list) else node[key]
                except (KeyError, IndexError, ValueError, TypeError):
                    raise Unsupported(f"{ref!r} points at nothing") from None
        return node, url

    def compile_ref(self, url: str) -> Check:
        node, base = self.resolve(url, "")
        return self.compile(node, base)

    # validity ------------------------------------------------------------------------------
    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"not a schema: {schema!r}")
        key = id(schema)
        done = self._compiled.get(key)
        if done is not None:
            return done
        if key in self._pending:  # a recursive reference: call through the cell once filled
            cell = self._pending[key]
            return lambda x: cell[0](x)
        self._pending[key] = cell = []
        try:
            check = self._compile_node(schema, base)
        finally:
            del self._pending[key]
        cell.append(check)
        self._compiled[key] = check
        return check

    def _compile_node(self, schema: dict[str, Any], base: str) -> Check:
        unsupported = _UNSUPPORTED & schema.keys()
        if unsupported:
            raise Unsupported(f"keywords {sorted(unsupported)} are left to jsonschema")
        if isinstance(schema.get("$id"), str):
            base = urljoin(base, schema["$id"])
        if schema.get("type") == "string" and _STRING_ONLY.issuperset(schema):
            return _string_node(schema)
        checks: list[Check] = []
        if "type" in schema:
            checks.append(self._type(schema["type"]))
        if "$ref" in schema:
            target, target_base = self.resolve(schema["$ref"], base)
            checks.append(self.compile(target, target_base))
        if "enum" in schema:
            options = list(schema["enum"])
            checks.append(lambda x: any(json_equal(option, x) for option in options))
        if "const" in schema:
            constant = schema["const"]
            checks.append(lambda x: json_equal(x, constant))
        object_check = self._object(schema, base)
        if object_check is not None:
            checks.append(object_check)
        for builder in (self._array, self._string, self._number, self._logic):
            checks.extend(builder(schema, base))
        if "unevaluatedProperties" in schema:
            checks.append(self._unevaluated(schema, base))
        return _all(checks)

    def _type(self, kinds: Any) -> Check:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        try:
            tests = [_TYPES[name] for name in names]
        except KeyError as exc:
            raise Unsupported(f"unknown type {exc}") from None
        if len(tests) == 1:
            return tests[0]
        return lambda x: any(test(x) for test in tests)

    def _object(self, schema: dict[str, Any], base: str) -> Check | None:
        props = {
            name: self.compile(sub, base) for name, sub in (schema.get("properties") or {}).items()
        }
        patterns = [
            (re.compile(pattern), self.compile(sub, base))
            for pattern, sub in (schema.get("patternProperties") or {}).items()
        ]
        required = list(schema.get("required") or [])
        additional = schema.get("additionalProperties")
        extra_check = None if additional is None else self.compile(additional, base)
        joined = "|".join(schema.get("patternProperties") or {})
        joined_re = re.compile(joined) if joined else None
        min_props, max_props = schema.get("minProperties"), schema.get("maxProperties")
        names = schema.get("propertyNames")
        names_check = None if names is None else self.compile(names, base)
        dep_required = dict(schema.get("dependentRequired") or {})
        dep_schemas = {
            name: self.compile(sub, base)
            for name, sub in (schema.get("dependentSchemas") or {}).items()
        }
        if not (
            props
            or patterns
            or required
            or extra_check
            or min_props is not None
            or max_props is not None
            or names_check
            or dep_required
            or dep_schemas
        ):
            return None
        if not (patterns or min_props is not None or max_props is not None or names_check) and not (
            dep_required or dep_schemas
        ):
            return _plain_object(props, required, additional, extra_check)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for name in required:
                if name not in x:
                    return False
            for name, value in x.items():
                sub = props.get(name)
                if sub is not None:
                    if not sub(value):
                        return False
                elif (
                    extra_check is not None
                    and not (joined_re and joined_re.search(name))
                    and not extra_check(value)
                ):
                    return False
            for pattern, sub in patterns:
                for name, value in x.items():
                    if pattern.search(name) and not sub(value):
                        return False
            if min_props is not None and len(x) < min_props:
                return False
            if max_props is not None and len(x) > max_props:
                return False
            if names_check is not None and not all(names_check(name) for name in x):
                return False
            for name, needed in dep_required.items():
                if name in x and any(other not in x for other in needed):
                    return False
            return all(sub(x) for name, sub in dep_schemas.items() if name in x)

        return check

    def _array(self, schema: dict[str, Any], base: str) -> list[Check]:
        checks: list[Check] = []
        prefix = [self.compile(sub, base) for sub in schema.get("prefixItems") or []]
        if prefix:

            def prefix_items(x: Any) -> bool:
                return not isinstance(x, list) or all(s(v) for s, v in zip(prefix, x, strict=False))

            checks.append(prefix_items)
        if "items" in schema:
            item = self.compile(schema["items"], base)
            start = len(prefix)

            def items(x: Any) -> bool:
                return not isinstance(x, list) or all(item(v) for v in x[start:])

            checks.append(items)
        if "contains" in schema:
            contained = self.compile(schema["contains"], base)
            least = schema.get("minContains", 1)
            most = schema.get("maxContains")

            def contains(x: Any) -> bool:
                if not isinstance(x, list):
                    return True
                matches = sum(1 for v in x if contained(v))
                return matches >= least and (most is None or matches <= most)

            checks.append(contains)
        low, high = schema.get("minItems"), schema.get("maxItems")
        if low is not None:
            checks.append(lambda x: not isinstance(x, list) or len(x) >= low)
        if high is not None:
            checks.append(lambda x: not isinstance(x, list) or len(x) <= high)
        if schema.get("uniqueItems"):
            checks.append(lambda x: not isinstance(x, list) or _unique(x))
        return checks

    def _string(self, schema: dict[str, Any], base: str) -> list[Check]:
        checks: list[Check] = []
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None:
            checks.append(lambda x: not isinstance(x, str) or len(x) >= low)
        if high is not None:
            checks.append(lambda x: not isinstance(x, str) or len(x) <= high)
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda x: not isinstance(x, str) or search(x) is not None)
        return checks

    def _number(self, schema: dict[str, Any], base: str) -> list[Check]:
        checks: list[Check] = []
        bounds: list[tuple[str, Callable[[Any, Any], bool]]] = [
            ("minimum", lambda x, b: x >= b),
            ("maximum", lambda x, b: x <= b),
            ("exclusiveMinimum", lambda x, b: x > b),
            ("exclusiveMaximum", lambda x, b: x < b),
        ]
        for keyword, holds in bounds:
            if keyword in schema:
                bound = schema[keyword]
                checks.append(
                    lambda x, b=bound, h=holds: not _is_number(x) or h(x, b)  # type: ignore[misc]
                )
        if "multipleOf" in schema:
            step = schema["multipleOf"]
            checks.append(lambda x: not _is_number(x) or _multiple(x, step))
        return checks

    def _logic(self, schema: dict[str, Any], base: str) -> list[Check]:
        checks: list[Check] = []
        if "allOf" in schema:
            every = [self.compile(sub, base) for sub in schema["allOf"]]
            checks.append(lambda x: all(sub(x) for sub in every))
        if "anyOf" in schema:
            some = [self.compile(sub, base) for sub in schema["anyOf"]]
            checks.append(lambda x: any(sub(x) for sub in some))
        if "oneOf" in schema:
            one = [self.compile(sub, base) for sub in schema["oneOf"]]
            checks.append(lambda x: sum(1 for sub in one if sub(x)) == 1)
        if "not" in schema:
            negated = self.compile(schema["not"], base)
            checks.append(lambda x: not negated(x))
        if "if" in schema:
            condition = self.compile(schema["if"], base)
            then = self.compile(schema["then"], base) if "then" in schema else _always
            otherwise = self.compile(schema["else"], base) if "else" in schema else _always
            checks.append(lambda x: then(x) if condition(x) else otherwise(x))
        return checks

    # unevaluatedProperties: jsonschema's find_evaluated_property_keys_by_schema, compiled ------
    def _unevaluated(self, schema: dict[str, Any], base: str) -> Check:
        evaluated = self._evaluated_keys(schema, base)
        rest = self.compile(schema["unevaluatedProperties"], base)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            seen = evaluated(x)
            return all(rest(value) for name, value in x.items() if name not in seen)

        return check

    def _evaluated_keys(self, schema: Any, base: str) -> Keys:
        if not isinstance(schema, dict):
            return lambda x: set()
        key = id(schema)
        found = self._keys.get(key)
        if found is not None:
            return found
        cell: list[Keys] = []
        self._keys[key] = lambda x: cell[0](x)  # recursion through $ref lands here
        if isinstance(schema.get("$id"), str):
            base = urljoin(base, schema["$id"])
        parts: list[Keys] = []
        if "$ref" in schema:
            target, target_base = self.resolve(schema["$ref"], base)
            parts.append(self._evaluated_keys(target, target_base))
        properties = schema.get("properties")
        if isinstance(properties, dict):
            names = set(properties)
            parts.append(lambda x: names & x.keys())
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if schema.get(keyword) is not None:
                valid = self.compile(schema[keyword], base)
                parts.append(lambda x, v=valid: {k for k, val in x.items() if v(val)})  # type: ignore[misc]
        if "patternProperties" in schema:
            regexes = [re.compile(p) for p in schema["patternProperties"]]
            parts.append(lambda x: {k for k in x if any(r.search(k) for r in regexes)})
        for name, sub in (schema.get("dependentSchemas") or {}).items():
            inner = self._evaluated_keys(sub, base)
            parts.append(lambda x, n=name, f=inner: f(x) if n in x else set())  # type: ignore[misc]
        for keyword in ("allOf", "oneOf", "anyOf"):
            for sub in schema.get(keyword, []):
                valid, inner = self.compile(sub, base), self._evaluated_keys(sub, base)
                parts.append(lambda x, v=valid, f=inner: f(x) if v(x) else set())  # type: ignore[misc]
        if "if" in schema:
            condition = self.compile(schema["if"], base)
            when = self._evaluated_keys(schema["if"], base)
            then = self._evaluated_keys(schema.get("then"), base)
            otherwise = self._evaluated_keys(schema.get("else"), base)
            parts.append(lambda x: (when(x) | then(x)) if condition(x) else otherwise(x))

        def keys(x: dict[str, Any]) -> set[str]:
            result: set[str] = set()
            for part in parts:
                result |= part(x)
            return result

        cell.append(keys)
        self._keys[key] = keys
        return keys


#: Keywords a plain string schema may hold and still be checked by one closure.
_STRING_ONLY = frozenset(
    {"type", "minLength", "maxLength", "pattern", "format", "description", "title", "examples",
     "default", "$comment", "deprecated", "readOnly", "writeOnly"}
)  # fmt: skip


def _string_node(schema: dict[str, Any]) -> Check:
    """``{"type": "string", minLength, maxLength, pattern}`` as one test: the commonest schema
    of all (names, ids, timestamps) and worth a quarter of a response's checking time."""
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    if high is None:
        high = float("inf")

    def check(x: Any) -> bool:
        return (
            isinstance(x, str)
            and low <= len(x) <= high
            and (search is None or search(x) is not None)
        )

    return check


def _plain_object(
    props: dict[str, Check], required: list[str], additional: Any, extra: Check | None
) -> Check:
    """The usual object schema (``properties``, ``required``, ``additionalProperties``) as one
    tight loop; ``additionalProperties: false`` becomes a key-set test."""
    known = frozenset(props)
    closed = additional is False
    get = props.get

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for name in required:
            if name not in x:
                return False
        if closed and not known.issuperset(x):
            return False
        for name, value in x.items():
            sub = get(name)
            if sub is None:
                if extra is not None and not extra(value):
                    return False
            elif not sub(value):
                return False
        return True

    return check


def _multiple(x: Any, step: Any) -> bool:
    if isinstance(step, float):
        quotient = x / step
        try:
            return bool(int(quotient) == quotient)
        except OverflowError:
            return (Fraction(x) / Fraction(step)).denominator == 1
        except ValueError:  # NaN: jsonschema raises; let it say so
            return False
    return not (x % step)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    frozen = tuple(checks)

    def every(x: Any) -> bool:
        for check in frozen:  # noqa: SIM110 - a plain loop is faster than all() on a generator
            if not check(x):
                return False
        return True

    return every
