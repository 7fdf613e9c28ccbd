"""Mapping a file's headers onto a canonical table's columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from emptychair.errors import MappingError
from emptychair.schema import TableSchema, normalise_label


@dataclass
class HeaderMapping:
    """Which file header feeds which canonical column.

    ``columns`` maps header to canonical column; ``ignored`` lists headers that map
    to nothing (they are not loaded and are reported).
    """

    columns: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    @property
    def canonical(self) -> set[str]:
        return set(self.columns.values())


def parse_map_options(options: Sequence[str]) -> dict[str, str]:
    """``["montant=amount", ...]`` as a dictionary, with a clear error for typos."""
    mapping: dict[str, str] = {}
    for option in options:
        source, separator, target = option.partition("=")
        if not separator or not source.strip() or not target.strip():
            raise MappingError(f"--map {option!r}: expected SOURCE=TARGET, e.g. montant=amount")
        mapping[source.strip()] = target.strip()
    return mapping


def map_headers(
    headers: Sequence[str],
    table: TableSchema,
    explicit: Mapping[str, str] | None = None,
    source: str = "the file",
) -> HeaderMapping:
    """Match headers to columns: explicit mapping first, then names, then aliases.

    Raises
    ------
    MappingError
        When an explicit mapping names an absent header or an unknown column, when
        two headers map to one column, or when a required column has no header.
    """
    explicit = dict(explicit or {})
    result = HeaderMapping()
    names = set(table.column_names)
    for header, target in explicit.items():
        if header not in headers:
            raise MappingError(
                f"{source}: mapped header {header!r} is not in the file "
                f"(headers: {', '.join(headers)})"
            )
        if target not in names:
            raise MappingError(
                f"{source}: {target!r} is not a column of {table.name} "
                f"(columns: {', '.join(table.column_names)})"
            )
    lookup: dict[str, str] = {}
    for column in table.columns:
        for alias in column.aliases:
            lookup.setdefault(normalise_label(alias), column.name)
    for column in table.columns:
        lookup[normalise_label(column.name)] = column.name
    for header in headers:
        found = explicit.get(header) or lookup.get(normalise_label(header))
        if found is None:
            result.ignored.append(header)
            continue
        target = found
        already = [h for h, t in result.columns.items() if t == target]
        if already:
            if header in explicit and already[0] not in explicit:
                del result.columns[already[0]]
                result.ignored.append(already[0])
            elif already[0] in explicit:
                result.ignored.append(header)
                continue
            else:
                raise MappingError(
                    f"{source}: headers {already[0]!r} and {header!r} both map to "
                    f"{table.name}.{target}; choose one with --map {header}={target} or rename one"
                )
        result.columns[header] = target
    missing = [c for c in table.required if c not in result.canonical]
    if missing:
        raise MappingError(
            f"{source}: missing required column(s) for {table.name}: {', '.join(missing)}. "
            f"Headers found: {', '.join(headers) or '(none)'}. "
            f"Map one with --map HEADER={missing[0]}"
        )
    return result
