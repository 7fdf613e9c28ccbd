"""Writing tables for spreadsheets without letting cells run as formulas.

A cell such as ``=HYPERLINK("http://evil", "click")`` is data, not a formula: when a
text cell starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, it is
written with a leading apostrophe, which spreadsheets show as text. Numbers are left
alone. :func:`unescape_cell` undoes it when such a file comes back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+[.,]?\d*|[.,]\d+)([eE][+-]?\d+)?$")


def escape_cell(value: object) -> object:
    """``value`` made safe for a spreadsheet cell."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.match(value.strip()):
        return value
    return "'" + value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    escaped = frame.copy()
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(escape_cell)
    return escaped


def write_csv(frame: pd.DataFrame, path: Path, *, delimiter: str = ",") -> Path:
    """Write ``frame`` as UTF-8 CSV (with a byte-order mark, for Excel), formulas escaped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    escape_frame(frame).to_csv(path, index=False, sep=delimiter, encoding="utf-8-sig")
    return path


def unescape_cell(value: object) -> object:
    """The inverse of :func:`escape_cell`, for cells read back from such a file."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
