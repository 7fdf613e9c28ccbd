"""The workspace: a folder with settings and the tables of one company."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair._version import __version__
from emptychair.errors import WorkspaceError
from emptychair.schema import TABLES, get_table
from emptychair.workspace.engine import DuckDBEngine, Engine
from emptychair.workspace.internal import INTERNAL_TABLES, canonical_schema
from emptychair.workspace.prepared import QueryTemplate
from emptychair.workspace.settings import SETTINGS_FILE, Settings

if TYPE_CHECKING:
    from emptychair.customers import Customer360
    from emptychair.ingest.result import ImportResult

ENVIRONMENT_VARIABLE = "EMPTYCHAIR_WORKSPACE"


def default_location() -> Path:
    """``$EMPTYCHAIR_WORKSPACE`` if set, else the current folder."""
    return Path(os.environ.get(ENVIRONMENT_VARIABLE) or Path.cwd())


def new_batch_id() -> str:
    """A sortable, unique id for one write: ``20261123T004512-3f2a1c``."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def utc_now() -> datetime:
    """Now, in UTC, without a time zone (how timestamps are stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Workspace:
    """One company's customer data: canonical tables, results and their history.

    Parameters
    ----------
    path
        The workspace folder; defaults to ``$EMPTYCHAIR_WORKSPACE`` or the current
        folder. It must hold an ``emptychair.toml`` (see :meth:`init`).
    read_only
        Open the database for reading only, so several readers can share it.

    Examples
    --------
    >>> ws = Workspace.init("acme")                        # doctest: +SKIP
    >>> ws.import_file("customers", "crm_export.csv")      # doctest: +SKIP
    >>> ws.customer("C000042").timeline                    # doctest: +SKIP
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_location()
        if not self.path.is_dir():
            raise WorkspaceError(
                f"workspace folder {self.path} does not exist: "
                f"create it with `emptychair init {self.path}`"
            )
        self.settings = Settings.read(self.path)
        self.engine: Engine = self._connect(read_only)
        self.read_only = read_only
        if not read_only:
            self._ensure_tables()

    @classmethod
    def init(cls, path: str | Path, *, name: str | None = None) -> Workspace:
        """Create a workspace folder (or adopt an existing empty one) and open it."""
        folder = Path(path)
        if (folder / SETTINGS_FILE).exists():
            return cls(folder)
        folder.mkdir(parents=True, exist_ok=True)
        settings = Settings(name=name or folder.resolve().name)
        settings.write(folder)
        return cls(folder)

    @classmethod
    def from_engine(cls, engine: Engine, settings: Settings | None = None) -> Workspace:
        """A workspace over an engine that is already connected (e.g. a Spark session)."""
        workspace = cls.__new__(cls)
        workspace.path = Path.cwd()
        workspace.settings = settings or Settings()
        workspace.engine = engine
        workspace.read_only = False
        workspace._ensure_tables()
        return workspace

    @classmethod
    def from_spark(cls, session: Any) -> Workspace:
        """A workspace whose tables live in a Spark session's catalogue."""
        from emptychair.workspace.spark import SparkEngine

        settings = Settings()
        settings.engine.backend = "pyspark"
        return cls.from_engine(SparkEngine(session), settings)

    def _connect(self, read_only: bool) -> Engine:
        engine = self.settings.engine
        if engine.backend == "duckdb":
            return DuckDBEngine(
                self.path / engine.database,
                read_only=read_only,
                memory_limit=engine.memory_limit,
                threads=engine.threads,
            )
        if engine.backend == "pyspark":
            from pyspark.sql import SparkSession

            from emptychair.workspace.spark import SparkEngine

            builder = SparkSession.builder.master(engine.spark_master)
            for key, value in engine.spark_conf.items():
                builder = builder.config(key, value)
            return SparkEngine(builder.getOrCreate())
        raise WorkspaceError(
            f"{self.path / SETTINGS_FILE}: unknown engine backend {engine.backend!r} "
            "(use 'duckdb' or 'pyspark')"
        )

    def _ensure_tables(self) -> None:
        existing = set(self.engine.backend.list_tables())
        for name in TABLES:
            if name not in existing:
                self.engine.create_table(name, canonical_schema(get_table(name)))
        for name, schema in INTERNAL_TABLES.items():
            if name not in existing:
                self.engine.create_table(name, schema)

    # -- tables ---------------------------------------------------------------------------

    def table(self, name: str) -> ir.Table:
        """An Ibis expression over a workspace table (canonical, internal or result)."""
        if not self.engine.has_table(name):
            raise WorkspaceError(f"the workspace has no table {name!r}")
        return self.engine.table(name)

    def tables(self) -> list[str]:
        """Names of the workspace's tables (canonical, internal and results)."""
        names = self.engine.backend.list_tables()
        return sorted(n for n in names if not n.startswith(("ibis_", "_stage_", "_parsed_")))

    def count(self, name: str) -> int:
        return int(self.engine.execute(self.table(name).count()))

    def to_pandas(self, expr: ir.Table) -> pd.DataFrame:
        return self.engine.to_pandas(expr)

    def run_prepared(
        self, key: Hashable, build: Callable[[Workspace], QueryTemplate], **values: Any
    ) -> pd.DataFrame:
        """Run a parameterised query, compiled once per database where the engine can.

        ``key`` names the query (the same key must always build the same query);
        ``build(workspace)`` returns its :class:`~emptychair.workspace.prepared.QueryTemplate`
        and is called only when the engine has not compiled ``key`` yet; ``values`` are
        bound to the template's parameters by name.
        """
        return self.engine.run_prepared(key, lambda: build(self), values)

    def run_prepared_rows(
        self, key: Hashable, build: Callable[[Workspace], QueryTemplate], **values: Any
    ) -> list[dict[str, Any]]:
        """As :meth:`run_prepared`, each row a dict (``None`` for missing values): for
        the few rows of one customer, cheaper than a data frame."""
        return self.engine.run_prepared_rows(key, lambda: build(self), values)

    def batches(self) -> pd.DataFrame:
        """Every write made to the workspace, newest first."""
        frame = self.to_pandas(self.table("_batches").order_by(ibis.desc("started_at")))
        counts = [c for c in frame.columns if c.startswith("rows_")]
        return frame.astype(dict.fromkeys(counts, "Int64"))

    # -- use cases (thin wrappers over the services) ---------------------------------------

    def import_file(self, table: str, file: str | Path, **options: Any) -> ImportResult:
        """Validate and load a file into a canonical table; see :func:`import_file`."""
        from emptychair.ingest.service import import_file

        return import_file(self, table, Path(file), **options)

    def customer(self, customer_id: str) -> Customer360:
        """The 360° view of one customer: profile, consents and the cross-channel timeline."""
        from emptychair.customers import customer_360

        return customer_360(self, customer_id)

    def search_customers(self, text: str, limit: int = 20, mask: bool = False) -> pd.DataFrame:
        """Customer records whose id, e-mail, phone or name contains ``text``."""
        from emptychair.customers import search_customers

        return search_customers(self, text, limit=limit, mask=mask)

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r}, backend={self.engine.name!r})"


__all__ = ["Workspace", "__version__", "default_location", "new_batch_id", "utc_now"]
