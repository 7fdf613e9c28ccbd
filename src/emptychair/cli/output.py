"""Printing for the CLI: Rich tables for people, JSON for scripts."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A data frame as JSON-ready records (ISO dates, nulls as None)."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def print_json(data: Any) -> None:
    if isinstance(data, pd.DataFrame):
        data = records(data)
    print(json.dumps(data, default=_plain, ensure_ascii=False, indent=2))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def print_frame(frame: pd.DataFrame, title: str | None = None, empty: str = "nothing") -> None:
    if frame.empty:
        console.print(f"[dim]{title + ': ' if title else ''}{empty}[/dim]")
        return
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(_cell(v) for v in row))
    console.print(table)


def print_mapping(data: dict[str, Any], title: str | None = None) -> None:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for key, value in data.items():
        table.add_row(
            str(key), _cell(value) if not isinstance(value, list) else ", ".join(map(str, value))
        )
    console.print(table)
