"""Tokens, roles and the access-log filter, on small cases."""

from __future__ import annotations

import hashlib
import logging

import pytest

from emptychair import Workspace
from emptychair.accounts import Role, add_account, authenticate, disable_account, new_token
from emptychair.accounts.tokens import hash_token, issue_token, matches, token_prefix
from emptychair.api.logs import DropQueryStrings
from emptychair.errors import InvalidParameterError


def test_a_token_is_random_prefixed_and_stored_as_its_sha256() -> None:
    first, second = issue_token(), issue_token()
    assert first.token != second.token
    assert first.token.startswith(f"ec_{first.prefix}_")
    assert token_prefix(first.token) == first.prefix
    assert first.token_hash == hashlib.sha256(first.token.encode()).hexdigest()
    assert first.token not in first.token_hash
    assert matches(first.token, first.token_hash)
    assert not matches(second.token, first.token_hash)
    assert hash_token(first.token) == first.token_hash


@pytest.mark.parametrize(
    "text", ["", "ec_", "ec_12345678", "ec_12345678_", "xx_12345678_abc", "ec_ZZZZZZZZ_abc"]
)
def test_malformed_tokens_have_no_prefix(text: str) -> None:
    assert token_prefix(text) is None


def test_roles_are_ordered_and_only_admins_see_personal_data() -> None:
    assert Role.ADMIN.allows(Role.ANALYST) and Role.ANALYST.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.ANALYST) and not Role.ANALYST.allows(Role.ADMIN)
    assert [r.sees_personal_data for r in Role] == [False, False, True]
    assert Role.parse(" Analyst ") is Role.ANALYST
    with pytest.raises(InvalidParameterError, match="viewer, analyst, admin"):
        Role.parse("boss")


def test_tokens_of_a_disabled_account_stop_working(workspace: Workspace) -> None:
    account, first = add_account(workspace, "sam", Role.ANALYST)
    second = new_token(workspace, "sam")
    assert authenticate(workspace, first) == account
    assert authenticate(workspace, second) == account
    assert authenticate(workspace, first[:-1] + ("A" if first[-1] != "A" else "B")) is None
    disabled = disable_account(workspace, "sam")
    assert disabled.disabled_at is not None
    assert authenticate(workspace, first) is None and authenticate(workspace, second) is None
    assert disable_account(workspace, "sam").disabled_at == disabled.disabled_at


def test_access_log_lines_lose_their_query_string() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/customers?q=jane@example.com", "1.1", 200),
        None,
    )
    assert DropQueryStrings().filter(record)
    assert "jane" not in record.getMessage()
    assert "/customers?…" in record.getMessage()
