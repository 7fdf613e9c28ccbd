"""The server's connections to its workspace: one writer, a reading cursor per thread.

DuckDB lets one process hold a database file for writing. The server is that process:
it opens the workspace once (the *primary* connection, used by background jobs that
import or run analyses) and gives each request thread its own cursor on the same
database. Cursors share the database but not their transactions, so reads see the last
committed state while a job writes, and a slow job never blocks a request.
"""

from __future__ import annotations

import threading
from pathlib import Path

import ibis

from emptychair.accounts import ensure_account_tables
from emptychair.errors import WorkspaceError
from emptychair.workspace import Workspace
from emptychair.workspace.engine import DuckDBEngine
from emptychair.workspace.prepared import PreparedQueries


class _CursorEngine(DuckDBEngine):
    """A DuckDB engine over a cursor of the primary connection."""

    def __init__(self, backend: ibis.BaseBackend, prepared: PreparedQueries) -> None:
        # no new connection: a cursor, sharing the compiled queries of the primary
        self.backend = backend
        self.raw = backend.con
        self.prepared = prepared
        self.sql("SET preserve_insertion_order = false")


class WorkspaceConnections:
    """The primary (writing) workspace and per-thread reading workspaces.

    Parameters
    ----------
    path
        The workspace folder; its database must use the DuckDB engine.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.primary = Workspace(self.path)
        if not isinstance(self.primary.engine, DuckDBEngine):
            self.primary.close()
            raise WorkspaceError(
                f"{self.path}: the API server needs the duckdb engine; a Spark workspace is "
                "served by reading its results into a DuckDB workspace first"
            )
        ensure_account_tables(self.primary)
        self._local = threading.local()
        self._opened: list[Workspace] = []
        self._lock = threading.Lock()

    def reader(self) -> Workspace:
        """This thread's workspace (a cursor of the primary connection)."""
        workspace = getattr(self._local, "workspace", None)
        if workspace is None:
            engine = self.primary.engine
            assert isinstance(engine, DuckDBEngine)
            with self._lock:
                cursor = engine.raw.cursor()
            workspace = Workspace.from_engine(
                _CursorEngine(ibis.duckdb.from_connection(cursor), engine.prepared),
                self.primary.settings,
            )
            workspace.path = self.path
            self._local.workspace = workspace
            with self._lock:
                self._opened.append(workspace)
        return workspace

    def close(self) -> None:
        """Close every cursor, then the primary connection."""
        with self._lock:
            for workspace in self._opened:
                workspace.close()
            self._opened.clear()
        self.primary.close()
