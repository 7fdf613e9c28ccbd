"""Raw values to typed ones: numbers, dates, categories, booleans, text checks."""

from __future__ import annotations

from datetime import datetime

import ibis
import pandas as pd
import pytest

from emptychair.ingest.parse import ParseOptions, fold_label, parse_column
from emptychair.schema import TABLES, normalise_label

NOW = datetime(2026, 11, 23, 12, 0)
con = ibis.duckdb.connect()


def run(table: str, column: str, values: list[object], **options: object) -> pd.DataFrame:
    col = TABLES[table].column(column)
    raw = ibis.memtable(pd.DataFrame({"raw": pd.Series(values, dtype=object)}))
    value, error = parse_column(col, raw["raw"], ParseOptions(now=NOW, **options))  # type: ignore[arg-type]
    return con.execute(raw.select(value=value, error=error))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", 12.5),
        ("1 234,50", 1234.5),
        ("1\u00a0234,50", 1234.5),
        ("1.234,50", 1234.5),
        ("1,234.50", 1234.5),
        ("49.90", 49.9),
        ("€ 49,90", 49.9),
        ("  7 ", 7.0),
    ],
)
def test_numbers_in_french_and_english_notation(text: str, expected: float) -> None:
    out = run("orders", "amount", [text])
    assert out["value"][0] == pytest.approx(expected)
    assert pd.isna(out["error"][0])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("-3", "negative: must be at least 0"),
        ("9999999", "implausibly large: above 1,000,000"),
        ("", "missing required value"),
        (None, "missing required value"),
    ],
)
def test_bad_amounts_are_explained(text: str | None, reason: str) -> None:
    out = run("orders", "amount", [text])
    assert out["error"][0] == reason


def test_whole_numbers_only_for_integer_columns() -> None:
    out = run("orders", "items", ["3", "2,5", "4.0"])
    assert out["value"].tolist()[0] == 3
    assert out["error"].tolist()[1] == "not a whole number"
    assert out["value"].tolist()[2] == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/01/2024", datetime(2024, 1, 3)),
        ("31/12/2023 14:05", datetime(2023, 12, 31, 14, 5)),
        ("2024-01-05T10:00:00Z", datetime(2024, 1, 5, 10, 0)),
        ("2024-01-05 10:00:07", datetime(2024, 1, 5, 10, 0, 7)),
        ("5.1.2024", datetime(2024, 1, 5)),
        ("05/01/24", datetime(2024, 1, 5)),
        ("2024-1-5 9h30", datetime(2024, 1, 5, 9, 30)),
    ],
)
def test_dates_day_first(text: str, expected: datetime) -> None:
    out = run("orders", "ordered_at", [text])
    assert out["value"][0] == pd.Timestamp(expected)
    assert pd.isna(out["error"][0])


def test_dates_month_first_when_asked() -> None:
    out = run("orders", "ordered_at", ["03/01/2024"], day_first=False)
    assert out["value"][0] == pd.Timestamp(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("30/02/2024", "not a valid date"),
        ("yesterday", "not a valid date"),
        ("2031-01-01", "in the future"),
        ("1899-12-31", "before 1900-01-01"),
    ],
)
def test_bad_dates_are_explained(text: str, reason: str) -> None:
    out = run("orders", "ordered_at", [text])
    assert out["error"][0].startswith(reason)


def test_future_tolerance() -> None:
    out = run("orders", "ordered_at", ["2026-11-23 12:30"], future_tolerance_minutes=60)
    assert pd.isna(out["error"][0])
    out = run("orders", "ordered_at", ["2026-11-23 13:30"], future_tolerance_minutes=60)
    assert out["error"][0] == "in the future"


def test_channel_labels_in_french_map_to_canonical_values() -> None:
    out = run("orders", "channel", ["Magasin", "site web", "Téléphone", "STORE", "fax", None])
    assert out["value"].tolist()[:4] == ["store", "web", "phone", "store"]
    assert out["error"][4].startswith("not one of: web, app, store")
    assert pd.isna(out["value"][5]) and pd.isna(out["error"][5])


def test_booleans_in_french_and_english() -> None:
    out = run("consents", "granted", ["oui", "Non", "TRUE", "0", "peut-être"])
    assert out["value"].tolist()[:4] == [True, False, True, False]
    assert out["error"][4].startswith("not yes/no")


def test_text_patterns_and_case() -> None:
    emails = run("customers", "email", [" Jane@Example.COM ", "not-an-email"])
    assert emails["value"][0] == "jane@example.com"
    assert emails["error"][1] == "not an e-mail address"
    countries = run("customers", "country", ["fr", "France"])
    assert countries["value"][0] == "FR"
    assert countries["error"][1].startswith("not a two-letter country code")


def test_engine_label_folding_matches_python() -> None:
    labels = ["Date de commande", " Téléphone ", "N° client", "e-mail"]
    raw = ibis.memtable({"raw": labels})
    engine = con.execute(raw.select(folded=fold_label(raw["raw"])))["folded"].tolist()
    assert engine == [normalise_label(label) for label in labels]
