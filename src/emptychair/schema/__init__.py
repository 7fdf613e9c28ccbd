"""The canonical data model: six tables with declared types, keys and personal-data flags."""

from emptychair.errors import UnknownTableError
from emptychair.schema.columns import Column, Kind, TableSchema, normalise_label
from emptychair.schema.tables import TABLES

__all__ = ["TABLES", "Column", "Kind", "TableSchema", "get_table", "normalise_label"]


def get_table(name: str) -> TableSchema:
    """The canonical table called ``name``, or a clear error listing the known ones."""
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(
            f"unknown table {name!r}: choose one of {', '.join(TABLES)}"
        ) from None
