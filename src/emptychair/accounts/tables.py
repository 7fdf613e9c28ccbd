"""The internal tables of accounts, tokens and the audit log, created on first use.

They live in the workspace database beside ``_batches``; nothing in them is customer
personal data (account names are staff names, tokens are stored as hashes only).
"""

from __future__ import annotations

import ibis

from emptychair.workspace import Workspace

ACCOUNTS = "_accounts"
TOKENS = "_api_tokens"
AUDIT = "_audit_log"

ACCOUNTS_SCHEMA = ibis.schema(
    {
        "name": "string",
        "role": "string",
        "created_at": "timestamp",
        "disabled_at": "timestamp",
    }
)
TOKENS_SCHEMA = ibis.schema(
    {
        "prefix": "string",
        "token_hash": "string",
        "account": "string",
        "created_at": "timestamp",
        "revoked_at": "timestamp",
    }
)
AUDIT_SCHEMA = ibis.schema(
    {
        "at": "timestamp",
        "account": "string",
        "role": "string",
        "action": "string",
        "resource": "string",
        "customer_id": "string",
        "outcome": "string",
        "status": "int64",
        "detail": "string",
    }
)

ACCOUNT_TABLES: dict[str, ibis.Schema] = {
    ACCOUNTS: ACCOUNTS_SCHEMA,
    TOKENS: TOKENS_SCHEMA,
    AUDIT: AUDIT_SCHEMA,
}


def ensure_account_tables(workspace: Workspace) -> None:
    """Create the accounts, tokens and audit tables if the workspace lacks them."""
    engine = workspace.engine
    for name, schema in ACCOUNT_TABLES.items():
        if not engine.has_table(name):
            engine.create_table(name, schema)
