"""Schemathesis hooks for the fuzz run (loaded by ``test_fuzz.py`` through SCHEMATHESIS_HOOKS).

In deterministic mode hypothesis draws the same few ``Idempotency-Key`` values ("0", "00", …)
for every POST, so most creates would be answered 422 ``idempotency_key_in_use`` (correctly:
the key was already used for another request) and never reach their handlers. A valid key is
made unique by a counter prefix, which keeps it valid; an invalid one (empty, too long, not
printable) is left alone so the negative cases still test that it is refused.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import schemathesis

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
_counter = itertools.count(1)


#: The id of the key the run authenticates with (set by test_fuzz.py). Revoking it would turn
#: the rest of the run into 401s: once the document types list answers, the fuzzer follows a
#: listed key's id into deleteApiKey.
KEEP_KEY = os.environ.get("FUZZ_KEEP_KEY_ID", "")


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    params = case.path_parameters or {}
    if case.method == "DELETE" and "api-keys" in case.path and params.get("id") == KEEP_KEY:
        params["id"] = "key_keptforthefuzzrun"  # an unknown key: the answer is a 404
    headers = case.headers
    if not headers or HEADER not in headers:
        return
    key = headers[HEADER]
    if isinstance(key, str) and 0 < len(key) <= MAX_LENGTH and key.isprintable():
        headers[HEADER] = f"{next(_counter)}-{key}"[:MAX_LENGTH]
