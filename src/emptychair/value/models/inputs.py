"""Model inputs: read summary columns, check them, and compress them to unique rows.

Every model fits on the sufficient statistics of each customer (for BG/NBD: repeat
purchases ``x``, recency ``t_x`` and age ``T``). Customers who share the same values
contribute the same likelihood, so the fit runs on the unique rows with a count each:
a billion orders still fit a model in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emptychair.errors import ModelDataError

#: Anything with named columns: a pandas DataFrame, a pyarrow Table, a dict of arrays.
SummaryData = Any


def summary_columns(data: SummaryData, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Read the named columns of ``data`` as float64 arrays and check them.

    Raises
    ------
    ModelDataError
        When a column is missing, or a value is missing, infinite or negative; the
        message names the column and the first bad row.
    """
    available = _column_names(data)
    missing = [name for name in names if name not in available]
    if missing:
        raise ModelDataError(
            f"the summary has no column {', '.join(repr(m) for m in missing)} "
            f"(it has: {', '.join(map(str, available)) or 'no columns'}); "
            "rename your columns or pass a column mapping"
        )
    columns = {}
    for name in names:
        try:
            values = np.asarray(_column(data, name), dtype=np.float64)
        except (TypeError, ValueError):
            raise ModelDataError(f"column {name!r} holds values that are not numbers") from None
        _check_values(name, values, data)
        columns[name] = values
    return columns


def _column_names(data: SummaryData) -> list[str]:
    if isinstance(data, Mapping):
        return list(data.keys())
    names = getattr(data, "column_names", None)  # pyarrow
    if names is None:
        names = getattr(data, "columns", None)
    if names is None:
        raise ModelDataError(
            f"expected a table with named columns (DataFrame, Arrow table or dict), "
            f"got {type(data).__name__}"
        )
    return [str(name) for name in names]


def _column(data: SummaryData, name: str) -> Any:
    column = data[name]
    if hasattr(column, "to_numpy") and not isinstance(column, pd.Series):
        return column.to_numpy()  # pyarrow ChunkedArray
    return column


def row_label(data: SummaryData, position: int) -> object:
    """How the user knows row ``position``: its DataFrame index label, else its position."""
    index = getattr(data, "index", None)
    if isinstance(index, pd.Index) and len(index) > position:
        return index[position]
    return position


def _check_values(name: str, values: np.ndarray, data: SummaryData = None) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        raise ModelDataError(
            f"column {name!r}, row {row_label(data, row)}: value {values[row]} is missing"
        )
    negative = values < 0
    if negative.any():
        row = int(np.argmax(negative))
        raise ModelDataError(
            f"column {name!r}, row {row_label(data, row)}: value {values[row]:g} is negative; "
            "counts, durations and amounts cannot be"
        )


def check_integer(name: str, values: np.ndarray, data: SummaryData = None) -> None:
    """Raise when a count column holds fractions."""
    fractional = values != np.round(values)
    if fractional.any():
        row = int(np.argmax(fractional))
        raise ModelDataError(
            f"column {name!r}, row {row_label(data, row)}: value {values[row]:g} "
            "is not a whole number"
        )


def check_not_after(
    earlier: str, later: str, columns: Mapping[str, np.ndarray], data: SummaryData = None
) -> None:
    """Raise when ``columns[earlier] > columns[later]`` on some row (e.g. recency > T)."""
    after = columns[earlier] > columns[later] * (1 + 1e-12)
    if after.any():
        row = int(np.argmax(after))
        raise ModelDataError(
            f"row {row_label(data, row)}: {earlier} {columns[earlier][row]:g} is greater than "
            f"{later} {columns[later][row]:g}; both are measured from the first purchase "
            "and recency cannot exceed the customer's age"
        )


def weights_of(data: SummaryData, weights: str | np.ndarray | None, rows: int) -> np.ndarray:
    """Row weights: ones, a column of ``data`` named by ``weights``, or an array."""
    if weights is None:
        return np.ones(rows)
    if isinstance(weights, str):
        values = summary_columns(data, [weights])[weights]
    else:
        values = np.asarray(weights, dtype=np.float64)
        if values.shape != (rows,):
            raise ModelDataError(f"weights have shape {values.shape}, expected ({rows},)")
        _check_values("weights", values)
    return values


@dataclass(frozen=True)
class Compressed:
    """Unique rows of the statistics, the count of customers behind each, and the map back."""

    columns: dict[str, np.ndarray]
    counts: np.ndarray
    inverse: np.ndarray

    @property
    def customers(self) -> float:
        return float(self.counts.sum())


def group_codes(*arrays: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct combinations of values of ``arrays``, row by row.

    Returns the code of each row and the index of the first row of each code. Each
    array is factorised by hashing and the codes are combined into one integer per row,
    factorised again: no lexicographic sort of the whole table is needed.
    """
    combined: np.ndarray | None = None
    for values in arrays:
        codes, uniques = pd.factorize(values, sort=False)
        codes = codes.astype(np.int64)
        if combined is None:
            combined = codes
            continue
        if combined.max(initial=0) > np.iinfo(np.int64).max // max(len(uniques), 1):
            combined = pd.factorize(combined, sort=False)[0].astype(np.int64)
        combined = combined * len(uniques) + codes
    assert combined is not None
    inverse = pd.factorize(combined, sort=False)[0].astype(np.int64)
    # Codes number the rows in order of first appearance, so the first row of each
    # code, in row order, is also in code order.
    first = pd.Series(inverse).drop_duplicates(keep="first").index.to_numpy()
    return inverse, first


def compress(columns: Mapping[str, np.ndarray], weights: np.ndarray) -> Compressed:
    """Group identical rows, summing their weights (rows of weight 0 are dropped)."""
    names = list(columns)
    inverse, first = group_codes(*(columns[name] for name in names))
    counts = np.bincount(inverse, weights=weights, minlength=len(first))
    keep = counts > 0
    if not keep.all():
        remap = np.cumsum(keep) - 1
        inverse = remap[inverse]
        first, counts = first[keep], counts[keep]
    unique = {name: columns[name][first] for name in names}
    return Compressed(unique, counts, inverse)
