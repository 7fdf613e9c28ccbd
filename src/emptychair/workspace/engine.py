"""Engines: the one place that knows which database holds the tables.

Domain code builds Ibis expressions; an engine materialises them, writes tables and
runs transactions. :class:`DuckDBEngine` is the embedded default; the Spark engine
lives in :mod:`emptychair.workspace.spark`.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import WorkspaceError, WorkspaceLockedError
from emptychair.workspace import staging
from emptychair.workspace.prepared import (
    PreparedQueries,
    QueryTemplate,
    fetch_rows,
    run_compiled,
)
from emptychair.workspace.staging import quote


@dataclass(frozen=True)
class CsvOptions:
    """How to read a delimited text file (already UTF-8)."""

    delimiter: str = ","
    quote: str = '"'


@dataclass
class StagedFile:
    """A file read into a temporary table, one column per header, all as read.

    ``table`` has a ``_row`` column: the spreadsheet row number of each record
    (the header is row 1). ``rejects`` lists records the reader could not split
    into the header's columns (row, line, reason).
    """

    table: ir.Table
    rejects: pd.DataFrame
    #: text cells are already trimmed, with empty ones as null
    clean: bool = False


class Engine(ABC):
    """What the rest of the library may ask of a database."""

    name: str
    backend: Any

    def table(self, name: str) -> ir.Table:
        return self.backend.table(name)

    def has_table(self, name: str) -> bool:
        return name in self.backend.list_tables()

    def execute(self, expr: ir.Expr) -> Any:
        return self.backend.execute(expr)

    def to_pandas(self, expr: ir.Table) -> pd.DataFrame:
        return self.backend.execute(expr)

    def run_prepared(
        self, key: Hashable, build: Callable[[], QueryTemplate], values: Mapping[str, Any]
    ) -> pd.DataFrame:
        """Run the query ``build`` returns with ``values`` bound to its parameters.

        Engines that can keep compiled queries compile ``key`` once and never call
        ``build`` again; this default builds and runs the expression every time.
        """
        template = build()
        result: pd.DataFrame = self.backend.execute(template.expr, params=template.bind(values))
        return result

    def run_prepared_rows(
        self, key: Hashable, build: Callable[[], QueryTemplate], values: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """As :meth:`run_prepared`, each row a dict (missing values as ``None``)."""
        frame = self.run_prepared(key, build, values)
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return [{str(name): value for name, value in row.items()} for row in rows]

    @abstractmethod
    def create_table(
        self,
        name: str,
        obj: ir.Table | ibis.Schema,
        *,
        temp: bool = False,
        overwrite: bool = False,
        on_progress: Callable[[float], None] | None = None,
    ) -> ir.Table:
        """Create a table from a schema or an expression (``on_progress`` gets 0..1)."""

    @abstractmethod
    def insert(self, name: str, expr: ir.Table) -> None: ...

    @abstractmethod
    def delete_matching(self, name: str, keys: ir.Table, key_columns: Sequence[str]) -> None:
        """Delete the rows of ``name`` whose key columns equal a row of ``keys``."""

    @abstractmethod
    def transaction(self) -> Any:
        """A context manager: everything inside commits together or not at all."""

    @abstractmethod
    def drop_table(self, name: str) -> None: ...

    def stage_file(
        self,
        path: Path,
        fmt: str,
        csv: CsvOptions,
        name: str,
        on_progress: Callable[[float], None] | None = None,
    ) -> StagedFile:
        """Expose a file as a temporary table with row numbers (see :class:`StagedFile`)."""
        raise WorkspaceError(f"the {self.name} engine cannot read files from this machine yet")

    def file_columns(self, path: Path, fmt: str, csv: CsvOptions) -> list[str]:
        raise WorkspaceError(f"the {self.name} engine cannot read files from this machine yet")

    def drop_staged(self, name: str) -> None:  # noqa: B027 - nothing staged by default
        """Drop a staged file and its helper tables."""

    def close(self) -> None:  # noqa: B027 - engines without a connection keep the default
        """Release the connection."""


_LOCK_PATTERN = re.compile(r"Conflicting lock is held in (?P<program>\S+) \(PID (?P<pid>\d+)\)")


class DuckDBEngine(Engine):
    """Tables in one DuckDB file inside the workspace folder."""

    name = "duckdb"

    def __init__(
        self,
        database: Path,
        *,
        read_only: bool = False,
        memory_limit: str = "",
        threads: int = 0,
    ) -> None:
        import duckdb

        config: dict[str, Any] = {}
        if memory_limit:
            config["memory_limit"] = memory_limit
        if threads:
            config["threads"] = threads
        try:
            self.backend = ibis.duckdb.connect(str(database), read_only=read_only, **config)
        except duckdb.IOException as error:
            match = _LOCK_PATTERN.search(str(error))
            if match:
                raise WorkspaceLockedError(
                    f"the workspace database {database} is held by another process "
                    f"({match['program']}, PID {match['pid']}); wait for it to finish, stop it, "
                    "or send the work through the server that holds it"
                ) from None
            raise WorkspaceError(f"cannot open {database}: {error}") from None
        self.raw = self.backend.con
        #: compiled queries, shared with the cursors opened on this connection
        self.prepared = PreparedQueries()
        # rows carry their own numbers: letting DuckDB reorder saves much memory on big files
        self.sql("SET preserve_insertion_order = false")

    def sql(self, statement: str) -> None:
        self.raw.execute(statement)

    def run_prepared(
        self, key: Hashable, build: Callable[[], QueryTemplate], values: Mapping[str, Any]
    ) -> pd.DataFrame:
        """Run the compiled query ``key`` (compiled from ``build()`` on first use)."""
        frame: pd.DataFrame = run_compiled(self, self.prepared.get(self, key, build), values)
        return frame

    def run_prepared_rows(
        self, key: Hashable, build: Callable[[], QueryTemplate], values: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """As :meth:`run_prepared`, each row a dict of Python values, without a frame."""
        return fetch_rows(self, self.prepared.get(self, key, build), values)

    def compile(self, expr: ir.Expr) -> str:
        """SQL for ``expr``; in-memory tables it uses are registered first."""
        self.backend._run_pre_execute_hooks(expr)
        return str(self.backend.compile(expr))

    def create_table(
        self,
        name: str,
        obj: ir.Table | ibis.Schema,
        *,
        temp: bool = False,
        overwrite: bool = False,
        on_progress: Callable[[float], None] | None = None,
    ) -> ir.Table:
        kind = "OR REPLACE " if overwrite else ""
        temporary = "TEMP " if temp else ""
        if isinstance(obj, ibis.Schema):
            columns = ", ".join(
                f"{quote(col)} {self._sql_type(dtype)}" for col, dtype in obj.items()
            )
            self.sql(f"CREATE {kind}{temporary}TABLE {quote(name)} ({columns})")
        else:
            statement = f"CREATE {kind}{temporary}TABLE {quote(name)} AS {self.compile(obj)}"
            self.run_with_progress(statement, on_progress)
        return self.backend.table(name)

    @staticmethod
    def _sql_type(dtype: Any) -> str:
        from ibis.backends.sql.datatypes import DuckDBType

        return str(DuckDBType.to_string(dtype))

    def insert(self, name: str, expr: ir.Table) -> None:
        columns = ", ".join(quote(c) for c in expr.columns)
        self.sql(f"INSERT INTO {quote(name)} ({columns}) {self.compile(expr)}")

    def delete_matching(self, name: str, keys: ir.Table, key_columns: Sequence[str]) -> None:
        condition = " AND ".join(f"{quote(name)}.{quote(c)} = k.{quote(c)}" for c in key_columns)
        selected = self.compile(keys.select(*key_columns))
        self.sql(f"DELETE FROM {quote(name)} USING ({selected}) AS k WHERE {condition}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.sql("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.sql("ROLLBACK")
            raise
        self.sql("COMMIT")

    def drop_table(self, name: str) -> None:
        self.sql(f"DROP TABLE IF EXISTS {quote(name)}")

    def drop_staged(self, name: str) -> None:
        """Drop a staged file and its helper tables."""
        staging.drop_staged(self, name)

    def file_columns(self, path: Path, fmt: str, csv: CsvOptions) -> list[str]:
        return staging.file_columns(self, path, fmt, csv)

    def stage_file(
        self,
        path: Path,
        fmt: str,
        csv: CsvOptions,
        name: str,
        on_progress: Callable[[float], None] | None = None,
    ) -> StagedFile:
        return staging.stage_file(self, path, fmt, csv, name, on_progress)

    def run_with_progress(
        self, statement: str, on_progress: Callable[[float], None] | None
    ) -> None:
        if on_progress is None:
            self.sql(statement)
            return
        done = threading.Event()

        def poll() -> None:
            while not done.wait(0.2):
                try:
                    percent = self.raw.query_progress()
                except Exception:  # progress is best effort
                    return
                if percent >= 0:
                    on_progress(percent / 100)

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            self.sql(statement)
        finally:
            done.set()
            watcher.join()
        on_progress(1.0)

    def close(self) -> None:
        self.backend.disconnect()
