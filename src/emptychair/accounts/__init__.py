"""Accounts, API tokens, roles and the audit log."""

from emptychair.accounts.audit import AuditEvent, audit_entries, outcome_of, record
from emptychair.accounts.roles import ROLE_DESCRIPTIONS, ROLES, Role
from emptychair.accounts.tables import ensure_account_tables
from emptychair.accounts.users import (
    Account,
    AccountExistsError,
    add_account,
    authenticate,
    disable_account,
    get_account,
    list_accounts,
    new_token,
)

__all__ = [
    "ROLES",
    "ROLE_DESCRIPTIONS",
    "Account",
    "AccountExistsError",
    "AuditEvent",
    "Role",
    "add_account",
    "audit_entries",
    "authenticate",
    "disable_account",
    "ensure_account_tables",
    "get_account",
    "list_accounts",
    "new_token",
    "outcome_of",
    "record",
]
