"""Read an RFM summary the user already has (CSV, Parquet or JSON lines) for fitting.

Many analysts arrive with exactly this table (``frequency``, ``recency``, ``T``,
``monetary_value``), exported from another tool. The file is read the way imports read
files: any encoding, ``;`` or ``,`` separators, decimal commas. Rows keep the number of
their line in the file, so errors point at the line to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from emptychair.errors import ImportFileError, MappingError
from emptychair.ingest.files import prepare


def read_summary(path: Path, mapping: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The summary in ``path`` with columns renamed by ``mapping`` (file column → model
    column, as ``--map`` of the imports); the index is the line number in the file for
    CSV, the row number (from 1) otherwise."""
    prepared = prepare(path)
    try:
        if prepared.format == "parquet":
            frame = pd.read_parquet(prepared.readable)
            frame.index = frame.index + 1
        elif prepared.format == "jsonl":
            frame = pd.read_json(prepared.readable, lines=True)
            frame.index = frame.index + 1
        else:
            frame = pd.read_csv(prepared.readable, sep=prepared.delimiter, dtype=str)
            frame = frame.apply(_numbers)
            frame.index = frame.index + 2  # line 1 is the header
    except (ValueError, OSError) as error:
        raise ImportFileError(f"{path}: cannot be read as {prepared.format}: {error}") from None
    finally:
        prepared.cleanup()
    frame.columns = [str(name).strip() for name in frame.columns]
    if mapping:
        unknown = [source for source in mapping if source not in frame.columns]
        if unknown:
            raise MappingError(
                f"{path}: no column {', '.join(map(repr, unknown))} to map "
                f"(columns: {', '.join(frame.columns)})"
            )
        frame = frame.rename(columns=dict(mapping))
    return frame


def _numbers(column: pd.Series) -> pd.Series:
    """Numbers written with a decimal comma or spaces as thousands separators."""
    text = column.str.strip().str.replace("\u00a0", "", regex=False).str.replace(" ", "")
    converted = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    if converted.notna().sum() == column.notna().sum():
        return converted
    return column
