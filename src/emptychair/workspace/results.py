"""Result tables: what an analysis writes, tagged with its run, in one transaction.

Each analysis run gets an id; its tables (``value_customers``, ``value_parameters``...)
hold the rows of every run, with a ``run_id`` column first, so a page, a report and an
API call read the same run. The run itself is recorded in ``_batches`` (kind
``analysis``) with its parameters, time and library version, like every other write.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair._version import __version__
from emptychair.errors import NotFoundError, WorkspaceError

if TYPE_CHECKING:
    from emptychair.workspace.core import Workspace

ANALYSIS_KIND = "analysis"


def write_results(
    workspace: Workspace,
    run_id: str,
    analysis: str,
    tables: Mapping[str, pd.DataFrame | ir.Table],
    *,
    parameters: Mapping[str, Any],
    started_at: datetime,
    rows: int,
) -> None:
    """Append each table (a small frame, or an expression the engine computes) to its
    result table, created on first use, and record the run; all or nothing."""
    from emptychair.workspace.core import utc_now

    engine = workspace.engine
    with engine.transaction():
        for name, content in tables.items():
            source = ibis.memtable(content) if isinstance(content, pd.DataFrame) else content
            tagged = source.select(
                run_id=ibis.literal(run_id), **{c: source[c] for c in source.columns}
            )
            if not engine.has_table(name):
                engine.create_table(name, tagged)
                continue
            stored = engine.table(name).columns
            if list(stored) != list(tagged.columns):
                raise WorkspaceError(
                    f"result table {name!r} has columns {', '.join(stored)}, this version "
                    f"writes {', '.join(tagged.columns)}; drop or rename the old table"
                )
            engine.insert(name, tagged)
        record = {
            "batch_id": run_id,
            "kind": ANALYSIS_KIND,
            "table_name": analysis,
            "source_file": None,
            "file_hash": None,
            "started_at": started_at,
            "finished_at": utc_now(),
            "library_version": __version__,
            "rows_read": rows,
            "rows_loaded": rows,
            "rows_updated": 0,
            "rows_unchanged": 0,
            "rows_quarantined": 0,
            "parameters": json.dumps(parameters, ensure_ascii=False, default=str),
            "status": "committed",
        }
        batches = engine.table("_batches")
        engine.insert("_batches", ibis.memtable(pd.DataFrame([record])).cast(batches.schema()))


def runs(workspace: Workspace, analysis: str) -> pd.DataFrame:
    """The runs of one analysis, newest first."""
    batches = workspace.table("_batches")
    selected = batches.filter(
        (batches.kind == ANALYSIS_KIND) & (batches.table_name == analysis)
    ).order_by(ibis.desc("started_at"))
    return workspace.to_pandas(
        selected.select(
            run_id=selected.batch_id,
            started_at=selected.started_at,
            finished_at=selected.finished_at,
            library_version=selected.library_version,
            customers=selected.rows_loaded,
            parameters=selected.parameters,
        )
    )


def resolve_run(workspace: Workspace, analysis: str, run_id: str | None = None) -> pd.Series:
    """The run ``run_id`` of ``analysis``, or its latest run."""
    history = runs(workspace, analysis)
    if history.empty:
        raise NotFoundError(
            f"no {analysis} results in this workspace yet: run `emptychair {analysis} run`"
        )
    if run_id is None:
        return history.iloc[0]
    match = history[history["run_id"] == run_id]
    if match.empty:
        raise NotFoundError(
            f"no {analysis} run {run_id!r}; runs: {', '.join(history['run_id'].head(5))}"
        )
    return match.iloc[0]


def result_table(workspace: Workspace, name: str, run_id: str) -> ir.Table:
    """The rows of one run in a result table, without the ``run_id`` column."""
    table = workspace.table(name)
    return table.filter(table.run_id == run_id).drop("run_id")


def stored_result(workspace: Workspace, name: str, run_id: str) -> ir.Table | None:
    """The rows of one run in result table ``name``; ``None`` when the table was never made
    (a run with nothing to store there, or an analysis never run)."""
    if not workspace.engine.has_table(name):
        return None
    return result_table(workspace, name, run_id)
