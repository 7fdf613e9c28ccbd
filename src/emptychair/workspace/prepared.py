"""Prepared queries: an Ibis expression compiled once, then run with bound values.

Building and compiling an Ibis expression costs milliseconds of Python; a page that reads
one customer runs the same few queries over and over with a different id. A
:class:`QueryTemplate` is such a query: an expression with named parameters, strings or
lists of strings (``ibis.param("string")``, ``ibis.param("array<string>")``). The DuckDB
engine compiles it once per database, with each parameter as a placeholder
(``$customer``), and runs it with the values bound by the database (never pasted into
the SQL), on the calling thread's connection. Other engines build the expression and run
it with the values substituted, as before.

A template should select its columns by name: its compiled SQL then stays valid while
tables are rewritten (imports, identity resolution, erasure) or gain columns.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import WorkspaceError

if TYPE_CHECKING:
    from emptychair.workspace.engine import DuckDBEngine


@dataclass(frozen=True)
class QueryTemplate:
    """An Ibis table expression and its named parameters.

    Attributes
    ----------
    expr
        The query.
    params
        Parameter name to the ``ibis.param("string")`` (or ``"array<string>"``) that
        the expression uses.
    """

    expr: ir.Table
    params: Mapping[str, ir.Scalar]

    def bind(self, values: Mapping[str, Any]) -> dict[ir.Scalar, Any]:
        """The Ibis ``params`` mapping for ``values`` (every parameter, no other name)."""
        _check_values(self.params, values)
        return {self.params[name]: value for name, value in values.items()}


def _check_values(names: Iterable[str], values: Mapping[str, Any]) -> None:
    if set(values) != set(names):
        raise WorkspaceError(
            f"a prepared query takes the values {sorted(names)}, not {sorted(values)}"
        )


@dataclass(frozen=True)
class CompiledQuery:
    """SQL with ``$name`` placeholders and the Ibis schema of its result."""

    sql: str
    schema: ibis.Schema
    params: tuple[str, ...]


def compile_template(engine: DuckDBEngine, template: QueryTemplate) -> CompiledQuery:
    """Compile ``template`` for DuckDB, each parameter as a ``$name`` placeholder."""
    import sqlglot.expressions as sge

    # Compile with a unique marker as each value, then put placeholders where they are.
    markers: dict[str, str] = {}
    values: dict[ir.Scalar, Any] = {}
    for name, param in template.params.items():
        dtype = param.type()
        is_list = dtype.is_array() and dtype.value_type.is_string()
        if not name.isidentifier() or not (dtype.is_string() or is_list):
            raise WorkspaceError(
                f"prepared query parameter {name!r}: only string and list-of-string "
                "parameters with identifier names can be bound"
            )
        marker = f"emptychair-param-{secrets.token_hex(8)}"
        markers[marker] = name
        values[param] = [marker] if is_list else marker
    tree = engine.backend.compiler.to_sqlglot(template.expr, params=values)

    def marker_of(node: sge.Expression) -> str | None:
        if isinstance(node, sge.Array) and len(node.expressions) == 1:
            node = node.expressions[0]
        if isinstance(node, sge.Literal) and node.is_string and node.this in markers:
            return str(node.this)
        return None

    def placeholder(node: sge.Expression) -> sge.Expression:
        marker = marker_of(node)
        return node if marker is None else sge.Placeholder(this=markers[marker])

    sql = tree.transform(placeholder).sql(dialect=engine.backend.compiler.dialect)
    if any(marker in sql for marker in markers):  # pragma: no cover - a compiler change
        raise WorkspaceError("a prepared query parameter could not be made a placeholder")
    return CompiledQuery(sql=sql, schema=template.expr.schema(), params=tuple(template.params))


def run_compiled(
    engine: DuckDBEngine, query: CompiledQuery, values: Mapping[str, Any]
) -> pd.DataFrame:
    """Run ``query`` on the engine's connection with ``values`` bound; a data frame with
    the column types the Ibis backend gives the same query."""
    from ibis.backends.duckdb.converter import DuckDBPandasData

    _check_values(query.params, values)
    frame = engine.raw.execute(query.sql, dict(values)).df()
    converted: pd.DataFrame = DuckDBPandasData.convert_table(frame, query.schema)
    return converted


def fetch_rows(
    engine: DuckDBEngine, query: CompiledQuery, values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Run ``query`` with ``values`` bound; each row a dict of Python values."""
    _check_values(query.params, values)
    cursor = engine.raw.execute(query.sql, dict(values))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class PreparedQueries:
    """Compiled queries of one database, shared by its connection and cursors."""

    def __init__(self) -> None:
        self._compiled: dict[Hashable, CompiledQuery] = {}

    def get(
        self, engine: DuckDBEngine, key: Hashable, build: Callable[[], QueryTemplate]
    ) -> CompiledQuery:
        """The compiled query for ``key``; ``build`` is called the first time only."""
        compiled = self._compiled.get(key)
        if compiled is None:
            # two threads may compile the same query at once: both compile the same SQL
            compiled = compile_template(engine, build())
            self._compiled[key] = compiled
        return compiled

    def clear(self) -> None:
        """Forget every compiled query (after tables changed their columns)."""
        self._compiled.clear()
