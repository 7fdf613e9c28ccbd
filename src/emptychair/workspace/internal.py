"""Schemas of the tables the workspace keeps for itself: batches, quarantine, identity links.

Every canonical row carries ``_batch_id`` and ``_loaded_at``; ``_batches`` says, for
each batch, what was written, when, from which file and by which library version.
"""

from __future__ import annotations

import ibis

from emptychair.schema import TABLES, TableSchema

ROW_METADATA = {"_batch_id": "string", "_loaded_at": "timestamp"}


def canonical_schema(table: TableSchema) -> ibis.Schema:
    """The stored schema of a canonical table: typed columns, then row metadata."""
    columns = {c.name: c.storage_type for c in table.columns}
    return ibis.schema({**columns, **ROW_METADATA})


def quarantine_table_name(table: str) -> str:
    return f"_quarantine_{table}"


def quarantine_rows_schema(table: TableSchema) -> ibis.Schema:
    """Quarantined source rows of one table, kept as text so they can be fixed and retried."""
    columns = dict.fromkeys(table.column_names, "string")
    return ibis.schema(
        {
            "_batch_id": "string",
            "_source_file": "string",
            "_file_hash": "string",
            "_row": "int64",
            **columns,
            "_status": "string",
            "_resolved_batch_id": "string",
        }
    )


BATCHES = ibis.schema(
    {
        "batch_id": "string",
        "kind": "string",
        "table_name": "string",
        "source_file": "string",
        "file_hash": "string",
        "started_at": "timestamp",
        "finished_at": "timestamp",
        "library_version": "string",
        "rows_read": "int64",
        "rows_loaded": "int64",
        "rows_updated": "int64",
        "rows_unchanged": "int64",
        "rows_quarantined": "int64",
        "parameters": "string",
        "status": "string",
    }
)

QUARANTINE = ibis.schema(
    {
        "batch_id": "string",
        "table_name": "string",
        "source_file": "string",
        "file_hash": "string",
        "row_number": "int64",
        "column_name": "string",
        "value": "string",
        "reason": "string",
    }
)

CUSTOMER_LINKS = ibis.schema(
    {
        "customer_id": "string",
        "golden_id": "string",
        "rule": "string",
        "linked_to": "string",
        "batch_id": "string",
        "linked_at": "timestamp",
    }
)

IDENTITY_EXCLUSIONS = ibis.schema(
    {
        "customer_id": "string",
        "batch_id": "string",
        "recorded_at": "timestamp",
    }
)

INTERNAL_TABLES: dict[str, ibis.Schema] = {
    "_batches": BATCHES,
    "_quarantine": QUARANTINE,
    "_customer_links": CUSTOMER_LINKS,
    "_identity_exclusions": IDENTITY_EXCLUSIONS,
    **{quarantine_table_name(name): quarantine_rows_schema(t) for name, t in TABLES.items()},
}
