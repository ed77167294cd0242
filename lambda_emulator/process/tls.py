"""A local certificate authority for ``--tls``, made with trustme.

The CA and the server certificate are written once to a folder (``--tls-dir``, default
``~/.local/share/lambda-emulator/tls``) and reused, so a client configured to trust the CA
bundle keeps working across restarts.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TlsFiles", "default_tls_dir", "ensure_certificates"]


@dataclass(frozen=True)
class TlsFiles:
    """The files of one TLS folder. Their names are fixed, so that the folder alone is what a
    user passes (``--tls-dir``) and what a client's CA bundle path is built from."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def names(self) -> Path:
        """The host names the certificate was issued for, to know when to issue it again."""
        return self.folder / "names.txt"


def default_tls_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lambda-emulator" / "tls"


def _names(host: str) -> list[str]:
    names = ["localhost", "127.0.0.1", "::1"]
    if host not in ("", "0.0.0.0", "::") and host not in names:
        names.append(host)
    return names


def ensure_certificates(folder: Path | None, host: str) -> TlsFiles:
    """The CA and server files in ``folder``, made now if missing or issued for other names.

    Several emulators may start at once on one folder (pytest-xdist workers in TLS mode), so
    the check and the writing happen under an exclusive lock: one makes the files, the others
    then reuse them, and nobody ever reads a CA that does not match the certificate.
    """
    root = folder or default_tls_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure(root, _names(host))


def _ensure(root: Path, names: list[str]) -> TlsFiles:
    files = TlsFiles(root)
    if (
        all(p.exists() for p in (files.ca, files.cert, files.key, files.names))
        and files.names.read_text().split() == names
    ):
        return files
    import trustme

    ca = trustme.CA(organization_name="Lambda Emulator local CA")
    cert = ca.issue_cert(*[_idna(n) for n in names])
    ca.cert_pem.write_to_path(str(files.ca))
    cert.cert_chain_pems[0].write_to_path(str(files.cert))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(files.cert), append=True)
    cert.private_key_pem.write_to_path(str(files.key))
    os.chmod(files.key, 0o600)
    files.names.write_text(" ".join(names))
    return files


def _idna(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name
