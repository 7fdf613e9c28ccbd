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
from emptychair.workspace import Workspace, utc_now
from emptychair.workspace.internal import quarantine_table_name

OPEN, RESOLVED, DISMISSED = "open", "resolved", "dismissed"


def error_rows(
    checked: ir.Table,
    problems: ir.Table,
    bad: ir.Table,
    mapped: ir.Table,
    schema: TableSchema,
    any_bad: bool = True,
) -> ir.Table:
    """One row per problem: ``row_number``, ``column_name``, ``value`` (as read), ``reason``."""
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
    raw_bad = mapped.semi_join(bad, "_row")
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
        if column in raw_bad.columns:
            raw = raw_bad.select(_r=raw_bad["_row"], value=raw_bad[column].cast("string"))
            found = found.left_join(raw, found["row_number"] == raw["_r"]).drop("_r")
        else:
            found = found.mutate(value=ibis.null().cast("string"))
        parts.append(found.select("row_number", "column_name", "value", "reason"))
    return ibis.union(*parts)


def _raw_rows(mapped: ir.Table, bad: ir.Table, schema: TableSchema) -> ir.Table:
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
    bad: ir.Table,
    errors: ir.Table,
    rejects: pd.DataFrame,
    source: Source,
    batch_id: str,
    kind: str,
    any_bad: bool = True,
) -> None:
    """Write this batch's quarantine, replacing earlier entries for the same file's rows."""
    engine = workspace.engine
    file_hash = source.file_hash
    rows_table = quarantine_table_name(schema.name)
    scope = mapped.select(_file_hash=ibis.literal(file_hash), _row=mapped["_row"])
    if len(rejects):
        lines = ibis.memtable(
            pd.DataFrame({"_file_hash": file_hash, "_row": rejects["row"].astype("int64")})
        )
        scope = scope.union(lines)
    if kind == "import":
        # a new import of a file replaces every entry of that file
        scope = ibis.memtable(pd.DataFrame({"_file_hash": [file_hash]}))
        engine.delete_matching(rows_table, scope, ["_file_hash"])
        problems = workspace.table("_quarantine")
        same_file = problems.filter(
            (problems["file_hash"] == file_hash) & (problems["table_name"] == schema.name)
        )
        engine.delete_matching("_quarantine", same_file, ["file_hash", "table_name"])
    else:
        # a retry replaces the entries of the rows it re-checked
        engine.delete_matching(rows_table, scope, ["_file_hash", "_row"])
        problems_scope = scope.select(file_hash=scope["_file_hash"], row_number=scope["_row"])
        engine.delete_matching("_quarantine", problems_scope, ["file_hash", "row_number"])
    if any_bad:
        _insert_raw_rows(workspace, schema, mapped, bad, source, batch_id)
    if any_bad:
        _insert_problems(workspace, schema, errors, source, batch_id)
    if len(rejects):
        _insert_rejects(workspace, schema, rejects, source, batch_id)


def _insert_raw_rows(
    workspace: Workspace,
    schema: TableSchema,
    mapped: ir.Table,
    bad: ir.Table,
    source: Source,
    batch_id: str,
) -> None:
    rows_table = quarantine_table_name(schema.name)
    raw = _raw_rows(mapped, bad, schema)
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
    rows_table = quarantine_table_name(schema.name)
    stored = workspace.table(rows_table)
    # rows quarantined by this very batch (e.g. duplicates of a loaded key) stay open
    open_rows = stored.filter((stored["_status"] == OPEN) & (stored["_batch_id"] != batch_id))
    keys = loaded.select(*(loaded[k].cast("string").name(k) for k in schema.key))
    if schema.name == "consents":
        return  # consent keys include a timestamp whose text form varies: resolved by retry only
    matched = open_rows.semi_join(keys, list(schema.key))
    if not int(workspace.engine.execute(matched.count())):
        return
    matched = workspace.engine.create_table("_resolved_now", matched, temp=True, overwrite=True)
    workspace.engine.delete_matching(rows_table, matched, ["_file_hash", "_row"])
    workspace.engine.insert(
        rows_table,
        matched.mutate(
            _status=ibis.literal(RESOLVED), _resolved_batch_id=ibis.literal(batch_id)
        ).cast(stored.schema()),
    )
    problems = matched.select(file_hash=matched["_file_hash"], row_number=matched["_row"])
    workspace.engine.delete_matching("_quarantine", problems, ["file_hash", "row_number"])
    workspace.engine.drop_table("_resolved_now")


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
    rows_table = quarantine_table_name(table)
    stored = workspace.table(rows_table)
    rows = stored.filter((stored["_batch_id"] == batch_id) & (stored["_status"] == OPEN))
    with engine.transaction():
        kept = engine.create_table("_dismissed_now", rows, temp=True, overwrite=True)
        engine.delete_matching(rows_table, kept, ["_file_hash", "_row"])
        engine.insert(
            rows_table,
            kept.mutate(_status=ibis.literal(DISMISSED)).cast(stored.schema()),
        )
        engine.delete_matching("_quarantine", mine, ["batch_id"])
        engine.drop_table("_dismissed_now")
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


def stamp_now() -> object:
    return utc_now()
