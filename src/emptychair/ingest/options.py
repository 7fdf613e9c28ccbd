"""How a file's values are read: the date order (guessed when not given) and the limits."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from emptychair.ingest.parse import _NUMERIC_DATE, ParseOptions, clean_text
from emptychair.schema import Kind, TableSchema
from emptychair.workspace import Workspace, utc_now


def parse_options(
    workspace: Workspace,
    mapped: ir.Table,
    schema: TableSchema,
    day_first: bool | None,
    clean_input: bool = False,
) -> ParseOptions:
    """How to read this file's values: date order (guessed when not given) and limits."""
    settings = workspace.settings.imports
    return ParseOptions(
        now=utc_now(),
        day_first=guess_day_first(workspace, mapped, schema) if day_first is None else day_first,
        future_tolerance_minutes=settings.future_tolerance_minutes,
        earliest=pd.Timestamp(settings.earliest_date).to_pydatetime(),
        clean_input=clean_input,
    )


def guess_day_first(
    workspace: Workspace, mapped: ir.Table, schema: TableSchema, sample: int = 200_000
) -> bool:
    """``False`` only when some date's second part exceeds 12 and no first part does.

    Looks at the first ``sample`` rows, enough for any real export.
    """
    mapped = mapped.limit(sample)
    firsts, seconds = [], []
    for column in schema.columns:
        if column.kind not in (Kind.TIMESTAMP, Kind.DATE) or column.name not in mapped.columns:
            continue
        if not mapped[column.name].type().is_string():
            continue
        text = clean_text(mapped[column.name])
        firsts.append(text.re_extract(_NUMERIC_DATE, 1).nullif("").cast("int64").max())
        seconds.append(text.re_extract(_NUMERIC_DATE, 2).nullif("").cast("int64").max())
    if not firsts:
        return True
    row = workspace.to_pandas(
        mapped.aggregate(
            **{f"f{i}": f for i, f in enumerate(firsts)},
            **{f"s{i}": s for i, s in enumerate(seconds)},
        )
    )
    first_max = max((v for v in row.filter(like="f").iloc[0] if pd.notna(v)), default=0)
    second_max = max((v for v in row.filter(like="s").iloc[0] if pd.notna(v)), default=0)
    return not (second_max > 12 and first_max <= 12)
