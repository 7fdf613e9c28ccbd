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

from emptychair.schema import Column, Kind, normalise_label

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
    #: text cells arrive already trimmed, with empty cells as null (staged files)
    clean_input: bool = False


def clean_text(raw: ir.Value, already_clean: bool = False) -> ir.StringValue:
    """Raw value as trimmed text; empty strings become null."""
    if already_clean:
        return raw.cast("string")
    text = raw.cast("string").strip()
    return text.nullif("")


def fold_label(text: ir.StringValue) -> ir.StringValue:
    """Engine-side twin of :func:`emptychair.schema.normalise_label`."""
    lowered = text.lower().translate(ACCENTED, PLAIN)
    return lowered.re_replace(r"[^a-z0-9]+", "_").re_replace(r"^_+|_+$", "")


def parse_number(raw: ir.Value, already_clean: bool = False) -> ir.FloatingValue:
    """Numbers with a decimal point or comma, thousands separators and currency signs."""
    if raw.type().is_numeric():
        return raw.cast("float64")
    plain = clean_text(raw, already_clean)
    simple = plain.re_search(r"^[+-]?[0-9]{1,15}([.][0-9]{1,15})?$")
    text = plain.re_replace("[\\s\u00a0\u202f€$£%]", "")
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
    slow = ibis.ifelse(numeric, normalised.try_cast("float64"), ibis.null().cast("float64"))
    # plain numbers (most cells) skip the regular expressions above
    return ibis.cases((simple, plain.try_cast("float64")), else_=slow)


def _two_digit(part: ir.StringValue) -> ir.StringValue:
    return part.nullif("").fill_null("0").lpad(2, "0")


def parse_timestamp(raw: ir.Value, options: ParseOptions) -> ir.TimestampValue:
    """Timestamps written ``yyyy-mm-dd[ HH:MM[:SS]]`` or ``dd/mm/yyyy[ HH:MM[:SS]]``.

    Plain ISO values take the engine's own cast; only the others go through the
    regular expressions. Time-zone offsets are dropped: times are kept as written.
    """
    if raw.type().is_temporal():
        return raw.cast("timestamp")
    text = clean_text(raw, options.clean_input)
    # yyyy-mm-dd[ HH:MM[:SS]] (no offset): the engine's own cast
    iso_like = (text.substr(4, 1) == "-") & text.length().between(10, 19)
    fast = ibis.ifelse(iso_like, text.try_cast("timestamp"), ibis.null().cast("timestamp"))
    iso = text.re_search(_ISO_DATE)
    first, second = (1, 2) if options.day_first else (2, 1)
    # dd/mm/yyyy[ HH:MM[:SS]] written in full (most spreadsheet exports): cut, don't match
    day, month = (text.substr(0, 2), text.substr(3, 2))
    if not options.day_first:
        day, month = month, day
    padded = text.substr(6, 4) + "-" + month + "-" + day + text.substr(10)
    full_width = text.re_search(r"^\d\d[/.-]\d\d[/.-]\d{4}( \d\d:\d\d(:\d\d)?)?$")

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
    slow = ibis.ifelse(iso | text.re_search(_NUMERIC_DATE), rebuilt.try_cast("timestamp"), None)
    return ibis.cases(
        (fast.notnull(), fast),
        (full_width, padded.try_cast("timestamp")),
        else_=slow.cast("timestamp"),
    ).cast("timestamp")


def parse_boolean(raw: ir.Value, already_clean: bool = False) -> ir.BooleanValue:
    if raw.type().is_boolean():
        return raw.cast("boolean")
    label = fold_label(clean_text(raw, already_clean))
    return ibis.cases(
        (label.isin(TRUE_WORDS), True), (label.isin(FALSE_WORDS), False), else_=ibis.null()
    ).cast("boolean")


def parse_category(column: Column, raw: ir.Value, already_clean: bool = False) -> ir.StringValue:
    """Category labels mapped onto the allowed values (``Magasin`` becomes ``store``)."""
    text = clean_text(raw, already_clean)
    mapping = {value: value for value in column.allowed}
    mapping.update(column.value_aliases)
    mapped = fold_label(text).substitute(mapping, else_=ibis.null().cast("string"))
    symbols = {k: v for k, v in column.value_aliases.items() if normalise_label(k) != k}
    if symbols:
        mapped = ibis.coalesce(text.substitute(symbols, else_=ibis.null().cast("string")), mapped)
    if column.allowed:
        # values already canonical (most cells) skip the label folding
        return ibis.cases((text.isin(column.allowed), text), else_=mapped)
    folded = _fold_case(column, ibis.coalesce(mapped, text))
    if column.pattern is None:
        return folded
    # values already in the expected form (most cells) skip the mapping
    return ibis.cases((text.re_search(column.pattern), text), else_=folded)


def _fold_case(column: Column, text: ir.StringValue) -> ir.StringValue:
    if column.case == "lower":
        return text.lower()
    if column.case == "upper":
        return text.upper()
    return text


def parse_value(column: Column, raw: ir.Value, options: ParseOptions) -> ir.Value:
    """The typed value of one raw column (null where it cannot be read).

    Integers are returned as floats here; :func:`value_error` checks they are whole.
    """
    clean = options.clean_input
    if column.kind in (Kind.NUMBER, Kind.INTEGER):
        return parse_number(raw, clean)
    if column.kind in (Kind.TIMESTAMP, Kind.DATE):
        return parse_timestamp(raw, options)
    if column.kind is Kind.BOOLEAN:
        return parse_boolean(raw, clean)
    if column.kind is Kind.CATEGORY:
        return parse_category(column, raw, clean)
    return _fold_case(column, clean_text(raw, clean))


def unreadable_reason(column: Column, options: ParseOptions) -> str | None:
    """What to say when a present raw value gave no typed value."""
    if column.kind in (Kind.NUMBER, Kind.INTEGER):
        return "not a number"
    if column.kind in (Kind.TIMESTAMP, Kind.DATE):
        order = "dd/mm/yyyy" if options.day_first else "mm/dd/yyyy"
        return f"not a valid date (expected {order} or yyyy-mm-dd, optionally with HH:MM)"
    if column.kind is Kind.BOOLEAN:
        return "not yes/no (true/false, oui/non, 1/0)"
    if column.kind is Kind.CATEGORY and column.allowed:
        return "not one of: " + ", ".join(column.allowed)
    return None


def value_error(
    column: Column, value: ir.Value, present: ir.BooleanValue, options: ParseOptions
) -> tuple[ir.Value, ir.StringValue]:
    """The final typed value and the first problem with it (null when there is none).

    ``value`` is what :func:`parse_value` gave; ``present`` says whether the raw
    cell held anything. Cheap comparisons only: the parsing is already done.
    """
    none = ibis.null().cast("string")
    checks: list[tuple[ir.BooleanValue, str]] = []
    if column.required:
        checks.append((~present, "missing required value"))
    unreadable = unreadable_reason(column, options)
    if unreadable is not None:
        checks.append((present & value.isnull(), unreadable))
    if column.kind is Kind.INTEGER:
        whole = value == value.floor()
        checks.append((value.notnull() & ~whole, "not a whole number"))
        value = ibis.ifelse(whole, value.cast("int64"), ibis.null().cast("int64"))
    if column.pattern is not None:
        hint = _PATTERN_HINTS.get(column.name, f"not a valid {column.name}")
        checks.append((value.notnull() & ~value.re_search(column.pattern), hint))
    checks.extend(_bounds(column, value, options))
    if column.kind is Kind.DATE:
        value = value.cast("date")
    if not checks:
        return value, none
    return value, ibis.cases(*checks, else_=none)


def parse_column(
    column: Column, raw: ir.Value, options: ParseOptions
) -> tuple[ir.Value, ir.StringValue]:
    """Typed value and first error for one column, in one step (for small data and tests)."""
    present = clean_text(raw).notnull()
    return value_error(column, parse_value(column, raw, options), present, options)


def _bounds(
    column: Column, value: ir.Value, options: ParseOptions
) -> list[tuple[ir.BooleanValue, str]]:
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
        latest = ibis.literal(options.now.replace(microsecond=0)) + ibis.interval(
            minutes=options.future_tolerance_minutes
        )
        if column.not_future:
            checks.append((value > latest, "in the future"))
        checks.append(
            (value < ibis.literal(options.earliest), f"before {options.earliest:%Y-%m-%d}")
        )
    return checks
