"""The workspace's privacy secret: the salt of identifier hashes and the key of pseudonyms.

One random 32-byte secret is kept in a file of the workspace folder (never in the
database, so a copy of the tables or an export cannot reverse a hash or a token).
Two keys are derived from it, one per use, so a suppression hash never equals a
pseudonym token of the same value.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from emptychair.errors import WorkspaceError

if TYPE_CHECKING:
    from emptychair.workspace import Workspace

SECRET_FILE = ".emptychair-privacy.key"


def secret_path(workspace: Workspace) -> Path:
    """Where the workspace keeps its privacy secret."""
    return workspace.path / SECRET_FILE


def workspace_secret(workspace: Workspace) -> bytes:
    """The workspace's secret, created (readable by its owner only) on first use."""
    path = secret_path(workspace)
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        try:
            secret = bytes.fromhex(text)
        except ValueError:
            secret = b""
        if len(secret) < 16:
            raise WorkspaceError(
                f"{path}: not a valid privacy secret (expected 64 hexadecimal characters); "
                "restore it from a backup: without it erased persons cannot be recognised"
            )
        return secret
    secret = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret.hex() + "\n")
    return secret


def derived_key(workspace: Workspace, use: str) -> str:
    """A hexadecimal key for one use (``"suppression"``, ``"pseudonym"``)."""
    return hmac.new(workspace_secret(workspace), use.encode(), hashlib.sha256).hexdigest()


def salted_hash(salt: str, value: str) -> str:
    """SHA-256 of ``salt + value``, in hexadecimal (the engine computes the same)."""
    return hashlib.sha256((salt + value).encode("utf-8")).hexdigest()


def keyed_token(key: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under ``key``, shortened to 32 hexadecimal characters."""
    return hmac.new(bytes.fromhex(key), value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
