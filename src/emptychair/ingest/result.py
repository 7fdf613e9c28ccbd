"""What an import reports back: counts, where the file went, and the first problems."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from emptychair.schema import get_table


@dataclass
class ImportResult:
    """The outcome of one import (or one quarantine retry).

    ``rows_read`` = ``rows_loaded`` (new) + ``rows_updated`` + ``rows_unchanged`` +
    ``rows_quarantined``. Rows of erased persons (the suppression list) are skipped before
    they are read and counted in ``rows_suppressed``.
    """

    batch_id: str
    table: str
    file: str
    file_hash: str
    file_format: str
    encoding: str
    delimiter: str
    rows_read: int
    rows_loaded: int
    rows_updated: int
    rows_unchanged: int
    rows_quarantined: int
    customers_created: int = 0
    rows_suppressed: int = 0
    seconds: float = 0.0
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previously_imported: str | None = None
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def error_report(self, limit: int = 20) -> pd.DataFrame:
        """The first problems, with personal values masked: file, row, column, value, reason."""
        return mask_personal_values(self.errors.head(limit), self.table)

    def to_dict(self, error_limit: int = 100) -> dict[str, Any]:
        data = asdict(self)
        data.pop("errors")
        data["rows_per_second"] = round(self.rows_per_second)
        data["seconds"] = round(self.seconds, 3)
        report = self.error_report(error_limit)
        data["errors"] = report.astype(object).where(report.notna(), None).to_dict("records")
        return data


def mask_value(value: object) -> object:
    """A personal value shown as its first character only."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value)
    return f"{text[:1]}*** (hidden)"


def mask_personal_values(errors: pd.DataFrame, table: str) -> pd.DataFrame:
    """Hide the values of personal-data columns in an error report."""
    if errors.empty or "column" not in errors.columns:
        return errors
    personal = set(get_table(table).pii)
    masked = errors.copy()
    rows = masked["column"].isin(personal)
    if personal:  # a whole unreadable line may hold personal data
        rows |= masked["column"].isna()
    masked.loc[rows, "value"] = masked.loc[rows, "value"].map(mask_value)
    return masked
