"""Benchmark: the REST API under concurrent clients while an import runs through the jobs API.

A copy of a demo workspace (built once into ``bench/_data/api-demo``, or ``--workspace``)
gets an analyst and an admin account; ``emptychair serve`` runs it on loopback in a child
process. ``--clients`` concurrent httpx clients then call, for ``--seconds``, the customer
360 of random customers (as the analyst, so masked and audited) and four aggregate routes
(as a viewer would see them). One second in, the admin uploads ``--import-rows`` new orders
through ``POST /imports/orders`` and the script follows the job until it has finished.

With ``--pause`` each client waits that long between two requests, like a person
reading a page: 200 clients pausing 2 s offer about 100 requests a second, whereas 200
clients that never pause measure how long a request queues behind the 199 others
(with a closed loop, latency is about clients / throughput).

It prints a Markdown table: requests, errors, p50 / p95 / p99 latency and throughput per
route group, and how long the import job took while the load ran. Nothing is written to
``bench/RESULTS.md``. Example::

    python bench/api_load.py --clients 50 --seconds 15
    python bench/api_load.py --clients 200 --seconds 30 --import-rows 50000
    python bench/api_load.py --clients 200 --seconds 30 --pause 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
AGGREGATES = (
    "/value/segments",
    "/value/clv-distribution",
    "/voice/scores?dimension=channel",
    "/journeys/friction?dimension=team",
)


@dataclass
class Timings:
    """Latencies (seconds) and errors of one route group."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    #: requests that got no answer (counted as status 599), by the client's exception
    failures: dict[str, int] = field(default_factory=dict)

    def add(self, seconds: float, status: int) -> None:
        self.latencies.append(seconds)
        if status >= 400:
            self.errors += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def demo_workspace(customers: int) -> Path:
    """The benchmark's demo workspace, built once and reused."""
    folder = HERE / "_data" / f"api-demo-{customers}"
    if not (folder / "ws" / "emptychair.toml").exists():
        from emptychair.demo.service import build_demo

        shutil.rmtree(folder, ignore_errors=True)
        print(f"building a demo company of {customers:,} customers in {folder} ...", flush=True)
        build_demo(folder / "ws", customers=customers, seed=3, end=date(2026, 6, 30))
    return folder / "ws"


def prepare(source: Path, target: Path) -> tuple[str, str, list[str]]:
    """Copy the workspace, add the accounts; return their tokens and some customer ids."""
    from emptychair import Workspace
    from emptychair.accounts import add_account

    shutil.copytree(source, target)
    with Workspace(target) as workspace:
        analyst = add_account(workspace, "bench-analyst", "analyst")[1]
        admin = add_account(workspace, "bench-admin", "admin")[1]
        ids = workspace.to_pandas(workspace.table("customers").select("customer_id"))
    return analyst, admin, ids["customer_id"].tolist()


def orders_file(customer_ids: list[str], rows: int) -> bytes:
    """``rows`` new orders of existing customers, as CSV."""
    pick = random.Random(7)
    lines = ["order_id,customer_id,ordered_at,amount,channel"]
    for i in range(rows):
        day = 1 + i % 28
        lines.append(
            f"BENCH-{i:08d},{pick.choice(customer_ids)},2026-06-{day:02d} 12:00:00,"
            f"{pick.uniform(5, 300):.2f},{pick.choice(('web', 'app', 'store'))}"
        )
    return ("\n".join(lines) + "\n").encode()


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time a process has used (Linux), ``None`` elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(workspace: Path, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-c",
        "from emptychair.cli import main; main()",
        "serve",
        "--workspace",
        str(workspace),
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer /health in time")


async def client_loop(
    client: httpx.AsyncClient,
    stop: float,
    customer_ids: list[str],
    analyst: str,
    results: dict[str, Timings],
    seed: int,
    pause: float = 0.0,
) -> None:
    pick = random.Random(seed)
    headers = {"Authorization": f"Bearer {analyst}"}
    if pause:  # clients that pause start spread over one pause
        await asyncio.sleep(pick.uniform(0, pause))
    while time.monotonic() < stop:
        if pick.random() < 0.5:
            group, path = "customer 360", f"/customers/{pick.choice(customer_ids)}?limit=20"
        else:
            group, path = "aggregates", pick.choice(AGGREGATES)
        started = time.perf_counter()
        try:
            response = await client.get(path, headers=headers)
            status = response.status_code
        except httpx.HTTPError as error:
            status = 599
            failures = results[group].failures
            failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
        results[group].add(time.perf_counter() - started, status)
        if pause:
            await asyncio.sleep(pause)


async def run_import(
    client: httpx.AsyncClient, admin: str, body: bytes, stop: float
) -> tuple[str, float | None]:
    if not body:
        return "not run (--import-rows 0)", None
    await asyncio.sleep(1.0)
    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "text/csv"}
    started = time.perf_counter()
    answer = await client.post(
        "/imports/orders?filename=bench-orders.csv", content=body, headers=headers
    )
    if answer.status_code != 202:
        return f"refused ({answer.status_code})", None
    url = answer.json()["url"]
    while True:
        job = (await client.get(url, headers=headers)).json()
        if job["status"] in ("succeeded", "failed"):
            overlap = "during the load" if time.monotonic() < stop else "after the load ended"
            return f"{job['status']} ({overlap})", time.perf_counter() - started
        await asyncio.sleep(0.25)


async def load(
    base: str,
    clients: int,
    seconds: float,
    customer_ids: list[str],
    tokens: tuple[str, str],
    body: bytes,
    pause: float = 0.0,
) -> tuple[dict[str, Timings], tuple[str, float | None]]:
    results = {"customer 360": Timings(), "aggregates": Timings()}
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        stop = time.monotonic() + seconds
        workers = [
            client_loop(client, stop, customer_ids, tokens[0], results, seed, pause)
            for seed in range(clients)
        ]
        importing = asyncio.create_task(run_import(client, tokens[1], body, stop))
        await asyncio.gather(*workers)
        outcome = await importing
    return results, outcome


def table(results: dict[str, Timings], seconds: float) -> str:
    lines = [
        "| route group | requests | errors | p50 ms | p95 ms | p99 ms | requests/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for group, timings in results.items():
        values = timings.latencies or [float("nan")]
        lines.append(
            f"| {group} | {len(timings.latencies):,} | {timings.errors} "
            f"| {1000 * statistics.median(values):.0f} | {1000 * percentile(values, 0.95):.0f} "
            f"| {1000 * percentile(values, 0.99):.0f} | {len(timings.latencies) / seconds:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--customers", type=int, default=4_000, help="Size of the built demo.")
    parser.add_argument("--workspace", type=Path, help="Use this workspace (copied) instead.")
    parser.add_argument(
        "--import-rows", type=int, default=20_000, help="Orders to import (0: no import)."
    )
    parser.add_argument(
        "--pause", type=float, default=0.0, help="Seconds each client waits between requests."
    )
    options = parser.parse_args()

    source = options.workspace or demo_workspace(options.customers)
    with tempfile.TemporaryDirectory(prefix="emptychair-api-load-") as temporary:
        workspace = Path(temporary) / "ws"
        analyst, admin, customer_ids = prepare(source, workspace)
        body = orders_file(customer_ids, options.import_rows) if options.import_rows else b""
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(workspace, port)
        try:
            wait_until_up(base, server)
            load_before = os.getloadavg()[0]
            cpu_before = cpu_seconds(server.pid)
            results, (outcome, import_seconds) = asyncio.run(
                load(
                    base,
                    options.clients,
                    options.seconds,
                    customer_ids,
                    (analyst, admin),
                    body,
                    options.pause,
                )
            )
            cpu_after = cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
    load_average = os.getloadavg()[0]
    pausing = f", pausing {options.pause:g} s between requests" if options.pause else ""
    print(
        f"\n{options.clients} clients for {options.seconds:.0f} s on loopback{pausing}, "
        f"{len(customer_ids):,} customer records, {os.cpu_count()} cores "
        f"(1-minute load {load_before:.1f} at the start, {load_average:.1f} at the end)\n"
    )
    print(table(results, options.seconds))
    for group, timings in results.items():
        if timings.statuses:
            print(f"\n{group}: error statuses {timings.statuses}")
        if timings.failures:
            print(f"{group}: no answer {timings.failures}")
    if cpu_before is not None and cpu_after is not None:
        served = sum(len(t.latencies) for t in results.values())
        used = cpu_after - cpu_before
        print(
            f"\nserver CPU: {used:.1f} s for {served:,} requests "
            f"({1000 * used / max(served, 1):.1f} ms a request, the import included)"
        )
    took = f"{import_seconds:.1f} s" if import_seconds is not None else "n/a"
    print(f"\nimport of {options.import_rows:,} orders through /imports: {outcome}, {took}")


if __name__ == "__main__":
    main()
