"""Turning raw values into typed ones, in the engine.

Each parser takes a raw column (text from CSV, or typed from Parquet / JSON) and
returns ``(value, error)``: the typed value, and a reason string where the raw value
could not be read (null when it could). Only portable Ibis operations are used, so
the same parsing runs on DuckDB and on Spark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import ibis
import ibis.expr.types as ir

from emptychair.schema import Column, Kind

ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoa"

TRUE_WORDS = ("true", "1", "yes", "y", "oui", "o", "vrai", "t", "opt_in", "optin", "granted")
FALSE_WORDS = ("false", "0", "no", "n", "non", "faux", "f", "opt_out", "optout", "withdrawn")

_ISO_DATE = (
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC_DATE = (
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?$"
)
_PATTERN_HINTS = {
    "email": "not an e-mail address",
    "phone": "not a phone number",
    "country": "not a two-letter country code (FR, BE, ...)",
    "currency": "not a three-letter currency code (EUR, USD, ...)",
    "language": "not a two-letter language code (fr, en, ...)",
}


@dataclass(frozen=True)
class ParseOptions:
    """How ambiguous raw values are read, and the limits of plausible dates.

    ``day_first`` reads ``03/04/2024`` as 3 April (French and most of Europe);
    ``False`` reads it as March 4 (US exports).
    """

    now: datetime
    day_first: bool = True
    future_tolerance_minutes: int = 60
    earliest: datetime = datetime(1900, 1, 1)


def clean_text(raw: ir.Value) -> ir.StringValue:
    """Raw value as trimmed text; empty strings become null."""
    text = raw.cast("string").strip()
    return text.nullif("")


def fold_label(text: ir.StringValue) -> ir.StringValue:
    """Engine-side twin of :func:`emptychair.schema.normalise_label`."""
    lowered = text.lower().translate(ACCENTED, PLAIN)
    return lowered.re_replace(r"[^a-z0-9]+", "_").re_replace(r"^_+|_+$", "")


def parse_number(raw: ir.Value) -> tuple[ir.FloatingValue, ir.StringValue]:
    """Numbers with a decimal point or comma, thousands separators and currency signs."""
    if raw.type().is_numeric():
        value = raw.cast("float64")
        return value, ibis.null().cast("string")
    text = clean_text(raw).re_replace("[\\s\u00a0\u202f€$£%]", "")
    us_style = text.re_search(r"^[+-]?\d{1,3}(,\d{3})*\.\d+$") | text.re_search(
        r"^[+-]?\d{1,3}(,\d{3}){2,}$"
    )
    european = text.re_search(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
    normalised = ibis.cases(
        (us_style, text.replace(",", "")),
        (european, text.replace(".", "").replace(",", ".")),
        else_=text.replace(",", "."),
    )
    numeric = normalised.re_search(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$")
    value = ibis.ifelse(numeric, normalised.try_cast("float64"), ibis.null().cast("float64"))
    error = ibis.ifelse(text.notnull() & value.isnull(), "not a number", ibis.null())
    return value, error.cast("string")


def parse_integer(raw: ir.Value) -> tuple[ir.IntegerValue, ir.StringValue]:
    number, error = parse_number(raw)
    whole = number.notnull() & (number == number.floor())
    value = ibis.ifelse(whole, number.cast("int64"), ibis.null().cast("int64"))
    error = ibis.coalesce(
        error, ibis.ifelse(number.notnull() & ~whole, "not a whole number", ibis.null())
    )
    return value, error.cast("string")


def _two_digit(part: ir.StringValue) -> ir.StringValue:
    return part.nullif("").fill_null("0").lpad(2, "0")


def parse_timestamp(
    raw: ir.Value, options: ParseOptions
) -> tuple[ir.TimestampValue, ir.StringValue]:
    """Timestamps written ``yyyy-mm-dd[ HH:MM[:SS]]`` or ``dd/mm/yyyy[ HH:MM[:SS]]``."""
    if raw.type().is_temporal():
        return raw.cast("timestamp"), ibis.null().cast("string")
    text = clean_text(raw)
    iso = text.re_search(_ISO_DATE)
    numeric = text.re_search(_NUMERIC_DATE)
    first, second = (1, 2) if options.day_first else (2, 1)

    def part(index_iso: int, index_numeric: int) -> ir.StringValue:
        return ibis.ifelse(
            iso,
            text.re_extract(_ISO_DATE, index_iso),
            text.re_extract(_NUMERIC_DATE, index_numeric),
        )

    year = part(1, 3)
    year = ibis.cases(
        (year.length() == 2, ibis.ifelse(year.cast("int64") <= 69, "20" + year, "19" + year)),
        else_=year,
    )
    rebuilt = (
        year
        + "-"
        + _two_digit(part(2, second))
        + "-"
        + _two_digit(part(3, first))
        + " "
        + _two_digit(part(4, 4))
        + ":"
        + _two_digit(part(5, 5))
        + ":"
        + _two_digit(part(6, 6))
    )
    value = ibis.ifelse(iso | numeric, rebuilt.try_cast("timestamp"), ibis.null()).cast("timestamp")
    order = "dd/mm/yyyy" if options.day_first else "mm/dd/yyyy"
    error = ibis.ifelse(
        text.notnull() & value.isnull(),
        f"not a valid date (expected {order} or yyyy-mm-dd, optionally with HH:MM)",
        ibis.null(),
    )
    return value, error.cast("string")


def parse_boolean(raw: ir.Value) -> tuple[ir.BooleanValue, ir.StringValue]:
    if raw.type().is_boolean():
        return raw.cast("boolean"), ibis.null().cast("string")
    label = fold_label(clean_text(raw))
    value = ibis.cases(
        (label.isin(TRUE_WORDS), True), (label.isin(FALSE_WORDS), False), else_=ibis.null()
    ).cast("boolean")
    error = ibis.ifelse(
        label.notnull() & value.isnull(), "not yes/no (true/false, oui/non, 1/0)", None
    )
    return value, error.cast("string")


def parse_category(column: Column, raw: ir.Value) -> tuple[ir.StringValue, ir.StringValue]:
    """Category labels mapped onto the allowed values (``Magasin`` becomes ``store``)."""
    text = clean_text(raw)
    label = fold_label(text)
    mapping = {value: value for value in column.allowed}
    mapping.update(column.value_aliases)
    mapped = label.substitute(mapping, else_=ibis.null().cast("string"))
    if column.allowed:
        error = ibis.ifelse(
            text.notnull() & mapped.isnull(),
            "not one of: " + ", ".join(column.allowed),
            ibis.null(),
        )
        return mapped, error.cast("string")
    value = ibis.coalesce(mapped, text)
    return _check_text(column, value)


def parse_text(column: Column, raw: ir.Value) -> tuple[ir.StringValue, ir.StringValue]:
    return _check_text(column, clean_text(raw))


def _check_text(column: Column, text: ir.StringValue) -> tuple[ir.StringValue, ir.StringValue]:
    if column.case == "lower":
        text = text.lower()
    elif column.case == "upper":
        text = text.upper()
    if column.pattern is None:
        return text, ibis.null().cast("string")
    hint = _PATTERN_HINTS.get(column.name, f"not a valid {column.name}")
    error = ibis.ifelse(text.notnull() & ~text.re_search(column.pattern), hint, ibis.null())
    return text, error.cast("string")


def parse_column(
    column: Column, raw: ir.Value, options: ParseOptions
) -> tuple[ir.Value, ir.StringValue]:
    """Typed value and first error for one canonical column."""
    value: ir.Value
    if column.kind is Kind.NUMBER:
        value, error = parse_number(raw)
    elif column.kind is Kind.INTEGER:
        value, error = parse_integer(raw)
    elif column.kind in (Kind.TIMESTAMP, Kind.DATE):
        value, error = parse_timestamp(raw, options)
    elif column.kind is Kind.BOOLEAN:
        value, error = parse_boolean(raw)
    elif column.kind is Kind.CATEGORY:
        value, error = parse_category(column, raw)
    else:
        value, error = parse_text(column, raw)
    error = ibis.coalesce(error, _bounds_error(column, value, options))
    if column.required:
        missing = ibis.ifelse(clean_text(raw).isnull(), "missing required value", ibis.null())
        error = ibis.coalesce(missing.cast("string"), error)
    if column.kind is Kind.DATE:
        value = value.cast("date")
    return value, error.cast("string")


def _bounds_error(column: Column, value: ir.Value, options: ParseOptions) -> ir.StringValue:
    none = ibis.null().cast("string")
    checks: list[tuple[ir.BooleanValue, str]] = []
    if column.kind in (Kind.NUMBER, Kind.INTEGER):
        if column.minimum is not None:
            word = "negative" if column.minimum == 0 else "too small"
            checks.append((value < column.minimum, f"{word}: must be at least {column.minimum:g}"))
        if column.maximum is not None:
            checks.append(
                (value > column.maximum, f"implausibly large: above {column.maximum:,.0f}")
            )
    if column.kind in (Kind.TIMESTAMP, Kind.DATE):
        latest = options.now.replace(microsecond=0)
        tolerance = ibis.interval(minutes=options.future_tolerance_minutes)
        if column.not_future:
            checks.append((value > ibis.literal(latest) + tolerance, "in the future"))
        checks.append(
            (value < ibis.literal(options.earliest), f"before {options.earliest:%Y-%m-%d}")
        )
    if not checks:
        return none
    return ibis.cases(*((condition, reason) for condition, reason in checks), else_=none)
