"""Accounts: add, list, disable, issue tokens, and find the account behind a token.

Accounts and tokens live in internal workspace tables (see :mod:`.tables`). A disabled
account keeps its row (the audit log refers to it) and loses every token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import ibis
import pandas as pd

from emptychair.accounts.roles import Role
from emptychair.accounts.tables import (
    ACCOUNTS,
    ACCOUNTS_SCHEMA,
    TOKENS,
    TOKENS_SCHEMA,
    ensure_account_tables,
)
from emptychair.accounts.tokens import issue_token, matches, token_prefix
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.workspace import Workspace, utc_now

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountExistsError(InvalidParameterError):
    """An account name that is already taken."""


@dataclass(frozen=True)
class Account:
    """A person or a system that calls the API.

    Attributes
    ----------
    name
        The account name (letters, digits, ``.``, ``_``, ``@``, ``-``).
    role
        What the account may see and do.
    created_at, disabled_at
        When it was created and, if so, disabled (UTC).
    """

    name: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def _check_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise InvalidParameterError(
            f"account name {name!r}: use 1 to 64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def _append(workspace: Workspace, table: str, schema: ibis.Schema, rows: list[dict]) -> None:
    frame = pd.DataFrame(rows, columns=list(schema.names))
    workspace.engine.insert(table, ibis.memtable(frame).cast(schema))


def _account_rows(workspace: Workspace, name: str | None = None) -> pd.DataFrame:
    if workspace.read_only and not workspace.engine.has_table(ACCOUNTS):
        return pd.DataFrame(columns=list(ACCOUNTS_SCHEMA.names))
    ensure_account_tables(workspace)
    accounts = workspace.table(ACCOUNTS)
    if name is not None:
        accounts = accounts.filter(accounts["name"] == name)
    return workspace.to_pandas(accounts.order_by("name"))


def _account(row: pd.Series) -> Account:
    disabled = row["disabled_at"]
    return Account(
        name=str(row["name"]),
        role=Role(row["role"]),
        created_at=pd.Timestamp(row["created_at"]).to_pydatetime(),
        disabled_at=None if pd.isna(disabled) else pd.Timestamp(disabled).to_pydatetime(),
    )


def get_account(workspace: Workspace, name: str) -> Account:
    """The account called ``name``."""
    rows = _account_rows(workspace, name)
    if rows.empty:
        raise NotFoundError(f"no account named {name!r}: see `emptychair user list`")
    return _account(rows.iloc[0])


def list_accounts(workspace: Workspace) -> pd.DataFrame:
    """Every account with its role, dates and number of active tokens."""
    accounts = _account_rows(workspace)
    if accounts.empty:
        columns = ["name", "role", "created_at", "disabled_at", "active_tokens", "prefixes"]
        return pd.DataFrame(columns=columns)
    tokens = workspace.table(TOKENS)
    live = tokens.filter(tokens["revoked_at"].isnull())
    active = workspace.to_pandas(
        live.group_by("account").aggregate(
            active_tokens=live.count(), prefixes=live["prefix"].collect()
        )
    )
    merged = accounts.merge(active, how="left", left_on="name", right_on="account")
    merged["active_tokens"] = merged["active_tokens"].fillna(0).astype(int)
    merged["prefixes"] = merged["prefixes"].map(
        lambda p: (
            ", ".join(sorted(p)) if isinstance(p, list | tuple) or hasattr(p, "tolist") else ""
        )
    )
    return merged[["name", "role", "created_at", "disabled_at", "active_tokens", "prefixes"]]


def add_account(workspace: Workspace, name: str, role: Role | str) -> tuple[Account, str]:
    """Create an account and its first token.

    Returns
    -------
    The account and the token, which is shown this once and stored only as a hash.
    """
    chosen = role if isinstance(role, Role) else Role.parse(role)
    _check_name(name)
    if not _account_rows(workspace, name).empty:
        raise AccountExistsError(f"an account named {name!r} already exists")
    now = utc_now()
    row = {"name": name, "role": chosen.value, "created_at": now, "disabled_at": None}
    with workspace.engine.transaction():
        _append(workspace, ACCOUNTS, ACCOUNTS_SCHEMA, [row])
        token = _store_token(workspace, name, now)
    return Account(name, chosen, now), token


def _store_token(workspace: Workspace, name: str, now: datetime) -> str:
    issued = issue_token()
    row = {
        "prefix": issued.prefix,
        "token_hash": issued.token_hash,
        "account": name,
        "created_at": now,
        "revoked_at": None,
    }
    _append(workspace, TOKENS, TOKENS_SCHEMA, [row])
    return issued.token


def new_token(workspace: Workspace, name: str) -> str:
    """A further token for an active account (earlier tokens stay valid)."""
    account = get_account(workspace, name)
    if not account.active:
        raise InvalidParameterError(f"account {name!r} is disabled: it cannot get a token")
    return _store_token(workspace, name, utc_now())


def disable_account(workspace: Workspace, name: str) -> Account:
    """Disable an account and revoke all its tokens; disabling twice changes nothing."""
    account = get_account(workspace, name)
    if not account.active:
        return account
    now = utc_now()
    tokens = workspace.table(TOKENS)
    live = workspace.to_pandas(
        tokens.filter((tokens["account"] == name) & tokens["revoked_at"].isnull())
    )
    key = ibis.memtable(pd.DataFrame({"name": [name]}))
    with workspace.engine.transaction():
        workspace.engine.delete_matching(ACCOUNTS, key, ["name"])
        disabled = {
            "name": name,
            "role": account.role.value,
            "created_at": account.created_at,
            "disabled_at": now,
        }
        _append(workspace, ACCOUNTS, ACCOUNTS_SCHEMA, [disabled])
        if len(live):
            prefixes = ibis.memtable(live[["prefix"]])
            workspace.engine.delete_matching(TOKENS, prefixes, ["prefix"])
            revoked = live.assign(revoked_at=now).to_dict("records")
            _append(workspace, TOKENS, TOKENS_SCHEMA, revoked)
    return Account(name, account.role, account.created_at, now)


def authenticate(workspace: Workspace, token: str) -> Account | None:
    """The active account owning ``token``, or ``None`` (unknown, revoked or disabled)."""
    prefix = token_prefix(token)
    if prefix is None or not workspace.engine.has_table(TOKENS):
        return None
    tokens = workspace.table(TOKENS)
    found = tokens.filter((tokens["prefix"] == prefix) & tokens["revoked_at"].isnull())
    accounts = workspace.table(ACCOUNTS)
    active = accounts.filter(accounts["disabled_at"].isnull()).select(
        "name", "role", account_created_at=accounts["created_at"]
    )
    joined = found.select("account", "token_hash").inner_join(
        active, found["account"] == active["name"]
    )
    rows = workspace.to_pandas(joined.select("token_hash", "name", "role", "account_created_at"))
    for row in rows.to_dict("records"):
        if matches(token, row["token_hash"]):
            created = pd.Timestamp(row["account_created_at"]).to_pydatetime()
            return Account(str(row["name"]), Role(row["role"]), created)
    return None
