"""Benchmark: the full validated import of N order rows, from CSV and from Parquet.

What it measures, for each format, each in its own child process (so peak memory is
per run):

* **bare**: DuckDB alone, ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` /
  ``read_parquet(...)`` into a fresh DuckDB file (the reference);
* **import**: ``Workspace.import_file("orders", file)`` into a new, empty workspace
  (after importing the customers the orders refer to);
* **re-import**: the same file again in the same workspace (the idempotent path: every
  row must come back ``unchanged``).

It reports seconds, rows/s and peak RSS (``ru_maxrss`` of the child, which includes
DuckDB's native memory, plus a per-phase peak sampled with psutil), checks that the
imported row count and sum of amounts match the source, and writes a section of
``bench/RESULTS.md`` with the machine description.

The data (``--out``, git-ignored ``bench/_data``) is generated once with DuckDB
and reused when it already has the requested number of rows.

Run it with ``make bench`` (``python bench/import_orders.py``), or e.g.::

    python bench/import_orders.py --rows 1000000 --results /tmp/quick.md
    python bench/import_orders.py --formats parquet --memory-limit 1GB

The machine description, the code version (and whether the package's sources changed
during the run) and the 1-minute load average are recorded with the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FORMATS = ("parquet", "csv")
CHANNELS = ("web", "app", "store", "phone", "email", "chat", "social", "mail")
TARGET_ROWS_PER_SECOND = {"parquet": 1_000_000, "csv": 400_000}
TARGET_PEAK_MB = 2048
TARGET_RATIO = 2.0
SECTION_START = "<!-- import_orders:start -->"
SECTION_END = "<!-- import_orders:end -->"
MANIFEST = "manifest.json"


# -- data generation -------------------------------------------------------------------


def _customers_sql(customers: int) -> str:
    return f"""
        SELECT printf('C%08d', i) AS customer_id,
               TIMESTAMP '2015-01-01' + to_seconds((hash(i, 1) % 283996800)::BIGINT)
                   AS created_at
        FROM range({customers}) AS t(i)
    """


def _orders_sql(rows: int, customers: int) -> str:
    channels = ", ".join(f"'{c}'" for c in CHANNELS)
    three_years = 3 * 365 * 86400
    return f"""
        WITH base AS (
            SELECT i,
                   ((hash(i, 3) % 49500) + 500) / 100 AS amount
            FROM range({rows}) AS t(i)
        )
        SELECT printf('O%010d', i) AS order_id,
               printf('C%08d', hash(i, 2) % {customers}) AS customer_id,
               date_trunc('day', current_date::TIMESTAMP) - INTERVAL 1 DAY
                   - to_seconds((hash(i, 4) % {three_years})::BIGINT) AS ordered_at,
               amount,
               'EUR' AS currency,
               [{channels}][1 + (hash(i, 5) % {len(CHANNELS)})::INTEGER] AS channel,
               (1 + hash(i, 6) % 6)::INTEGER AS items,
               round(amount * (0.05 + (hash(i, 7) % 40) / 100), 2) AS margin
        FROM base
    """


def _source_check(con: Any, relation: str) -> dict[str, int]:
    rows, cents = con.sql(
        f"SELECT count(*), sum(round(amount * 100)::BIGINT) FROM {relation}"
    ).fetchone()
    return {"rows": int(rows), "amount_cents": int(cents or 0)}


def generate(out: Path, rows: int) -> dict[str, Any]:
    """Write customers.csv, orders.csv and orders.parquet (skipped when already there)."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    customers = max(1, min(1_000_000, rows // 10))
    files = {
        "customers": out / "customers.csv",
        "csv": out / "orders.csv",
        "parquet": out / "orders.parquet",
    }
    manifest_path = out / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        sizes_ok = all(
            Path(manifest["files"][k]).exists()
            and Path(manifest["files"][k]).stat().st_size == manifest["sizes"][k]
            for k in files
        )
        if manifest.get("rows") == rows and manifest.get("customers") == customers and sizes_ok:
            _log(f"data: reusing {out} ({rows:,} orders, {customers:,} customers)")
            return manifest
    _log(f"data: generating {rows:,} orders and {customers:,} customers in {out}")
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar_print = false")
    con.execute(
        f"COPY ({_customers_sql(customers)}) TO '{files['customers']}' (HEADER, DELIMITER ',')"
    )
    con.execute(f"CREATE TEMP TABLE orders AS {_orders_sql(rows, customers)}")
    con.execute(f"COPY orders TO '{files['csv']}' (HEADER, DELIMITER ',')")
    con.execute(f"COPY orders TO '{files['parquet']}' (FORMAT parquet)")
    con.close()
    con = duckdb.connect()
    checks = {
        "csv": _source_check(con, f"read_csv('{files['csv']}')"),
        "parquet": _source_check(con, f"read_parquet('{files['parquet']}')"),
    }
    con.close()
    if checks["csv"] != checks["parquet"] or checks["csv"]["rows"] != rows:
        raise SystemExit(f"generated files disagree: {checks}")
    manifest = {
        "rows": rows,
        "customers": customers,
        "files": {k: str(v) for k, v in files.items()},
        "sizes": {k: v.stat().st_size for k, v in files.items()},
        "amount_cents": checks["csv"]["amount_cents"],
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "generation_seconds": round(time.perf_counter() - started, 1),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    _log(f"data: generated in {manifest['generation_seconds']} s")
    return manifest


# -- code version ------------------------------------------------------------------------


def source_digest() -> str:
    """SHA-256 of the imported ``emptychair`` package's sources (to detect edits mid-run)."""
    import emptychair

    digest = hashlib.sha256()
    package = Path(emptychair.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def code_version() -> str:
    """Where ``emptychair`` is imported from, and the repository's commit."""
    import emptychair

    package = Path(emptychair.__file__).resolve().parent
    root = HERE.parent
    where = str(package.relative_to(root)) if package.is_relative_to(root) else str(package)

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    if not where.startswith("src/"):
        return f"emptychair imported from `{where}` (not the checkout's src/; its HEAD is {head})"
    dirty = git("status", "--porcelain", "--", "src")
    state = "with uncommitted changes in src/" if dirty else "src/ clean"
    return f"emptychair imported from `{where}`; repository HEAD {head} ({state})"


# -- measurement in child processes ----------------------------------------------------


class PeakSampler:
    """Samples this process's RSS in a thread; ``take()`` returns the peak since last take."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._process = psutil.Process()
        self._interval = interval
        self._peak = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            rss = self._process.memory_info().rss
            with self._lock:
                self._peak = max(self._peak, rss)

    def take(self) -> float:
        rss = self._process.memory_info().rss
        with self._lock:
            peak, self._peak = max(self._peak, rss), rss
        return peak / 2**20

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """CPU time of this process, all threads (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_bare(fmt: str, path: Path, scratch: Path, memory_limit: str) -> dict[str, Any]:
    import duckdb

    sampler = PeakSampler()
    reader = f"read_csv('{path}')" if fmt == "csv" else f"read_parquet('{path}')"
    con = duckdb.connect(str(scratch / "bare.duckdb"))
    con.execute("SET enable_progress_bar_print = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    load = os.getloadavg()[0]
    sampler.take()
    cpu, started = _cpu_seconds(), time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = sampler.take()
    check = _source_check(con, "t")
    con.close()
    sampler.stop()
    return {
        "phases": {"bare": {"seconds": seconds, "cpu_s": cpu, "peak_mb": peak, "load": load}},
        "check": check,
        "max_rss_mb": _max_rss_mb(),
    }


def child_import(
    fmt: str, path: Path, customers: Path, scratch: Path, memory_limit: str
) -> dict[str, Any]:
    from emptychair.workspace import Workspace
    from emptychair.workspace.settings import Settings

    sampler = PeakSampler()
    folder = scratch / "workspace"
    if memory_limit:  # the workspace setting engine.memory_limit
        folder.mkdir()
        settings = Settings(name="bench")
        settings.engine.memory_limit = memory_limit
        settings.write(folder)
    ws = Workspace.init(folder)
    ws.engine.sql("SET enable_progress_bar_print = false")  # type: ignore[attr-defined]
    phases: dict[str, dict[str, Any]] = {}

    def run(phase: str, table: str, file: Path) -> None:
        load = os.getloadavg()[0]
        sampler.take()
        cpu, started = _cpu_seconds(), time.perf_counter()
        result = ws.import_file(table, file)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        phases[phase] = {
            "seconds": seconds,
            "cpu_s": cpu,
            "load": load,
            "peak_mb": sampler.take(),
            "rows_read": result.rows_read,
            "rows_loaded": result.rows_loaded,
            "rows_updated": result.rows_updated,
            "rows_unchanged": result.rows_unchanged,
            "rows_quarantined": result.rows_quarantined,
        }
        _log(f"  {fmt} {phase}: {seconds:.1f} s, {result.rows_read:,} rows read")

    run("customers", "customers", customers)
    run("import", "orders", path)
    engine = ws.engine
    rows, cents = engine.raw.sql(
        "SELECT count(*), sum(round(amount * 100)::BIGINT) FROM orders"
    ).fetchone()
    run("reimport", "orders", path)
    rows_after = ws.count("orders")
    ws.close()
    sampler.stop()
    return {
        "phases": phases,
        "check": {"rows": int(rows), "amount_cents": int(cents or 0), "rows_after": rows_after},
        "max_rss_mb": _max_rss_mb(),
    }


def child_main(args: argparse.Namespace) -> None:
    digest = source_digest()
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-{args.child}-{args.format}-", dir=args.out))
    try:
        manifest = json.loads((args.out / MANIFEST).read_text())
        path = Path(manifest["files"][args.format])
        if args.child == "bare":
            report = child_bare(args.format, path, scratch, args.memory_limit)
        else:
            customers = Path(manifest["files"]["customers"])
            report = child_import(args.format, path, customers, scratch, args.memory_limit)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report["digests"] = [digest, source_digest()]
    args.report.write_text(json.dumps(report))


def run_child(kind: str, fmt: str, out: Path, memory_limit: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", dir=out, delete=False) as handle:
        report = Path(handle.name)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--format",
        fmt,
        "--out",
        str(out),
        "--report",
        str(report),
        "--memory-limit",
        memory_limit,
    ]
    try:
        subprocess.run(command, check=True)
        return dict(json.loads(report.read_text()))
    finally:
        report.unlink(missing_ok=True)


# -- report --------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    import duckdb
    import ibis

    import emptychair

    return {
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "ibis": ibis.__version__,
        "emptychair": emptychair.__version__,
    }


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} (usable: {usable})",
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        **_versions(),
    }


def _merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Best time and highest peak over repeated runs of one measurement."""
    merged = runs[0]
    for phase in merged["phases"]:
        merged["phases"][phase]["seconds"] = min(r["phases"][phase]["seconds"] for r in runs)
        merged["phases"][phase]["peak_mb"] = max(r["phases"][phase]["peak_mb"] for r in runs)
        merged["phases"][phase]["cpu_s"] = min(r["phases"][phase]["cpu_s"] for r in runs)
    merged["max_rss_mb"] = max(r["max_rss_mb"] for r in runs)
    merged["digests"] = sorted({d for r in runs for d in r["digests"]})
    return merged


def evaluate(manifest: dict[str, Any], measured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = manifest["rows"]
    table, targets, agreement = [], [], []
    for fmt in measured:
        bare, imported = measured[fmt]["bare"], measured[fmt]["import"]
        bare_s = bare["phases"]["bare"]["seconds"]
        bare_cpu = bare["phases"]["bare"]["cpu_s"]
        lines = [("bare DuckDB", bare["phases"]["bare"], bare["max_rss_mb"])]
        for phase, label in (("import", "first import"), ("reimport", "re-import")):
            lines.append((label, imported["phases"][phase], imported["max_rss_mb"]))
        for label, phase, max_rss in lines:
            table.append(
                {
                    "format": fmt,
                    "run": label,
                    "rows": rows,
                    "seconds": phase["seconds"],
                    "cpu_s": phase["cpu_s"],
                    "load": phase["load"],
                    "rows_per_s": rows / phase["seconds"],
                    "peak_mb": phase["peak_mb"],
                    "process_peak_mb": max_rss,
                    "ratio": phase["seconds"] / bare_s,
                    "cpu_ratio": phase["cpu_s"] / bare_cpu,
                }
            )
        for phase, label in (("import", "first import"), ("reimport", "re-import")):
            seconds = imported["phases"][phase]["seconds"]
            speed = rows / seconds
            need = TARGET_ROWS_PER_SECOND[fmt]
            targets += [
                (fmt, label, f"≥ {need:,} rows/s", f"{speed:,.0f} rows/s", speed >= need),
                (
                    fmt,
                    label,
                    f"≤ {TARGET_RATIO:g}× bare DuckDB",
                    f"{seconds / bare_s:.2f}×",
                    seconds / bare_s <= TARGET_RATIO,
                ),
            ]
        peak = imported["max_rss_mb"]
        targets.append(
            (fmt, "whole child", "peak RSS < 2 GB", f"{peak:,.0f} MB", peak < TARGET_PEAK_MB)
        )
        first, again = imported["phases"]["import"], imported["phases"]["reimport"]
        check = imported["check"]
        agreement += [
            (fmt, "rows in workspace = N", f"{check['rows']:,}", check["rows"] == rows),
            (
                fmt,
                "sum(amount) in workspace = source",
                f"{check['amount_cents'] / 100:,.2f} vs {manifest['amount_cents'] / 100:,.2f}",
                check["amount_cents"] == manifest["amount_cents"],
            ),
            (
                fmt,
                "first import: loaded = N, quarantined = 0",
                f"{first['rows_loaded']:,} / {first['rows_quarantined']:,}",
                first["rows_loaded"] == rows and first["rows_quarantined"] == 0,
            ),
            (
                fmt,
                "re-import: unchanged = N, loaded = updated = 0",
                f"{again['rows_unchanged']:,} / {again['rows_loaded']:,} / "
                f"{again['rows_updated']:,}",
                again["rows_unchanged"] == rows
                and again["rows_loaded"] == 0
                and again["rows_updated"] == 0,
            ),
            (
                fmt,
                "rows after re-import = N",
                f"{check['rows_after']:,}",
                check["rows_after"] == rows,
            ),
            (
                fmt,
                "bare DuckDB: rows and sum = source",
                f"{bare['check']['rows']:,}",
                bare["check"]["rows"] == rows
                and bare["check"]["amount_cents"] == manifest["amount_cents"],
            ),
        ]
    return {"table": table, "targets": targets, "agreement": agreement}


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(
    manifest: dict[str, Any],
    measured: dict[str, dict[str, Any]],
    verdict: dict[str, Any],
    command: str,
    repeat: int,
    run: dict[str, Any],
    memory_limit: str = "",
) -> str:
    info = machine()
    now = dt.datetime.now().astimezone()
    seen = sorted({d for fmt in measured for m in measured[fmt].values() for d in m["digests"]})
    stable = seen == [run["digest"]]
    same_code = (
        f"same sources in every child (digest {run['digest']})"
        if stable
        else f"**the sources changed during the run** (digests {', '.join(seen)}): "
        "the numbers mix code versions"
    )
    lines = [
        SECTION_START,
        f"## Validated import of {manifest['rows']:,} orders (`bench/import_orders.py`)",
        "",
        f"- Date: {run['started']:%Y-%m-%d %H:%M} to {now:%H:%M %Z}",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"- Software: Python {info['python']}, duckdb {info['duckdb']}, ibis {info['ibis']}, "
        f"emptychair {info['emptychair']}",
        f"- Code: {run['code']}; {same_code}",
        f"- Command: `{command}`" + (f" (best of {repeat})" if repeat > 1 else ""),
        f"- Data: {manifest['rows']:,} orders referring to {manifest['customers']:,} customers; "
        f"orders.csv {manifest['sizes']['csv'] / 2**20:,.0f} MB, "
        f"orders.parquet {manifest['sizes']['parquet'] / 2**20:,.0f} MB",
        "- Each measurement runs in its own process; *peak MB* is the RSS peak during the "
        "step (psutil sampling every 20 ms), *process peak MB* is `ru_maxrss` of the whole "
        "child (for the imports: customers import, first import and re-import together). "
        "*CPU s* is user + system time of the child during the step (all threads); *load "
        "before* is the 1-minute load average when the step started (the machine is shared: "
        "a load above the core count means other work competed for the CPUs). DuckDB "
        "settings: "
        + (f"memory_limit {memory_limit} (workspace and bare)." if memory_limit else "defaults.")
        + " *CPU × bare* compares CPU time, which other work on the machine disturbs less "
        "than wall time.",
        "",
        "| format | run | rows | seconds | rows/s | CPU s | peak MB | process peak MB | × bare "
        "| CPU × bare | load before |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in verdict["table"]:
        lines.append(
            f"| {row['format']} | {row['run']} | {row['rows']:,} | {row['seconds']:.2f} | "
            f"{row['rows_per_s']:,.0f} | {row['cpu_s']:.1f} | {row['peak_mb']:,.0f} | "
            f"{row['process_peak_mb']:,.0f} | {row['ratio']:.2f} | {row['cpu_ratio']:.2f} | "
            f"{row['load']:.1f} |"
        )
    customers = ", ".join(
        f"{fmt} run {measured[fmt]['import']['phases']['customers']['seconds']:.2f} s"
        for fmt in measured
    )
    lines += [
        "",
        f"Customers import ({manifest['customers']:,} rows, CSV, before the orders): {customers}.",
        "",
        "### Targets (2 cores)",
        "",
        "| format | run | target | measured | met |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {f} | {r} | {t} | {v} | {_yes(ok)} |" for f, r, t, v, ok in verdict["targets"]]
    lines += [
        "",
        "### Agreement",
        "",
        "| format | check | value | ok |",
        "|---|---|---|---|",
    ]
    lines += [f"| {f} | {c} | {v} | {_yes(ok)} |" for f, c, v, ok in verdict["agreement"]]
    lines += ["", SECTION_END, ""]
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    """Replace this benchmark's section of ``path`` (or add it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        after = rest.split(SECTION_END, 1)[1].lstrip("\n")
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def print_table(verdict: dict[str, Any]) -> None:
    header = (
        f"{'format':8} {'run':13} {'seconds':>8} {'rows/s':>12} {'CPU s':>7} {'peak MB':>8} "
        f"{'× bare':>7} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    for row in verdict["table"]:
        print(
            f"{row['format']:8} {row['run']:13} {row['seconds']:8.2f} {row['rows_per_s']:12,.0f} "
            f"{row['cpu_s']:7.1f} {row['peak_mb']:8,.0f} {row['ratio']:7.2f} {row['load']:5.1f}"
        )
    print()
    for fmt, run, target, value, ok in verdict["targets"]:
        print(f"{'ok ' if ok else 'NO '} {fmt:8} {run:13} {target:26} {value}")
    for fmt, check, value, ok in verdict["agreement"]:
        print(f"{'ok ' if ok else 'NO '} {fmt:8} {check:48} {value}")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="order rows to generate")
    parser.add_argument("--out", type=Path, default=HERE / "_data", help="data folder")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best)")
    parser.add_argument(
        "--results", type=Path, default=HERE / "RESULTS.md", help="markdown file to update"
    )
    parser.add_argument(
        "--formats",
        type=lambda text: tuple(text.split(",")),
        default=FORMATS,
        help="comma-separated subset of parquet,csv",
    )
    parser.add_argument(
        "--memory-limit",
        default="",
        help="DuckDB memory_limit for both the workspace (engine.memory_limit) and bare runs "
        "(default: DuckDB's own, 80%% of RAM)",
    )
    parser.add_argument("--child", choices=("bare", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--format", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        child_main(args)
        return
    args.out = (args.out / f"rows_{args.rows}").resolve()
    run = {
        "started": dt.datetime.now().astimezone(),
        "code": code_version(),
        "digest": source_digest(),
    }
    _log(run["code"])
    manifest = generate(args.out, args.rows)
    measured: dict[str, dict[str, Any]] = {}
    for fmt in args.formats:
        measured[fmt] = {}
        for kind in ("bare", "import"):
            runs = []
            for attempt in range(args.repeat):
                _log(f"{fmt}: {kind} (run {attempt + 1} of {args.repeat})")
                runs.append(run_child(kind, fmt, args.out, args.memory_limit))
            measured[fmt][kind] = _merge(runs)
    verdict = evaluate(manifest, measured)
    print_table(verdict)
    seen = {d for fmt in measured for m in measured[fmt].values() for d in m["digests"]}
    if seen != {run["digest"]}:
        _log("WARNING: the emptychair sources changed during the run; numbers mix versions")
    command = " ".join(["python bench/import_orders.py", *(sys.argv[1:] if argv is None else argv)])
    if os.environ.get("PYTHONPATH"):
        command = f"PYTHONPATH={os.environ['PYTHONPATH']} {command}"
    section = markdown(manifest, measured, verdict, command, args.repeat, run, args.memory_limit)
    write_results(args.results, section)
    _log(f"results written to {args.results}")


if __name__ == "__main__":
    main()
