"""Building blocks of the canonical data model: column kinds, columns and tables."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a column holds; decides how raw text is parsed and checked."""

    TEXT = "text"
    CATEGORY = "category"
    INTEGER = "integer"
    NUMBER = "number"
    TIMESTAMP = "timestamp"
    DATE = "date"
    BOOLEAN = "boolean"


#: The engine type each kind is stored as.
STORAGE_TYPE: dict[Kind, str] = {
    Kind.TEXT: "string",
    Kind.CATEGORY: "string",
    Kind.INTEGER: "int64",
    Kind.NUMBER: "float64",
    Kind.TIMESTAMP: "timestamp",
    Kind.DATE: "date",
    Kind.BOOLEAN: "boolean",
}


def normalise_label(label: str) -> str:
    """Fold a header or a category label to ``snake_case`` ASCII.

    ``"Date de commande"`` and ``"date_commande "`` both become comparable keys:
    accents are stripped, case is folded and every run of other characters
    becomes one underscore.
    """
    decomposed = unicodedata.normalize("NFKD", label)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", ascii_only.lower()).strip("_")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name
        Canonical English ``snake_case`` name.
    kind
        How the value is parsed and stored.
    required
        Rows without a value are quarantined.
    pii
        Personal data: masked for roles that may not see it, never logged.
    aliases
        Other headers (French exports included) that map onto this column.
    allowed
        For categories: the canonical values; ``value_aliases`` maps other
        spellings (``magasin``) onto them (``store``).
    minimum, maximum
        Bounds for numbers; values outside are quarantined as absurd.
    pattern
        A regular expression a text value must match after normalisation.
    case
        ``"lower"`` or ``"upper"`` to fold text values before checking.
    not_future
        For dates and timestamps: values after now are quarantined.
    references
        Name of the table whose key this column must exist in.
    """

    name: str
    kind: Kind
    description: str = ""
    required: bool = False
    pii: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    value_aliases: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    case: str | None = None
    not_future: bool = True
    references: str | None = None

    @property
    def storage_type(self) -> str:
        return STORAGE_TYPE[self.kind]

    def canonical_value(self, raw: str) -> str | None:
        """The allowed value a raw category label stands for, if any."""
        if raw in self.allowed:
            return raw
        key = normalise_label(raw)
        if key in self.allowed:
            return key
        return self.value_aliases.get(key)


@dataclass(frozen=True)
class TableSchema:
    """A canonical table: its columns, natural key and row-level rules."""

    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    #: Pairs ``(earlier, later)`` of timestamp columns that must be ordered.
    ordered: tuple[tuple[str, str], ...] = ()
    #: Groups of columns of which at least one must have a value.
    one_of: tuple[tuple[str, ...], ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def pii(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.pii)

    @property
    def foreign_keys(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.references)
