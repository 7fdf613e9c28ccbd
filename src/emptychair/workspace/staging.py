"""Exposing a source file to DuckDB as a table with spreadsheet row numbers.

A Parquet file is not copied: the staged table is a view over DuckDB's reader, which
numbers rows itself. A CSV or JSON-lines file is read once, in parallel, into a
temporary table (spilled to disk past the memory limit) whose row ids give the row
numbers, skipping the lines the reader could not split. Text cells come out trimmed,
with empty cells as null.
"""

from __future__ import annotations

import csv as csv_module
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from emptychair.errors import ImportFileError, WorkspaceError

if TYPE_CHECKING:
    from emptychair.workspace.engine import CsvOptions, DuckDBEngine, StagedFile


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def unique_names(header: list[str]) -> list[str]:
    """Header names made unique (``a, a`` becomes ``a, a_2``); empty ones get a name."""
    seen: dict[str, int] = {}
    names = []
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"column_{position}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        names.append(name if count == 1 else f"{name}_{count}")
    return names


def csv_header(path: Path, csv: CsvOptions) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv_module.reader(handle, delimiter=csv.delimiter, quotechar=csv.quote)
        header = next(reader, [])
    return unique_names(header)


def _reader(engine: DuckDBEngine, path: Path, fmt: str, csv: CsvOptions) -> str:
    location = literal(str(path))
    if fmt == "csv":
        spec = ", ".join(f"{literal(c)}: 'VARCHAR'" for c in csv_header(path, csv))
        return (
            f"read_csv({location}, header=false, skip=1, auto_detect=false, "
            f"delim={literal(csv.delimiter)}, quote={literal(csv.quote)}, "
            f"escape={literal(csv.quote)}, encoding='utf-8', columns={{{spec}}}, "
            "store_rejects=true)"
        )
    if fmt == "parquet":
        return f"read_parquet({location}, file_row_number=true)"
    if fmt == "jsonl":
        return f"read_json({location}, format='newline_delimited', sample_size=-1)"
    raise WorkspaceError(f"unknown file format {fmt!r}")


def file_columns(engine: DuckDBEngine, path: Path, fmt: str, csv: CsvOptions) -> list[str]:
    if fmt == "csv":
        return csv_header(path, csv)
    try:
        relation = engine.raw.sql(f"DESCRIBE SELECT * FROM {_reader(engine, path, fmt, csv)}")
    except Exception as error:  # DuckDB's own message says what is wrong with the file
        raise ImportFileError(f"{path}: cannot be read as {fmt}: {error}") from None
    return [row[0] for row in relation.fetchall() if row[0] != "file_row_number"]


def _clean(column: str, dtype: str) -> str:
    """SQL for a trimmed text cell, empty as null; other types pass through."""
    name = quote(column)
    if dtype != "VARCHAR":
        return name
    # prefix/suffix tests are several times cheaper than a regular expression
    padded = " OR ".join(
        f"{test}({name}, {char})"
        for char in ("' '", "chr(9)", "chr(160)")
        for test in ("prefix", "suffix")
    )
    blanks = "' ' || chr(9) || chr(10) || chr(13) || chr(160)"
    return (
        f"CASE WHEN {padded} THEN nullif(trim({name}, {blanks}), '') "
        f"ELSE nullif({name}, '') END AS {name}"
    )


def _types(engine: DuckDBEngine, source: str) -> list[tuple[str, str]]:
    rows = engine.raw.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def stage_file(
    engine: DuckDBEngine,
    path: Path,
    fmt: str,
    csv: CsvOptions,
    name: str,
    on_progress: Callable[[float], None] | None = None,
) -> StagedFile:
    from emptychair.workspace.engine import StagedFile

    table = quote(name)
    reader = _reader(engine, path, fmt, csv)
    empty = pd.DataFrame(
        {"row": pd.Series([], dtype="int64"), "reason": pd.Series([], dtype="string")}
    )
    if fmt == "parquet":
        columns = [(c, t) for c, t in _types(engine, reader) if c != "file_row_number"]
        cleaned = ", ".join(_clean(c, t) for c, t in columns)
        engine.sql(
            f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT "
            f"(file_row_number + 1)::BIGINT AS _row, {cleaned} FROM {reader}"
        )
        return StagedFile(engine.backend.table(name), empty, clean=True)
    columns = _types(engine, reader)
    cleaned = ", ".join(_clean(c, t) for c, t in columns)
    raw = quote(name + "_raw")
    # the row ids of this table are the file's record order: keep it for this statement
    engine.sql("SET preserve_insertion_order = true")
    try:
        engine.run_with_progress(
            f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT {cleaned} FROM {reader}", on_progress
        )
    finally:
        engine.sql("SET preserve_insertion_order = false")
    rejects = empty
    if fmt == "csv":
        rejects = engine.raw.sql(
            "SELECT line::BIGINT AS row, "
            "min(lower(error_type::VARCHAR) || ': ' || error_message) AS reason, "
            "min(csv_line) AS value FROM reject_errors GROUP BY line ORDER BY line"
        ).df()
        _drop_rejects(engine)
    _number_rows(engine, name, rejects["row"].tolist(), first_row=2 if fmt == "csv" else 1)
    return StagedFile(engine.backend.table(name), rejects, clean=True)


def _drop_rejects(engine: DuckDBEngine) -> None:
    engine.sql("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")


def _number_rows(engine: DuckDBEngine, name: str, rejected_rows: list[int], first_row: int) -> None:
    """A view with ``_row``: record k of the table is the k-th row number not rejected.

    Record k skips the i-th rejected row r_i (sorted) when k >= r_i - i - first_row,
    so its row number is k + first_row + (number of such thresholds).
    """
    table, raw, skips = quote(name), quote(name + "_raw"), quote(name + "_skips")
    if not rejected_rows:
        engine.sql(
            f"CREATE OR REPLACE TEMP VIEW {table} AS "
            f"SELECT (rowid + {first_row})::BIGINT AS _row, * FROM {raw}"
        )
        return
    thresholds = ", ".join(
        f"({row - i - first_row}, {i + 1})" for i, row in enumerate(sorted(rejected_rows))
    )
    engine.sql(
        f"CREATE OR REPLACE TEMP TABLE {skips} AS "
        f"SELECT * FROM (VALUES {thresholds}) AS v(threshold, skipped)"
    )
    engine.sql(
        f"CREATE OR REPLACE TEMP VIEW {table} AS "
        f"SELECT (s._k + {first_row} + coalesce(k.skipped, 0))::BIGINT AS _row, "
        f"s.* EXCLUDE (_k) FROM (SELECT rowid AS _k, * FROM {raw}) AS s "
        f"ASOF LEFT JOIN {skips} AS k ON s._k >= k.threshold"
    )


def drop_staged(engine: DuckDBEngine, name: str) -> None:
    engine.sql(f"DROP VIEW IF EXISTS {quote(name)}")
    for suffix in ("_raw", "_skips"):
        engine.sql(f"DROP TABLE IF EXISTS {quote(name + suffix)}")
    _drop_rejects(engine)
