"""Numbers, money, shares and dates as a French or an English reader writes them.

``1 234,5 €`` and ``31 déc. 2025`` in French, ``€1,234.5`` and ``Dec 31, 2025`` in English: the
rules come from the Unicode CLDR through Babel, not from hand-written patterns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from emptychair.errors import InvalidParameterError

LANGUAGES = ("fr", "en")
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def checked_language(language: str) -> str:
    """Return ``language`` when it is "fr" or "en", else raise a clear error."""
    if language not in LANGUAGES:
        raise InvalidParameterError(
            f"language {language!r} is not supported; use one of: {', '.join(LANGUAGES)}"
        )
    return language


@dataclass(frozen=True)
class Formatter:
    """Formats values for one language ("fr" or "en") and one currency."""

    language: str = "en"
    currency: str = "EUR"

    def __post_init__(self) -> None:
        checked_language(self.language)

    @property
    def locale(self) -> str:
        return _LOCALES[self.language]

    def number(self, value: float, decimals: int = 0) -> str:
        """``1 234,5`` / ``1,234.5``; a dash for a missing value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, value: float, decimals: int = 0) -> str:
        """``1 234 €`` / ``€1,234``; ``decimals`` digits at most."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        pattern = f"{pattern}\u00a0¤" if self.language == "fr" else f"¤{pattern}"
        return format_currency(
            value, self.currency, format=pattern, locale=self.locale, currency_digits=False
        )

    def share(self, value: float, decimals: int = 0) -> str:
        """A share of 1 as a percentage: ``12 %`` / ``12%``."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        pattern = Locale.parse(self.locale).percent_formats[None].pattern
        if decimals:
            pattern = pattern.replace("0", "0." + "#" * decimals, 1)
        return format_percent(value, format=pattern, locale=self.locale)

    def day(self, value: date | datetime | str) -> str:
        """``31 déc. 2025`` / ``31 Dec 2025``."""
        when = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return format_date(when, format="medium", locale=self.locale)
