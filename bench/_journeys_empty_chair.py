"""The Empty Chair side of ``bench/journeys.py``: read the Parquet log, variants, graph.

Usage: ``python _journeys_empty_chair.py LOG.parquet OUT.json``
"""

from __future__ import annotations

import json
import sys
import time

# imported before the clock starts, like pm4py and pandas on the other side
import ibis.backends.duckdb.converter  # noqa: F401

from emptychair.journeys import directly_follows, read_event_log, variants


def main(source: str, target: str) -> None:
    times: dict[str, float] = {}
    start = time.perf_counter()
    log = read_event_log(source)
    times["load"] = time.perf_counter() - start
    start = time.perf_counter()
    found = variants(log)
    times["variants"] = time.perf_counter() - start
    start = time.perf_counter()
    graph = directly_follows(log)
    times["graph"] = time.perf_counter() - start
    result = {
        "times": times,
        "excluded": log.excluded,
        "variants": {
            "\x1f".join(v): int(c) for v, c in zip(found["variant"], found["journeys"], strict=True)
        },
        "edges": {
            f"{a}\x1f{b}": int(c)
            for a, b, c in zip(graph["source"], graph["target"], graph["transitions"], strict=True)
        },
    }
    with open(target, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
