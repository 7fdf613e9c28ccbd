"""The pm4py side of ``bench/journeys.py``, run in its own environment (pm4py is AGPL and is
never a dependency of Empty Chair): load the Parquet log, variants, directly-follows graph.

Usage: ``python _journeys_pm4py.py LOG.parquet OUT.json``
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd
import pm4py


def main(source: str, target: str) -> None:
    times: dict[str, float] = {}
    start = time.perf_counter()
    frame = pd.read_parquet(source)
    frame = pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    times["load"] = time.perf_counter() - start
    start = time.perf_counter()
    found = pm4py.get_variants(frame)
    times["variants"] = time.perf_counter() - start
    start = time.perf_counter()
    dfg, _, _ = pm4py.discover_dfg(frame)
    times["graph"] = time.perf_counter() - start
    variants = {"\x1f".join(v): int(c if isinstance(c, int) else len(c)) for v, c in found.items()}
    edges = {f"{a}\x1f{b}": int(c) for (a, b), c in dfg.items()}
    with open(target, "w", encoding="utf-8") as out:
        json.dump({"times": times, "variants": variants, "edges": edges}, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
