"""Webhook secrets at rest: encrypted with a key kept outside the state file.

API key secrets are stored only as hashes, but a webhook secret must be read back to sign each
delivery, so it is encrypted instead (Fernet: AES-128-CBC with an HMAC-SHA256 tag). The key:

* with ``--state-file PATH``: a random key in ``PATH.key``, created with mode 0600 on first use
  and read on every later start; the state file (and its log) only ever holds ciphertext.
  Deleting or losing the key file makes the stored secrets unreadable: deliveries then fail
  with an error saying so, until the subscription's secret is set again (``PATCH``);
* in memory: derived from the seed. Nothing is written to disk, and an exported state document
  (``GET /_emulator/state``) can be imported into an emulator started with the same ``--seed``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_emulator.runtime import Runtime

if TYPE_CHECKING:  # imported on first use: cryptography costs ~25 ms of every start-up
    from cryptography.fernet import Fernet

__all__ = ["SecretUnreadable", "decrypt", "encrypt", "key_path"]


class SecretUnreadable(Exception):
    """A stored secret that this emulator's key cannot decrypt."""


def key_path(rt: Runtime) -> Path | None:
    state_file = rt.settings.state_file
    return None if state_file is None else Path(str(state_file) + ".key")


def _load_or_create(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def _box(rt: Runtime) -> Fernet:
    from cryptography.fernet import Fernet

    box = rt.tools.secret_box
    if box is None:
        path = key_path(rt)
        if path is not None:
            key = _load_or_create(path)
        else:
            digest = hashlib.sha256(f"lambda-emulator:webhook-secrets:{rt.seed}".encode()).digest()
            key = base64.urlsafe_b64encode(digest)
        box = Fernet(key)
        rt.tools.secret_box = box
    return box


def encrypt(rt: Runtime, secret: str) -> str:
    return _box(rt).encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(rt: Runtime, token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _box(rt).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        where = key_path(rt)
        hint = f"the key file {where}" if where else "the key derived from --seed"
        raise SecretUnreadable(
            f"the webhook's secret cannot be decrypted with {hint} (state from another "
            "emulator, or a lost key file?); set it again with PATCH /v1/webhooks/{id}"
        ) from exc
