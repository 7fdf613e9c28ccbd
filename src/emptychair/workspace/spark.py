"""The Spark engine: the same Ibis expressions, run as Spark jobs.

Spark has no multi-statement transactions: each write replaces whole tables, which
is atomic per table. Reading files on the cluster is planned; tables can be created
from data frames or from expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ibis
import ibis.expr.types as ir

from emptychair.workspace.engine import Engine


class SparkEngine(Engine):
    """Tables in a Spark session's catalogue."""

    name = "pyspark"

    def __init__(self, session: Any) -> None:
        self.session = session
        self.backend = ibis.pyspark.connect(session)

    def create_table(
        self,
        name: str,
        obj: ir.Table | ibis.Schema,
        *,
        temp: bool = False,
        overwrite: bool = False,
        on_progress: Callable[[float], None] | None = None,
    ) -> ir.Table:
        if isinstance(obj, ibis.Schema):
            return self.backend.create_table(name, schema=obj, temp=temp, overwrite=overwrite)
        return self.backend.create_table(name, obj, temp=temp, overwrite=overwrite)

    def insert(self, name: str, expr: ir.Table) -> None:
        current = self.backend.table(name)
        combined = current.union(expr.select(*current.columns).cast(current.schema()))
        self._replace(name, combined)

    def delete_matching(self, name: str, keys: ir.Table, key_columns: Sequence[str]) -> None:
        current = self.backend.table(name)
        kept = current.anti_join(keys.select(*key_columns), list(key_columns))
        self._replace(name, kept)

    def append_arrow(self, name: str, rows: Any) -> None:
        """Append an Arrow table with the stored table's columns (exact types, nulls kept)."""
        schema = self.session.table(name).schema
        self.session.createDataFrame(rows, schema=schema).write.mode("append").saveAsTable(name)

    def _replace(self, name: str, expr: ir.Table) -> None:
        # Spark cannot overwrite a table it is reading from: materialise first.
        schema = self.session.table(name).schema
        rows = self.backend.to_pyarrow(expr)
        frame = self.session.createDataFrame(rows, schema=schema)
        frame.write.mode("overwrite").saveAsTable(name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def drop_table(self, name: str) -> None:
        self.backend.drop_table(name, force=True)
