"""Shared fixtures: a fresh workspace, file writers and a CLI runner."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emptychair import Workspace

CUSTOMERS_CSV = (
    "customer_id,created_at,country,language,email,phone,first_name,last_name\n"
    "C1,2023-01-05 10:00:00,FR,fr,helene.dupont@example.fr,06 12 34 56 78,Hélène,Dupont\n"
    "C2,2023-02-01 09:30:00,FR,fr,marc.martin@example.fr,+33 6 98 76 54 32,Marc,Martin\n"
    "C3,2023-03-15 14:00:00,GB,en,jane.smith@example.com,+44 20 7946 0958,Jane,Smith\n"
)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in the test folder and return its path."""

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return write


@pytest.fixture
def with_customers(workspace: Workspace, write_file: Callable[..., Path]) -> Workspace:
    result = workspace.import_file("customers", write_file("customers.csv", CUSTOMERS_CSV))
    assert result.rows_loaded == 3
    return workspace


@pytest.fixture(autouse=True)
def _no_workspace_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMPTYCHAIR_WORKSPACE", raising=False)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One local Spark session for the whole run (UI off, two shuffle partitions)."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("emptychair-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.codegen.wholeStage", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def spark_workspace(spark_session: object) -> Workspace:
    """A workspace on the shared Spark session, its catalogue emptied of earlier tests' tables."""
    for table in spark_session.catalog.listTables():  # type: ignore[attr-defined]
        if not table.isTemporary:
            spark_session.sql(f"DROP TABLE IF EXISTS `{table.name}`")  # type: ignore[attr-defined]
    return Workspace.from_spark(spark_session)
