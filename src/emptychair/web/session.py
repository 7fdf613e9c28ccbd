"""Signed session cookies and CSRF tokens for the dashboard.

The session cookie holds the account name and a CSRF token, signed (not encrypted: it holds no
secret) with a key made when the server starts, so sessions end when it stops. It is HttpOnly,
SameSite=Strict, and Secure when the page is served over HTTPS. Every form carries the CSRF token,
and a form without the right one is refused.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "emptychair_session"
LOGIN_COOKIE = "emptychair_login"
SESSION_HOURS = 8


@dataclass(frozen=True)
class Session:
    """A logged-in account and the CSRF token of its forms."""

    account: str
    csrf: str


class SessionSigner:
    """Signs and reads session and pre-login cookies."""

    def __init__(self, key: str | None = None) -> None:
        self._serializer = URLSafeTimedSerializer(key or secrets.token_urlsafe(32), "dashboard")

    def new_session(self, account: str) -> str:
        return self._serializer.dumps({"account": account, "csrf": secrets.token_urlsafe(24)})

    def read_session(self, cookie: str | None) -> Session | None:
        data = self._load(cookie, SESSION_HOURS * 3600)
        if not isinstance(data, dict) or not {"account", "csrf"} <= set(data):
            return None
        return Session(str(data["account"]), str(data["csrf"]))

    def new_login(self) -> tuple[str, str]:
        """A CSRF token for the login form and the cookie that proves it."""
        token = secrets.token_urlsafe(24)
        return token, self._serializer.dumps({"login": token})

    def login_token(self, cookie: str | None) -> str | None:
        data = self._load(cookie, 3600)
        return str(data["login"]) if isinstance(data, dict) and "login" in data else None

    def _load(self, cookie: str | None, max_age: int) -> object:
        if not cookie:
            return None
        try:
            return self._serializer.loads(cookie, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens; False when either is missing."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
