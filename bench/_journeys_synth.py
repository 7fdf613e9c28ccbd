"""Synthetic event logs for ``bench/journeys.py``: journeys drawn from a Markov chain.

Each journey has 1 + Geometric(0.2) steps (at most 20) over 20 activities; from each activity
the next one is one of three successors with probabilities 0.7, 0.2 and 0.1. Steps are at
least one second apart, so the order of the events of a journey never depends on ties.
Columns use pm4py's names: ``case:concept:name`` (int64), ``concept:name``, ``time:timestamp``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ACTIVITIES = np.array([f"activity_{i:02d}" for i in range(20)])
SEED = 20261123


def write_log(events: int, path: Path, seed: int = SEED) -> Path:
    """Write about ``events`` events to ``path`` (Parquet) and return it."""
    rng = np.random.default_rng(seed)
    lengths = np.minimum(1 + rng.geometric(0.2, size=events // 4 + 1) - 1, 20)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), events) + 1]
    n = int(lengths.sum())
    case = np.repeat(np.arange(1, len(lengths) + 1, dtype=np.int64), lengths)
    first = np.zeros(n, dtype=bool)
    first[np.concatenate([[0], np.cumsum(lengths)[:-1]])] = True
    successors = (np.arange(20)[:, None] + np.array([1, 3, 7])[None, :]) % 20
    choice = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    start = rng.integers(0, 20, size=n)
    position = np.arange(n) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    codes = np.empty(n, dtype=np.int64)
    codes[first] = start[first]
    for step in range(1, 20):  # every journey's step ``step`` from its step ``step - 1``
        here = np.nonzero(position == step)[0]
        codes[here] = successors[codes[here - 1], choice[here]]
    begin = rng.integers(0, 365 * 86_400, size=len(lengths))
    gaps = 1 + rng.exponential(3_600, size=n).astype(np.int64)
    gaps[first] = 0
    offsets = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], lengths)
    seconds = np.repeat(begin, lengths) + offsets + 1_700_000_000
    table = pa.table(
        {
            "case:concept:name": case,
            "concept:name": pa.array(ACTIVITIES[codes]),
            "time:timestamp": pa.array(seconds * 1000, pa.timestamp("ms")),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return path
