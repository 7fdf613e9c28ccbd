"""Re-submitting quarantined rows: as they are, or fixed in an exported file."""

from __future__ import annotations

import json
import time
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import ImportFileError, NotFoundError
from emptychair.ingest import quarantine
from emptychair.ingest.export import unescape_cell, write_csv
from emptychair.ingest.files import prepare
from emptychair.ingest.result import ImportResult
from emptychair.ingest.service import Source, validate_and_load
from emptychair.schema import get_table
from emptychair.workspace import Workspace
from emptychair.workspace.internal import quarantine_table_name

KEY_COLUMNS = ["_file_hash", "_row"]


def open_rows(workspace: Workspace, table: str, batch_id: str | None = None) -> pd.DataFrame:
    """Quarantined source rows of ``table`` that are still open, as text."""
    rows = workspace.table(quarantine_table_name(get_table(table).name))
    rows = rows.filter(rows["_status"] == quarantine.OPEN)
    if batch_id:
        rows = rows.filter(rows["_batch_id"] == batch_id)
    return workspace.to_pandas(rows.order_by(["_batch_id", "_row"]))


def export_open_rows(workspace: Workspace, table: str, path: Path) -> int:
    """Write the open rows of ``table`` with their problems, ready to fix in a spreadsheet."""
    schema = get_table(table)
    rows = open_rows(workspace, table)
    problems = workspace.to_pandas(quarantine.open_problems(workspace, table))
    reasons = (
        problems.assign(text=problems["column_name"].fillna("line") + ": " + problems["reason"])
        .groupby(["file_hash", "row_number"])["text"]
        .agg("; ".join)
    )
    rows["_problems"] = [
        reasons.get((h, r), "") for h, r in zip(rows["_file_hash"], rows["_row"], strict=True)
    ]
    columns = ["_file_hash", "_row", "_source_file", *schema.column_names, "_problems"]
    write_csv(rows[columns], path)
    return len(rows)


def retry(
    workspace: Workspace,
    table: str,
    *,
    batch_id: str | None = None,
    fixed_file: Path | None = None,
    create_missing_customers: bool | None = None,
) -> list[ImportResult]:
    """Validate open quarantined rows again and load those that now pass.

    With ``fixed_file`` (a file written by :func:`export_open_rows`, edited), the
    rows it holds replace the quarantined ones before checking.
    """
    schema = get_table(table)
    if create_missing_customers is None:
        create_missing_customers = workspace.settings.imports.create_missing_customers
    rows = open_rows(workspace, table, batch_id)
    if fixed_file is not None:
        rows = _apply_fixes(rows, fixed_file, schema.column_names)
    if rows.empty:
        raise NotFoundError(
            f"no open quarantined rows for {table}" + (f" in batch {batch_id}" if batch_id else "")
        )
    results = []
    for file_hash, group in rows.groupby("_file_hash", sort=False):
        group = group.reset_index(drop=True)
        frame = group[["_row", *schema.column_names]].astype(
            dict.fromkeys(schema.column_names, "string")
        )
        mapped = ibis.memtable(frame)
        source = Source(
            file=str(group["_source_file"].iloc[0]),
            file_hash=str(file_hash),
            file_format="quarantine",
            columns=_provided_columns(workspace, str(group["_batch_id"].iloc[0])),
        )
        started = time.perf_counter()

        def resolve(loaded: ir.Table, batch: str, group: pd.DataFrame = group) -> None:
            numbers = set(workspace.to_pandas(loaded)["_row"].tolist())
            good = group[group["_row"].isin(numbers)]
            quarantine.resolve_rows(workspace, schema, good, batch)

        result = validate_and_load(
            workspace,
            schema,
            mapped,
            source,
            create_missing_customers=create_missing_customers,
            kind="retry",
            after_load=resolve,
        )
        result.seconds = time.perf_counter() - started
        results.append(result)
    return results


def _provided_columns(workspace: Workspace, batch_id: str) -> set[str] | None:
    """The canonical columns the file behind a batch provided (so a retry keeps the others)."""
    batches = workspace.table("_batches")
    found = workspace.to_pandas(
        batches.filter(batches["batch_id"] == batch_id).select("parameters")
    )
    if found.empty or not isinstance(found["parameters"].iloc[0], str):
        return None
    parameters = json.loads(found["parameters"].iloc[0])
    if parameters.get("columns") is not None:
        return set(parameters["columns"])
    mapping = parameters.get("mapping") or {}
    return set(mapping.values()) or None


def _apply_fixes(rows: pd.DataFrame, path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    prepared = prepare(path, "csv")
    try:
        fixed = pd.read_csv(
            prepared.readable,
            dtype=str,
            sep=prepared.delimiter,
            encoding="utf-8-sig",
            keep_default_na=False,
        )
    except (ValueError, pd.errors.ParserError) as error:
        raise ImportFileError(f"{path}: cannot be read as CSV: {error}") from None
    finally:
        prepared.cleanup()
    missing = [c for c in KEY_COLUMNS if c not in fixed.columns]
    if missing:
        raise ImportFileError(
            f"{path}: needs the columns {', '.join(missing)} written by `quarantine export`"
        )
    fixed["_row"] = pd.to_numeric(fixed["_row"], errors="raise").astype("int64")
    for column in columns:
        if column in fixed.columns:
            fixed[column] = fixed[column].map(unescape_cell).replace("", None)
    keep = [c for c in ["_file_hash", "_row", *columns] if c in fixed.columns]
    merged = rows.merge(fixed[keep], on=KEY_COLUMNS, how="inner", suffixes=("_old", ""))
    if merged.empty:
        raise ImportFileError(f"{path}: none of its rows is an open quarantined row")
    for column in columns:
        if f"{column}_old" in merged.columns:
            merged = merged.drop(columns=f"{column}_old")
    return merged
