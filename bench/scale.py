"""Benchmark: RFM summary and acquisition cohorts on DuckDB, on Spark and in plain pandas.

For each size (customers simulated by ``bench/_clv_simulate.py``, cached as
``bench/_data/clv_<n>.parquet``, about 2.8 orders per customer), every engine × step runs
in its own child process (``bench/_scale_child.py``) reading the same Parquet file:

* **DuckDB**: ``emptychair.value.features.rfm_summary`` and
  ``emptychair.value.cohorts.cohort_table`` (monthly cohorts, 12 months) on an in-memory
  DuckDB capped at 1 GB, the orders loaded into a table first;
* **Spark** local[2]: the same two functions through ``Workspace.from_spark(session)``, the
  orders written into the session's catalogue as the ``orders`` table;
* **pandas**: the plain implementation a user would write (group by customer; cohort ×
  months since acquisition).

Seconds are the step alone (start-up and load are reported apart); *peak MB* is the RSS
peak of the child and its own children (the Spark JVM), sampled every 20 ms. The results
must agree: pandas against DuckDB (frequency, recency, T and monetary value of every
customer to 1e-9; the same cohort retention table), and Spark against DuckDB. A log-log
chart goes to ``bench/scale.png``; ``--record`` writes the scale section of
``bench/RESULTS.md``::

    python bench/scale.py --sizes 100000 1000000 --record
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil

import _clv_simulate
from import_orders import code_version, machine

HERE = Path(__file__).resolve().parent
ENGINES = {"duckdb": "DuckDB", "spark": "Spark local[2]", "pandas": "pandas"}
STEPS = {"rfm": "RFM summary", "cohorts": "acquisition cohorts"}
TOLERANCE = 1e-9
SECTION_START, SECTION_END = "<!-- scale:start -->", "<!-- scale:end -->"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def measured(engine: str, step: str, orders: Path, customers: int) -> dict[str, Any]:
    """Run one engine × step in a child; its timings, peak RSS and result file."""
    folder = orders.parent
    result = folder / f"scale_{customers}_{engine}_{step}.parquet"
    report = folder / f"scale_{customers}_{engine}_{step}.json"
    load = os.getloadavg()[0]
    _log(f"{customers:,} customers: {ENGINES[engine]} {STEPS[step]} (load {load:.1f})")
    command = [sys.executable, str(HERE / "_scale_child.py"), engine, step]
    started = time.perf_counter()
    process = subprocess.Popen([*command, str(orders), str(result), str(report)])
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, _tree_rss(watched))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    out = dict(json.loads(report.read_text(encoding="utf-8")))
    out.update(wall_s=time.perf_counter() - started, peak_mb=peak / 2**20, load=load)
    out["result"] = str(result)
    return out


def rfm_agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[bool, float]:
    """Same customers, and the largest absolute difference of the four statistics."""
    if len(ours) != len(theirs) or not (ours["customer_id"] == theirs["customer_id"]).all():
        return False, float("inf")
    columns = ["frequency", "recency", "T", "monetary_value"]
    left, right = ours[columns].to_numpy("float64"), theirs[columns].to_numpy("float64")
    gap = float(np.max(np.abs(left - right))) if len(left) else 0.0
    return gap <= TOLERANCE, gap


def cohort_agreement(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[bool, float]:
    """Same cohorts, sizes and observable cells; the largest retention difference."""
    keys = ["cohort", "since"]
    left = ours.sort_values(keys, ignore_index=True)
    right = theirs.sort_values(keys, ignore_index=True)
    if not left[[*keys, "cohort_size"]].equals(right[[*keys, "cohort_size"]]):
        return False, float("inf")
    a, b = left["retention"].to_numpy(), right["retention"].to_numpy()
    if not (np.isnan(a) == np.isnan(b)).all():
        return False, float("inf")
    seen = ~np.isnan(a)
    gap = float(np.max(np.abs(a[seen] - b[seen]))) if seen.any() else 0.0
    return gap <= TOLERANCE, gap


def run_size(customers: int, folder: Path, engines: list[str]) -> dict[str, Any]:
    orders, manifest = _clv_simulate.ensure(folder, customers)
    runs: dict[str, dict[str, Any]] = {}
    for step in STEPS:
        for engine in engines:
            runs[f"{engine}/{step}"] = measured(engine, step, orders, customers)
    for key, run in runs.items():
        engine, step = key.split("/")
        reference = runs[f"duckdb/{step}"]
        run["ratio"] = run["seconds"]["step"] / reference["seconds"]["step"]
        if engine == "duckdb":
            continue
        compare = rfm_agreement if step == "rfm" else cohort_agreement
        ok, gap = compare(pd.read_parquet(reference["result"]), pd.read_parquet(run["result"]))
        run.update(agrees=ok, gap=gap)
    return {"data": manifest, "runs": runs}


def rows(results: list[dict[str, Any]]) -> list[list[str]]:
    table = []
    for result in results:
        for key, run in result["runs"].items():
            engine, step = key.split("/")
            seconds = run["seconds"]
            agreement = "reference"
            if "agrees" in run:
                verdict = "yes" if run["agrees"] else "**no**"
                agreement = f"{verdict} (max diff {run['gap']:.1e})"
            table.append(
                [
                    f"{result['data']['customers']:,}",
                    f"{result['data']['rows']:,}",
                    ENGINES[engine],
                    STEPS[step],
                    f"{seconds['step']:.2f}",
                    f"{seconds.get('start', 0.0):.2f} + {seconds['load']:.2f}",
                    f"{run['peak_mb']:,.0f}",
                    f"{run['ratio']:.2f}",
                    agreement,
                    f"{run['load']:.1f}",
                ]
            )
    return table


HEADERS = [
    "customers",
    "orders",
    "engine",
    "step",
    "seconds",
    "start + load s",
    "peak MB",
    "× DuckDB",
    "agrees with DuckDB",
    "load before",
]


def chart(results: list[dict[str, Any]], path: Path) -> None:
    """Seconds against customers, log-log, one line per engine × step."""
    import vl_convert

    values = [
        {
            "customers": result["data"]["customers"],
            "seconds": run["seconds"]["step"],
            "series": f"{ENGINES[key.split('/')[0]]}: {STEPS[key.split('/')[1]]}",
        }
        for result in results
        for key, run in result["runs"].items()
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "RFM summary and cohorts: seconds against customers",
        "width": 520,
        "height": 320,
        "data": {"values": values},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {
                "field": "customers",
                "type": "quantitative",
                "scale": {"type": "log"},
                "title": "customers (about 2.8 orders each)",
            },
            "y": {
                "field": "seconds",
                "type": "quantitative",
                "scale": {"type": "log"},
                "title": "seconds (step only)",
            },
            "color": {"field": "series", "type": "nominal", "title": None},
        },
    }
    path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))


def markdown(results: list[dict[str, Any]], run: dict[str, Any]) -> str:
    info = machine()
    data = "; ".join(
        f"{r['data']['customers']:,} customers, {r['data']['rows']:,} orders "
        f"({r['data']['bytes'] / 2**20:,.0f} MB)"
        for r in results
    )
    lines = [
        SECTION_START,
        "## RFM summary and cohorts on DuckDB, Spark and pandas (`bench/scale.py`)",
        "",
        f"- Date: {run['started']:%Y-%m-%d %H:%M} to {dt.datetime.now().astimezone():%H:%M %Z}",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"- Software: Python {info['python']}, duckdb {info['duckdb']}, ibis {info['ibis']}, "
        f"pyspark {run['pyspark']}, pandas {pd.__version__}, emptychair {info['emptychair']}",
        f"- Code: {run['code']}",
        f"- Command: `{run['command']}`",
        f"- Data (`bench/_clv_simulate.py`, seeded): {data}.",
        "- Each engine × step runs in its own child process reading the same Parquet file. "
        "*seconds* is the step alone, up to a pandas data frame on the driver (one row per "
        "customer for the RFM summary, in days; the long table of monthly cohorts over 12 "
        "months); *start + load s* is the engine start (Spark session and workspace) and "
        "the load of the orders (DuckDB: a table from the Parquet file; Spark: the "
        "`orders` table of the catalogue, written from it; pandas: `read_parquet`). *peak "
        "MB* is the RSS peak of the child and its children (the Spark JVM included), "
        "sampled every 20 ms over the whole child. DuckDB is capped at 1 GB like a "
        "workspace; Spark runs local[2] with two shuffle partitions. *load before* is the "
        "1-minute load average (2 cores shared with other work: above 2, other work "
        "competed for the CPUs). *agrees*: frequency, recency, T and monetary value of "
        f"every customer within {TOLERANCE:g}; the same cohorts, sizes and retention cells.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join("---" if i in (2, 3, 8) else "---:" for i in range(len(HEADERS))) + "|",
        *("| " + " | ".join(row) + " |" for row in rows(results)),
        "",
        "![Seconds against customers, log-log](scale.png)",
        "",
        SECTION_END,
        "",
    ]
    return "\n".join(lines)


def write_results(path: Path, section: str) -> None:
    """Replace this benchmark's section of ``path`` (or add it at the end)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        text = before + section + rest.split(SECTION_END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--skip-spark", action="store_true", help="DuckDB and pandas only")
    parser.add_argument("--record", action="store_true", help="write the scale section")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--chart", type=Path, default=HERE / "scale.png")
    parser.add_argument("--data", type=Path, default=HERE / "_data", help="data folder")
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)
    engines = [e for e in ENGINES if not (args.skip_spark and e == "spark")]
    import pyspark

    run = {
        "started": dt.datetime.now().astimezone(),
        "code": code_version(),
        "command": " ".join(["python bench/scale.py", *arguments]),
        "pyspark": pyspark.__version__,
    }
    results = [run_size(n, args.data.resolve(), engines) for n in sorted(args.sizes)]
    section = markdown(results, run)
    print(section)
    chart(results, args.chart)
    _log(f"chart written to {args.chart}")
    (args.data / "scale_report.json").write_text(json.dumps(results, indent=2, default=str))
    if args.record:
        write_results(args.results, section)
        _log(f"results written to {args.results}")


if __name__ == "__main__":
    main()
