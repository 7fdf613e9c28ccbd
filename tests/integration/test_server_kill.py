"""A server killed in the middle of an import leaves the workspace as it was, or as it
would be after the import: never half a batch. The import then runs again to the same
result as an import that was never interrupted.

``emptychair serve`` runs in a child process on loopback; the test sends a file of
orders to ``POST /imports/orders``, waits until the job is loading (inside the import's
transaction), and kills the server with SIGKILL.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.accounts import add_account
from emptychair.api.routers.imports import UPLOAD_FOLDER

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CUSTOMERS = 2_000
ORDERS = 300_000
#: Tables an import writes only while it runs: none may outlive it.
WORKING_TABLES = (
    *("_stage_", "_parsed_", "_checked_", "_problems_"),
    *("_bad_", "_raw_bad_", "_errors_", "_classified_"),
)


def _customers_csv(path: Path) -> None:
    lines = ["customer_id,created_at,country"]
    lines += [f"K{i:05d},2024-01-{1 + i % 28:02d} 10:00:00,FR" for i in range(CUSTOMERS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _orders_csv(path: Path) -> None:
    """``ORDERS`` orders of known customers, and a few bad rows for the quarantine."""
    pick = random.Random(11)
    lines = ["order_id,customer_id,ordered_at,amount,channel"]
    for i in range(ORDERS):
        customer = f"K{pick.randrange(CUSTOMERS):05d}"
        lines.append(
            f"O{i:07d},{customer},2025-{1 + i % 12:02d}-{1 + i % 28:02d} 12:00:00,"
            f"{pick.uniform(5, 300):.2f},{pick.choice(('web', 'app', 'store'))}"
        )
    lines += ["BAD1,K00001,not a date,10,web", "BAD2,NOBODY,2025-01-01,10,web"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """A workspace with customers and an admin (left closed), the orders file, the token."""
    folder = tmp_path_factory.mktemp("server-kill")
    _customers_csv(folder / "customers.csv")
    _orders_csv(folder / "orders.csv")
    with Workspace.init(folder / "ws") as workspace:
        assert workspace.import_file("customers", folder / "customers.csv").rows_loaded == (
            CUSTOMERS
        )
        token = add_account(workspace, "root", "admin")[1]
    return folder / "ws", folder / "orders.csv", token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(workspace: Path) -> Iterator[tuple[subprocess.Popen[bytes], httpx.Client]]:
    """``emptychair serve`` on a free loopback port, and a client for it."""
    port = _free_port()
    command = [sys.executable, "-c", "from emptychair.cli import main; main()", "serve"]
    command += ["--workspace", str(workspace), "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /health"
            time.sleep(0.2)
        yield server, client
    finally:
        client.close()
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=60)
        if server.stderr is not None:
            server.stderr.close()


def _start_import(client: httpx.Client, token: str, orders: Path) -> str:
    answer = client.post(
        "/imports/orders",
        params={"filename": "orders.csv"},
        content=orders.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["url"])


def _job(client: httpx.Client, token: str, url: str) -> dict[str, object]:
    answer = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    job: dict[str, object] = answer.json()
    return job


def _wait_for_job(client: httpx.Client, token: str, url: str) -> dict[str, object]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = _job(client, token, url)
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"the job at {url} did not finish")


def _state(workspace: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """Orders (without load stamps), import batches, open quarantine rows, all tables."""
    with Workspace(workspace, read_only=True) as ws:
        orders = ws.to_pandas(ws.table("orders").drop("_batch_id", "_loaded_at"))
        batches = ws.batches()
        batches = batches[batches["table_name"] == "orders"]
        quarantine = ws.to_pandas(ws.table("_quarantine"))
        tables = sorted(ws.engine.backend.list_tables())
    orders = orders.sort_values("order_id").reset_index(drop=True)
    return orders, batches, quarantine, tables


def _comparable_quarantine(rows: pd.DataFrame) -> pd.DataFrame:
    """Quarantine rows of the orders table, without the batch id and the file's path."""
    kept = ["table_name", "row_number", "column_name", "value", "reason"]
    return rows[rows["table_name"] == "orders"][kept].sort_values(kept).reset_index(drop=True)


@pytest.fixture(scope="module")
def uninterrupted(
    files: tuple[Path, Path, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The truth: orders and quarantine after the same import, never interrupted."""
    source, orders_file, _ = files
    reference = tmp_path_factory.mktemp("uninterrupted") / "ws"
    shutil.copytree(source, reference)
    with Workspace(reference) as ws:
        result = ws.import_file("orders", orders_file)
    assert result.rows_loaded == ORDERS and result.rows_quarantined == 2
    orders, _, quarantine, _ = _state(reference)
    return orders, _comparable_quarantine(quarantine)


@pytest.mark.parametrize("kill_at", ["reading", "loading"])
def test_a_killed_import_leaves_a_consistent_workspace_and_runs_again(
    files: tuple[Path, Path, str],
    uninterrupted: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    kill_at: str,
) -> None:
    source, orders_file, token = files
    killed = tmp_path / "killed"
    shutil.copytree(source, killed)
    before_tables = _state(killed)[3]
    with _server(killed) as (server, client):
        url = _start_import(client, token, orders_file)
        steps = []
        while True:
            job = _job(client, token, url)
            steps.append(str(job["step"]))
            assert job["status"] in ("queued", "running"), f"finished before the kill: {steps}"
            if steps[-1].startswith(kill_at):
                break
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)

    # after the kill: all of the import or none of it, and nothing left behind
    orders, batches, _, tables = _state(killed)
    assert len(orders) in (0, ORDERS), f"{len(orders)} orders after the steps {steps}"
    assert len(batches) == (1 if len(orders) else 0)
    if len(batches):
        assert batches["status"].tolist() == ["committed"]
        assert int(batches["rows_loaded"].iloc[0]) == ORDERS
    assert tables == before_tables, "working tables outlived the killed import"
    assert not [t for t in tables if t.startswith(WORKING_TABLES)]

    # after a restart: the same import again gives what an uninterrupted import gives
    with _server(killed) as (_, client):
        assert not list((killed / UPLOAD_FOLDER).glob("*")), "the killed upload was kept"
        job = _wait_for_job(client, token, _start_import(client, token, orders_file))
        assert job["status"] == "succeeded", job
        result = job["result"]
        assert isinstance(result, dict)
        assert result["rows_loaded"] + result["rows_unchanged"] == ORDERS
    orders, batches, quarantine, tables = _state(killed)
    want_orders, want_quarantine = uninterrupted
    pd.testing.assert_frame_equal(orders, want_orders)
    pd.testing.assert_frame_equal(_comparable_quarantine(quarantine), want_quarantine)
    assert set(batches["status"]) == {"committed"}
    assert tables == before_tables
