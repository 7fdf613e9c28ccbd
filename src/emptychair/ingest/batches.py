"""What an import records: the batch row, and the problem report it returns."""

from __future__ import annotations

import json

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair._version import __version__
from emptychair.ingest.parse import ParseOptions
from emptychair.ingest.result import ImportResult
from emptychair.workspace import Workspace, utc_now


def error_frame(
    workspace: Workspace, errors: ir.Table, rejects: pd.DataFrame, source_file: str
) -> pd.DataFrame:
    """The first 1,000 problems as a report: file, row, column, value, reason."""
    frame = workspace.to_pandas(errors.order_by(["row_number", "column_name"]).limit(1000))
    frame = frame.rename(columns={"row_number": "row", "column_name": "column"})
    if len(rejects):
        lines = rejects.assign(column=None)[["row", "column", "value", "reason"]]
        frame = pd.concat([lines, frame], ignore_index=True).sort_values("row", kind="stable")
    frame.insert(0, "file", source_file)
    return frame[["file", "row", "column", "value", "reason"]].reset_index(drop=True)


def previous_batch(workspace: Workspace, file_hash: str, table: str) -> str | None:
    """The latest earlier batch that imported the same file (same hash) into ``table``."""
    batches = workspace.table("_batches")
    earlier = batches.filter(
        (batches["file_hash"] == file_hash) & (batches["table_name"] == table)
    ).order_by(ibis.desc("started_at"))
    frame = workspace.to_pandas(earlier.select("batch_id").limit(1))
    return None if frame.empty else str(frame["batch_id"].iloc[0])


def record_batch(
    workspace: Workspace,
    result: ImportResult,
    started_at: object,
    kind: str,
    options: ParseOptions,
    provided: set[str] | None,
) -> None:
    """Record the batch: counts, file, hash, library version and parameters."""
    parameters = json.dumps(
        {
            "columns": sorted(provided) if provided is not None else None,
            "mapping": result.mapping,
            "ignored": result.ignored_columns,
            "day_first": options.day_first,
            "encoding": result.encoding,
            "delimiter": result.delimiter,
        },
        ensure_ascii=False,
    )
    row = ibis.memtable(
        pd.DataFrame(
            [
                {
                    "batch_id": result.batch_id,
                    "kind": kind,
                    "table_name": result.table,
                    "source_file": result.file,
                    "file_hash": result.file_hash,
                    "started_at": started_at,
                    "finished_at": utc_now(),
                    "library_version": __version__,
                    "rows_read": result.rows_read,
                    "rows_loaded": result.rows_loaded,
                    "rows_updated": result.rows_updated,
                    "rows_unchanged": result.rows_unchanged,
                    "rows_quarantined": result.rows_quarantined,
                    "parameters": parameters,
                    "status": "committed",
                }
            ]
        )
    )
    workspace.engine.insert("_batches", row.cast(workspace.table("_batches").schema()))
