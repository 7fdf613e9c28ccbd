"""The reference side of the CLV benchmark: the same pipeline with ``lifetimes`` 0.11.3.

Runs in its own environment (``bench/_data/lifetimes-venv``, made by ``bench/clv.py``),
as a user of ``lifetimes`` would write it: read the Parquet file with pandas, build the RFM
summary with ``summary_data_from_transaction_data`` (purchases grouped by day), fit
``BetaGeoFitter`` and ``GammaGammaFitter`` without penalty, and compute a 12-month CLV with a
1 % monthly discount rate. Writes a JSON report (timings, peak memory, parameters, standard
errors, warnings) and a Parquet file with the summary and the CLV of every customer.

    python bench/_clv_lifetimes.py ORDERS.parquet CUTOFF REPORT.json CLV.parquet

``lifetimes`` is not a dependency of the project. When the benchmark's interpreter cannot
import it, :func:`environment` makes ``bench/_data/lifetimes-venv`` with ``uv``, with the
same pandas, NumPy, SciPy and pyarrow versions as the benchmark's interpreter (lifetimes
0.11.3 works with pandas 3 and NumPy 2), so that both sides run on the same libraries.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import resource
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from import_orders import PeakSampler

REQUIREMENT = "lifetimes==0.11.3"
MIRRORED = ("pandas", "numpy", "scipy", "pyarrow", "psutil")
#: Warnings about library versions, not about the data or the fit: not reported.
LIBRARY_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def _uv() -> str:
    for candidate in (Path(sys.executable).parent / "uv", shutil.which("uv")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise SystemExit("uv is needed to make the lifetimes environment: pip install uv")


def environment(folder: Path) -> tuple[str, str]:
    """An interpreter that imports ``lifetimes`` (made on first use), and its description."""
    check = subprocess.run([sys.executable, "-c", "import lifetimes"], capture_output=True)
    if check.returncode == 0:
        return sys.executable, "the benchmark's interpreter"
    venv = folder / "lifetimes-venv"
    python = venv / "bin" / "python"
    wanted = [REQUIREMENT, *(f"{d}=={importlib.metadata.version(d)}" for d in MIRRORED)]
    stamp = venv / "requirements.txt"
    if not (python.exists() and stamp.exists() and stamp.read_text().split() == wanted):
        print(f"lifetimes: making {venv} ({' '.join(wanted)})", file=sys.stderr, flush=True)
        uv = _uv()
        base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}"
        subprocess.run([uv, "venv", "--quiet", "--python", str(base), str(venv)], check=True)
        install = [uv, "pip", "install", "--quiet", "--python", str(python), *wanted]
        subprocess.run(install, check=True)
        stamp.write_text("\n".join(wanted) + "\n")
    return str(python), f"{venv.name}: {', '.join(wanted)}"


def last_run(orders: Path, size: int) -> dict[str, Any] | None:
    """The report of the last run on ``orders`` (same file size), if its outputs are there."""
    out = Path(f"{orders.with_suffix('')}_lifetimes.json")
    if not out.exists():
        return None
    report = dict(json.loads(out.read_text()))
    if report.get("data_bytes") != size or not Path(report["clv_file"]).exists():
        return None
    return {**report, "reused": True}


class Stages:
    """Wall time per stage, and CPU time, RSS peak and warnings over a whole pipeline.

    The benchmark measures both sides with it. Use as a context manager and call
    :meth:`lap` after each stage; :meth:`report` gives the numbers and the warnings
    raised (except deprecation notices of the libraries).
    """

    def __enter__(self) -> Stages:
        self._sampler = PeakSampler()
        self._warnings = warnings.catch_warnings(record=True)
        self._recorded = self._warnings.__enter__()
        warnings.simplefilter("always")
        self.seconds: dict[str, float] = {}
        self.base_mb, self._cpu = self._sampler.take(), _cpu_seconds()
        self._started = self._clock = time.perf_counter()
        return self

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage], self._clock = now - self._clock, now

    def __exit__(self, *exc: object) -> None:
        self.total = time.perf_counter() - self._started
        self.cpu_s = _cpu_seconds() - self._cpu
        self.peak_mb = self._sampler.take()
        self._sampler.stop()
        self._warnings.__exit__(*exc)

    def report(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "total": self.total,
            "cpu_s": self.cpu_s,
            "peak_mb": self.peak_mb,
            "base_mb": self.base_mb,
            "warnings": sorted(
                {
                    f"{w.category.__name__}: {w.message}"
                    for w in self._recorded
                    if not issubclass(w.category, LIBRARY_WARNINGS)
                }
            ),
        }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fitted(model: Any) -> dict[str, dict[str, float]]:
    """A fitted model's parameters and standard errors (both libraries name them alike)."""
    return {
        "params": {str(k): float(v) for k, v in model.params_.items()},
        "se": {str(k): float(v) for k, v in model.standard_errors_.items()},
    }


def run(orders: Path, cutoff: str) -> tuple[dict[str, Any], Any]:
    """Time each stage of the pipeline; return the report and the per-customer frame."""
    import lifetimes
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    with Stages() as stages:
        df = pd.read_parquet(orders)
        stages.lap("read")
        summary = summary_data_from_transaction_data(
            df,
            "customer_id",
            "ordered_at",
            monetary_value_col="amount",
            observation_period_end=pd.Timestamp(cutoff),
            freq="D",
        )
        stages.lap("summary")
        bgf = BetaGeoFitter(penalizer_coef=0.0)
        bgf.fit(summary["frequency"], summary["recency"], summary["T"])
        stages.lap("beta_geo")
        repeat = summary[summary["frequency"] > 0]
        ggf = GammaGammaFitter(penalizer_coef=0.0)
        ggf.fit(repeat["frequency"], repeat["monetary_value"])
        stages.lap("gamma_gamma")
        clv = ggf.customer_lifetime_value(
            bgf,
            summary["frequency"],
            summary["recency"],
            summary["T"],
            summary["monetary_value"],
            time=12,
            discount_rate=0.01,
            freq="D",
        )
        stages.lap("clv")
    report = {
        **stages.report(),
        "versions": f"lifetimes {lifetimes.__version__}, pandas {pd.__version__}",
        "customers": len(summary),
        "beta_geo": fitted(bgf),
        "gamma_gamma": fitted(ggf),
    }
    frame = summary.assign(clv=clv.to_numpy()).reset_index()
    return report, frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("orders", type=Path)
    parser.add_argument("cutoff")
    parser.add_argument("report", type=Path)
    parser.add_argument("clv", type=Path)
    args = parser.parse_args()
    report, frame = run(args.orders, args.cutoff)
    frame[["customer_id", "frequency", "recency", "T", "monetary_value", "clv"]].to_parquet(
        args.clv, index=False
    )
    args.report.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
