"""The quarantine: rows that failed validation, kept with their reasons until fixed.

Two kinds of tables hold it: ``_quarantine`` (one row per problem: file, row, column,
value, reason) and ``_quarantine_<table>`` (each bad source row as text, so it can be
exported, fixed and retried). Re-importing the same file replaces its entries
instead of adding duplicates; loading a row with the same key resolves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import NotFoundError
from emptychair.ingest.validate import error_column

if TYPE_CHECKING:
    from emptychair.ingest.service import Source
from emptychair.schema import TableSchema
from emptychair.workspace import Workspace
from emptychair.workspace.internal import quarantine_table_name

OPEN, RESOLVED, DISMISSED = "open", "resolved", "dismissed"


def error_rows(
    checked: ir.Table,
    problems: ir.Table,
    bad: ir.Table,
    raw_bad: ir.Table,
    schema: TableSchema,
    any_bad: bool = True,
) -> ir.Table:
    """One row per problem: ``row_number``, ``column_name``, ``value`` (as read), ``reason``.

    ``raw_bad`` is :func:`raw_rows`, stored: the bad rows as read, as text.
    """
    if not any_bad:
        return ibis.memtable(
            pd.DataFrame(
                {
                    "row_number": pd.Series([], dtype="int64"),
                    "column_name": pd.Series([], dtype="string"),
                    "value": pd.Series([], dtype="string"),
                    "reason": pd.Series([], dtype="string"),
                }
            )
        )
    flagged = checked.semi_join(bad, "_row")
    parts = []
    for column in schema.column_names:
        reason = flagged[error_column(column)]
        own = flagged.filter(reason.notnull()).select(
            row_number=flagged["_row"], column_name=ibis.literal(column), reason=reason
        )
        other = problems.filter(problems["column_name"] == column).select(
            row_number=problems["_row"], column_name=problems["column_name"], reason="reason"
        )
        found = own.union(other)
        raw = raw_bad.select(_r=raw_bad["_row"], value=raw_bad[column])
        found = found.left_join(raw, found["row_number"] == raw["_r"]).drop("_r")
        parts.append(found.select("row_number", "column_name", "value", "reason"))
    return ibis.union(*parts)


def raw_rows(mapped: ir.Table, bad: ir.Table, schema: TableSchema) -> ir.Table:
    """The bad rows as read, every canonical column as text (absent ones null)."""
    rows = mapped.semi_join(bad, "_row")
    return rows.select(
        "_row",
        **{
            c: rows[c].cast("string") if c in rows.columns else ibis.null().cast("string")
            for c in schema.column_names
        },
    )


def replace_open(
    workspace: Workspace,
    schema: TableSchema,
    mapped: ir.Table,
    raw_bad: ir.Table,
    errors: ir.Table,
    rejects: pd.DataFrame,
    source: Source,
    batch_id: str,
    kind: str,
) -> None:
    """Write this batch's quarantine, replacing earlier entries for the same file's rows.

    An import replaces every entry of its file; a retry (``mapped`` holds the rows
    it re-checked) replaces the entries of those rows only.
    """
    engine = workspace.engine
    rows_table = quarantine_table_name(schema.name)
    if kind == "import":
        this_file = ibis.memtable(
            pd.DataFrame({"file_hash": [source.file_hash], "table_name": [schema.name]})
        )
        engine.delete_matching(
            rows_table, this_file.select(_file_hash=this_file["file_hash"]), ["_file_hash"]
        )
        engine.delete_matching("_quarantine", this_file, ["file_hash", "table_name"])
    else:
        rows = mapped.select(file_hash=ibis.literal(source.file_hash), row_number=mapped["_row"])
        engine.delete_matching(
            rows_table,
            rows.select(_file_hash=rows["file_hash"], _row=rows["row_number"]),
            ["_file_hash", "_row"],
        )
        engine.delete_matching("_quarantine", rows, ["file_hash", "row_number"])
    _insert_raw_rows(workspace, schema, raw_bad, source, batch_id)
    _insert_problems(workspace, schema, errors, source, batch_id)
    if len(rejects):
        _insert_rejects(workspace, schema, rejects, source, batch_id)


def _insert_raw_rows(
    workspace: Workspace, schema: TableSchema, raw: ir.Table, source: Source, batch_id: str
) -> None:
    rows_table = quarantine_table_name(schema.name)
    stored = workspace.table(rows_table).schema()
    workspace.engine.insert(
        rows_table,
        raw.select(
            _batch_id=ibis.literal(batch_id),
            _source_file=ibis.literal(source.file),
            _file_hash=ibis.literal(source.file_hash),
            _row=raw["_row"],
            **{c: raw[c] for c in schema.column_names},
            _status=ibis.literal(OPEN),
            _resolved_batch_id=ibis.null().cast("string"),
        ).cast(stored),
    )


def _insert_problems(
    workspace: Workspace, schema: TableSchema, errors: ir.Table, source: Source, batch_id: str
) -> None:
    problem_rows = errors.select(
        batch_id=ibis.literal(batch_id),
        table_name=ibis.literal(schema.name),
        source_file=ibis.literal(source.file),
        file_hash=ibis.literal(source.file_hash),
        row_number=errors["row_number"],
        column_name=errors["column_name"],
        value=errors["value"],
        reason=errors["reason"],
    )
    workspace.engine.insert(
        "_quarantine", problem_rows.cast(workspace.table("_quarantine").schema())
    )


def _insert_rejects(
    workspace: Workspace, schema: TableSchema, rejects: pd.DataFrame, source: Source, batch_id: str
) -> None:
    frame = pd.DataFrame(
        {
            "batch_id": batch_id,
            "table_name": schema.name,
            "source_file": source.file,
            "file_hash": source.file_hash,
            "row_number": rejects["row"].astype("int64"),
            "column_name": None,
            "value": rejects["value"].astype("string"),
            "reason": "unreadable line: " + rejects["reason"].astype("string"),
        }
    )
    workspace.engine.insert(
        "_quarantine", ibis.memtable(frame).cast(workspace.table("_quarantine").schema())
    )


def resolve_loaded(
    workspace: Workspace, schema: TableSchema, loaded: ir.Table, batch_id: str
) -> None:
    """Mark open quarantined rows resolved when a row with their key has now been loaded."""
    if schema.name == "consents":
        return  # consent keys include a timestamp whose text form varies: resolved by retry only
    stored = workspace.table(quarantine_table_name(schema.name))
    # rows quarantined by this very batch (e.g. duplicates of a loaded key) stay open
    open_rows = stored.filter((stored["_status"] == OPEN) & (stored["_batch_id"] != batch_id))
    keys = loaded.select(*(loaded[k].cast("string").name(k) for k in schema.key))
    matched = open_rows.semi_join(keys, list(schema.key))
    if int(workspace.engine.execute(matched.count())):
        _close(workspace, schema.name, matched, RESOLVED, batch_id)


def _close(
    workspace: Workspace, table: str, rows: ir.Table, status: str, batch_id: str | None
) -> None:
    """Give quarantined ``rows`` a closing status and drop their open problems."""
    engine = workspace.engine
    rows_table = quarantine_table_name(table)
    stored = workspace.table(rows_table).schema()
    closing = engine.create_table("_closing_now", rows, temp=True, overwrite=True)
    engine.delete_matching(rows_table, closing, ["_file_hash", "_row"])
    engine.insert(
        rows_table,
        closing.mutate(
            _status=ibis.literal(status),
            _resolved_batch_id=ibis.literal(batch_id, type="string"),
        ).cast(stored),
    )
    problems = closing.select(file_hash=closing["_file_hash"], row_number=closing["_row"])
    engine.delete_matching("_quarantine", problems, ["file_hash", "row_number"])
    engine.drop_table("_closing_now")


def resolve_rows(
    workspace: Workspace, schema: TableSchema, rows: pd.DataFrame, batch_id: str
) -> None:
    """Record retried rows that loaded as resolved (``rows``: ``_file_hash``, ``_row`` and text)."""
    if rows.empty:
        return
    stored = workspace.table(quarantine_table_name(schema.name)).schema()
    frame = rows.assign(_status=RESOLVED, _resolved_batch_id=batch_id).reindex(columns=stored.names)
    workspace.engine.insert(quarantine_table_name(schema.name), ibis.memtable(frame).cast(stored))


def dismiss(workspace: Workspace, batch_id: str) -> int:
    """Close every open problem of one batch without loading it; returns how many rows.

    For rows that will never load (a test file, a line that cannot be repaired), or
    that were loaded since from a corrected file with another name.
    """
    engine = workspace.engine
    problems = workspace.table("_quarantine")
    mine = problems.filter(problems["batch_id"] == batch_id)
    count = int(engine.execute(mine["row_number"].nunique()))
    if not count:
        raise NotFoundError(f"no open quarantined problems in batch {batch_id!r}")
    table = str(engine.execute(mine["table_name"].min()))
    stored = workspace.table(quarantine_table_name(table))
    rows = stored.filter((stored["_batch_id"] == batch_id) & (stored["_status"] == OPEN))
    with engine.transaction():
        _close(workspace, table, rows, DISMISSED, None)
        # unreadable lines have problems but no stored row
        engine.delete_matching("_quarantine", mine, ["batch_id"])
    return count


def open_problems(workspace: Workspace, table: str | None = None) -> ir.Table:
    """Every open problem, oldest file first."""
    problems = workspace.table("_quarantine")
    if table:
        problems = problems.filter(problems["table_name"] == table)
    return problems.order_by(["batch_id", "row_number", "column_name"])


def summary(workspace: Workspace) -> pd.DataFrame:
    """Open problems per table and file: how many rows, and the most common reason."""
    problems = workspace.table("_quarantine")
    grouped = problems.group_by(["table_name", "source_file", "batch_id"]).aggregate(
        rows=problems["row_number"].nunique(),
        problems=problems.count(),
        first_row=problems["row_number"].min(),
        reason=problems["reason"].mode(),
    )
    return workspace.to_pandas(grouped.order_by("batch_id"))
