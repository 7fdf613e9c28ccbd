"""API tokens: random, shown once, stored as a hash, found by a short public prefix.

A token reads ``ec_<prefix>_<secret>``. The prefix (8 hex characters) is stored in clear
so a token can be recognised in the account list and found without scanning every hash;
the secret is 32 random bytes from :mod:`secrets`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_MARK = "ec"
PREFIX_BYTES = 4
SECRET_BYTES = 32


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is shown to its owner once and never stored."""

    token: str
    prefix: str
    token_hash: str


def hash_token(token: str) -> str:
    """The stored form of a token.

    A single SHA-256 is enough here, unlike for passwords: the token carries 256 bits
    of randomness, so no dictionary or brute-force attack on a leaked hash is feasible,
    and a slow key-derivation function would only slow down every API request.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token() -> IssuedToken:
    """A fresh random token, its public prefix and its hash."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    token = f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return IssuedToken(token, prefix, hash_token(token))


def token_prefix(token: str) -> str | None:
    """The public prefix of a well-formed token, else ``None``."""
    mark, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != TOKEN_MARK or len(prefix) != 2 * PREFIX_BYTES or not secret:
        return None
    if any(ch not in "0123456789abcdef" for ch in prefix):
        return None
    return prefix


def matches(token: str, stored_hash: str) -> bool:
    """Whether ``token`` hashes to ``stored_hash`` (compared in constant time)."""
    return hmac.compare_digest(hash_token(token), stored_hash)
