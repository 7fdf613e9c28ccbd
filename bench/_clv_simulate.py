r"""Simulated order history for the CLV benchmark: BG/NBD purchases, Gamma-Gamma amounts.

Each customer draws a purchase rate :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` (per week,
:math:`\alpha` a rate) and a dropout probability :math:`p \sim \mathrm{Beta}(a, b)`. The
first purchase falls uniformly in the first 12 weeks; the observation ends at week 78 (the
cut-off). Repeat purchases arrive as a Poisson process of rate :math:`\lambda`, and after
each repeat purchase the customer drops out with probability :math:`p` (Fader, Hardie and
Lee 2005, "Counting your customers the easy way"). Every order's amount is
:math:`\mathrm{Gamma}(p, \nu)` with a per-customer :math:`\nu \sim \mathrm{Gamma}(q, \gamma)`
(Fader, Hardie and Lee 2005, "RFM and CLV: using iso-value curves").

The parameters are the CDNOW estimates. With this window a customer places 2.78 orders on
average (1 + 1.78 repeats), so 1M customers give about 2.8 million orders.

The file has the columns ``customer_id`` (string), ``ordered_at`` (timestamp in microseconds,
with a time of day) and ``amount`` (float64, in cents' precision), rows shuffled within each
chunk of customers; a JSON file beside it records the truth and the window. The benchmark
calls :func:`ensure`, which runs this file as a script when the file is missing
(``python bench/_clv_simulate.py 1000000 bench/_data/clv_1000000.parquet``), in chunks of a
million customers, so that 10M customers take well under a gigabyte. :func:`exact_summary`
gives the per-customer statistics before any grouping by day, to check the simulation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BETA_GEO = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}  # alpha per week
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}
START = dt.datetime(2024, 1, 1)
ENTRY_WEEKS = 12.0
CUTOFF_WEEKS = 78.0
CHUNK = 1_000_000
SEED = 20_051_001
MICROSECONDS_PER_WEEK = 7 * 86_400 * 1_000_000


def cutoff() -> dt.datetime:
    """End of the observation (exclusive: every order is strictly before it)."""
    return START + dt.timedelta(weeks=CUTOFF_WEEKS)


def _repeat_times(
    rng: np.random.Generator, weeks: np.ndarray, repeats: np.ndarray, arrivals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Times (weeks after the first purchase) of each customer's first ``repeats`` arrivals.

    Given ``arrivals`` Poisson events in ``(0, weeks)``, their times are uniform order
    statistics; the customer makes the first ``repeats`` of them before dropping out.
    """
    owner = np.repeat(np.arange(len(weeks)), arrivals)
    key = np.sort(owner + rng.random(len(owner)))  # sorts by customer, then by time
    owner = key.astype(np.int64)
    fraction = key - owner
    starts = np.cumsum(arrivals) - arrivals
    rank = np.arange(len(owner)) - starts[owner]
    keep = rank < repeats[owner]
    return owner[keep], fraction[keep] * weeks[owner[keep]]


def simulate_chunk(rng: np.random.Generator, first_id: int, customers: int) -> pa.Table:
    """Orders of customers ``first_id`` … ``first_id + customers - 1``."""
    bg, gg = BETA_GEO, GAMMA_GAMMA
    rate = rng.gamma(bg["r"], 1 / bg["alpha"], customers)
    dropout = rng.beta(bg["a"], bg["b"], customers)
    first = rng.uniform(0, ENTRY_WEEKS, customers)
    weeks = CUTOFF_WEEKS - first
    arrivals = rng.poisson(rate * weeks)
    repeats = np.minimum(arrivals, rng.geometric(dropout))
    owner, after = _repeat_times(rng, weeks, repeats, arrivals)
    owner = np.concatenate([np.arange(customers), owner])
    at_week = np.concatenate([first, first[owner[customers:]] + after])
    scale = rng.gamma(gg["q"], 1 / gg["v"], customers)
    amount = np.maximum(np.round(rng.gamma(gg["p"], 1 / scale[owner]), 2), 0.01)
    shuffle = rng.permutation(len(owner))
    owner, at_week, amount = owner[shuffle], at_week[shuffle], amount[shuffle]
    numbers = pa.array(np.arange(first_id, first_id + customers))
    ids = pc.binary_join_element_wise("C", pc.utf8_lpad(pc.cast(numbers, pa.string()), 9, "0"), "")
    start = int(START.replace(tzinfo=dt.UTC).timestamp() * 1_000_000)
    micros = start + np.floor(at_week * MICROSECONDS_PER_WEEK).astype(np.int64)
    return pa.table(
        {
            "customer_id": ids.take(pa.array(owner)),
            "ordered_at": pa.array(micros, type=pa.timestamp("us")),
            "amount": pa.array(amount, type=pa.float64()),
        }
    )


def manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def simulate(path: Path, customers: int, seed: int = SEED) -> dict[str, Any]:
    """Write ``customers`` customers' orders to ``path`` in chunks; return the manifest."""
    started = time.perf_counter()
    rng = np.random.default_rng([seed, customers])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    rows = 0
    schema = pa.schema(
        [("customer_id", pa.string()), ("ordered_at", pa.timestamp("us")), ("amount", pa.float64())]
    )
    with pq.ParquetWriter(partial, schema) as writer:
        for first_id in range(0, customers, CHUNK):
            table = simulate_chunk(rng, first_id, min(CHUNK, customers - first_id))
            rows += table.num_rows
            writer.write_table(table, row_group_size=1_000_000)
    partial.replace(path)
    manifest = {
        "customers": customers,
        "rows": rows,
        "orders_per_customer": rows / customers,
        "seed": seed,
        "beta_geo": BETA_GEO,
        "gamma_gamma": GAMMA_GAMMA,
        "start": START.isoformat(),
        "cutoff": cutoff().isoformat(),
        "entry_weeks": ENTRY_WEEKS,
        "cutoff_weeks": CUTOFF_WEEKS,
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - started, 1),
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2))
    return manifest


def cached(path: Path, customers: int) -> dict[str, Any] | None:
    """The manifest of an existing file for ``customers`` customers, or None."""
    meta = manifest_path(path)
    if not (path.exists() and meta.exists()):
        return None
    manifest = dict(json.loads(meta.read_text()))
    same = manifest.get("customers") == customers and manifest.get("bytes") == path.stat().st_size
    return manifest if same else None


def exact_summary(orders: Any, cutoff: dt.datetime) -> Any:
    """The RFM summary of an Ibis table of orders without grouping by day.

    Exact times (in days) and every order's amount: fitting it shows what the simulation
    gives before the grouping by day that RFM summaries do.
    """
    import ibis

    day = orders.ordered_at.epoch_seconds() / 86_400
    end = cutoff.replace(tzinfo=dt.UTC).timestamp() / 86_400
    per = orders.group_by("customer_id").aggregate(
        n=orders.count(),
        first=day.min(),
        last=day.max(),
        spend=orders.amount.sum(),
        first_amount=orders.amount.argmin(day),
    )
    repeat = (per.spend - per.first_amount) / (per.n - 1)
    return per.select(
        frequency=per.n - 1,
        recency=per.last - per.first,
        T=end - per.first,
        monetary_value=ibis.ifelse(per.n > 1, repeat, 0.0),
    ).to_pandas()


def ensure(folder: Path, customers: int) -> tuple[Path, dict[str, Any]]:
    """The file of ``customers`` customers' orders, simulated in a child process if missing."""
    path = folder / f"clv_{customers}.parquet"
    manifest = cached(path, customers)
    if manifest is None:
        script = str(Path(__file__).resolve())
        subprocess.run([sys.executable, script, str(customers), str(path)], check=True)
        manifest = cached(path, customers)
    if manifest is None:
        raise SystemExit(f"simulating {customers:,} customers into {path} failed")
    return path, manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("customers", type=int)
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    manifest = simulate(args.path, args.customers)
    print(
        f"simulated {manifest['customers']:,} customers, {manifest['rows']:,} orders "
        f"({manifest['orders_per_customer']:.3f} per customer) in {manifest['seconds']} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
