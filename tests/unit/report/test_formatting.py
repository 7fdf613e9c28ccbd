"""Numbers, money, shares and dates in French and English."""

from __future__ import annotations

from datetime import date

import pytest

from emptychair.errors import InvalidParameterError
from emptychair.report import Formatter

NBSP, NNBSP = "\u00a0", "\u202f"


def test_french_and_english_money() -> None:
    assert Formatter("fr").money(1234.5, 1) == f"1{NNBSP}234,5{NBSP}€"
    assert Formatter("en").money(1234.5, 1) == "€1,234.5"
    assert Formatter("en").money(1234.0) == "€1,234"


def test_numbers_shares_and_dates() -> None:
    fr, en = Formatter("fr"), Formatter("en")
    assert fr.number(1234567.25, 1) == f"1{NNBSP}234{NNBSP}567,2"
    assert en.number(1234567.25, 1) == "1,234,567.2"
    assert fr.share(0.1234, 1) == f"12,3{NBSP}%"
    assert en.share(0.1234) == "12%"
    assert fr.day(date(2025, 12, 31)) == "31 déc. 2025"
    assert en.day("2025-12-31T10:00:00") == "31 Dec 2025"
    assert en.number(float("nan")) == "—"


def test_unknown_language_is_named() -> None:
    with pytest.raises(InvalidParameterError, match="language 'de' is not supported"):
        Formatter("de")
