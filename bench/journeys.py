"""Benchmark: variants and directly-follows graph of a large event log, Empty Chair against pm4py.

For each size, a synthetic event log (``bench/_journeys_synth.py``, cached as
``bench/_data/journeys_<n>.parquet``) is read from the same Parquet file by both sides, each in
its own child process, measured the same way (time per stage, RSS peak of the process sampled
every 20 ms):

* **Empty Chair** (``bench/_journeys_empty_chair.py``): ``read_event_log`` (an in-memory DuckDB
  through Ibis) → ``variants`` → ``directly_follows``;
* **pm4py** (``bench/_journeys_pm4py.py``), installed only in its own environment because it
  is AGPL-licensed and never a dependency of Empty Chair: ``pandas.read_parquet`` +
  ``format_dataframe`` → ``get_variants`` → ``discover_dfg``.

The counts of every variant and every edge must agree exactly. The pm4py environment is made
on first use with ``uv``::

    uv venv bench/_data/venv-pm4py
    uv pip install --python bench/_data/venv-pm4py/bin/python pm4py pandas pyarrow

Usage::

    python bench/journeys.py --sizes 1000000 10000000
    python bench/journeys.py --sizes 10000000 --skip-pm4py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

import _journeys_synth

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
PM4PY_ENV = DATA / "venv-pm4py"
TARGET_SECONDS = {10_000_000: 15.0}
TARGET_SPEEDUP = {1_000_000: 3.0, 10_000_000: 10.0}
TARGET_PEAK_MB = 2048


def pm4py_python() -> Path:
    """The interpreter of the pm4py environment, made with ``uv`` when missing."""
    python = PM4PY_ENV / "bin" / "python"
    if not python.exists():
        subprocess.run(["uv", "venv", str(PM4PY_ENV)], check=True)
        subprocess.run(
            ["uv", "pip", "install", "--python", str(python), "pm4py", "pandas", "pyarrow"],
            check=True,
        )
    return python


def measured(command: list[str], result: Path) -> dict[str, Any]:
    """Run ``command``; its JSON result with the wall time and the peak RSS in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(command)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
    out = json.loads(result.read_text(encoding="utf-8"))
    out["wall_s"] = time.perf_counter() - start
    out["peak_mb"] = peak / 2**20
    out["total_s"] = sum(out["times"].values())
    return out


def run_size(events: int, skip_pm4py: bool) -> dict[str, Any]:
    log = DATA / f"journeys_{events}.parquet"
    if not log.exists():
        _journeys_synth.write_log(events, log)
    sides = {"empty_chair": [sys.executable, str(HERE / "_journeys_empty_chair.py")]}
    if not skip_pm4py:
        sides["pm4py"] = [str(pm4py_python()), str(HERE / "_journeys_pm4py.py")]
    report: dict[str, Any] = {"events": events}
    for side, command in sides.items():
        result = DATA / f"journeys_{events}_{side}.json"
        report[side] = measured([*command, str(log), str(result)], result)
    ours = report["empty_chair"]
    report["variants"] = len(ours["variants"])
    report["edges"] = len(ours["edges"])
    if "pm4py" in report:
        theirs = report["pm4py"]
        report["variants_agree"] = ours["variants"] == theirs["variants"]
        report["edges_agree"] = ours["edges"] == theirs["edges"]
        report["speedup"] = theirs["total_s"] / ours["total_s"]
    for side in sides:
        report[side].pop("variants")
        report[side].pop("edges")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--skip-pm4py", action="store_true", help="time Empty Chair only")
    args = parser.parse_args()
    for events in args.sizes:
        report = run_size(events, args.skip_pm4py)
        ours = report["empty_chair"]
        line = (
            f"{events:>11,} events: Empty Chair {ours['total_s']:.2f} s "
            f"({', '.join(f'{k} {v:.2f}' for k, v in ours['times'].items())}), "
            f"peak {ours['peak_mb']:.0f} MB; {report['variants']:,} variants, "
            f"{report['edges']:,} edges"
        )
        if "pm4py" in report:
            theirs = report["pm4py"]
            line += (
                f"\n{'':>19}pm4py {theirs['total_s']:.2f} s "
                f"({', '.join(f'{k} {v:.2f}' for k, v in theirs['times'].items())}), "
                f"peak {theirs['peak_mb']:.0f} MB; speed-up ×{report['speedup']:.1f}; "
                f"variants agree: {report['variants_agree']}, edges agree: {report['edges_agree']}"
            )
        print(line, flush=True)
        (DATA / f"journeys_{events}_report.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
