"""Data frames and stored runs as JSON-ready records for the API's response models."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from emptychair.api.cache import RunCache
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table


def plain(value: Any) -> Any:
    """A cell as a JSON-ready value: NaN and NaT as None, timestamps as ISO text."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return plain(value.tolist()) if not hasattr(value, "item") else plain(value.item())
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Every row of ``frame`` as a dict of plain values."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def run_table(
    workspace: Workspace,
    analysis: str,
    table: str,
    run_id: str | None,
    runs: RunCache | None = None,
) -> tuple[str, ir.Table | None]:
    """The chosen run of ``analysis`` (default: latest) and its rows of ``table``.

    The table is ``None`` when the run stored nothing there (e.g. no complaints); ``runs``
    remembers run ids already resolved.
    """
    if runs is not None:
        chosen = runs.run_id(workspace, analysis, run_id)
    else:
        chosen = str(resolve_run(workspace, analysis, run_id)["run_id"])
    if not workspace.engine.has_table(table):
        return chosen, None
    return chosen, result_table(workspace, table, chosen)


def page_of(
    workspace: Workspace, table: ir.Table, order: list[Any], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``table`` in ``order`` and the number of rows it has."""
    total = int(workspace.engine.execute(table.count()))
    rows = workspace.to_pandas(table.order_by(order).limit(limit, offset=offset))
    return records(rows), total
