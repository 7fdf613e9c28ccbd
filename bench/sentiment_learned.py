"""Learned and combined sentiment for ``bench/sentiment.py``: learning from a split's own scores.

For every split that carries scores a company would have (the English clothing test split's
stars, the demo company's NPS / CSAT / CES) — never cx-eval, which is for measuring only —
:func:`emptychair.voice.crossfit.learn_from_scores` learns from those scores with 5-fold
cross-fitting and the three methods are measured on the same rows: the shipped model, the learned
model and their combination, each row scored by models that never saw its score. Long splits are
cut to their first :data:`LEARN_ROWS` rows to keep the run short.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from emptychair.voice.crossfit import METHODS, learn_from_scores

LEARN_ROWS = 3_000


def learned_rows(split: Any) -> list[dict[str, Any]]:
    """One row per method (shipped, learned, combined) on the split's first rows."""
    from sentiment import agreement

    if split.scores is None:
        return []
    size = min(len(split.texts), LEARN_ROWS)
    scale = split.scale_max if np.isscalar(split.scale_max) else split.scale_max[:size]
    chosen = replace(
        split,
        name=f"{split.name} · learn from scores ({size:,} rows)",
        texts=split.texts[:size],
        ratings=split.scores[:size],
        binary=split.binary[:size],
        role="learned from its own scores (cross-fitted), evaluated out of fold",
    )
    started = time.perf_counter()
    learned = learn_from_scores(chosen.texts, chosen.ratings, scale, split.language)
    seconds = time.perf_counter() - started
    used = learned.chosen.get(split.language, "shipped")
    rows = []
    for method in METHODS:
        sentiment = learned.rows[method].to_numpy(dtype=float)
        if np.isnan(sentiment).all():
            continue
        measured = agreement(chosen, sentiment, seconds)
        name = f"{method} (cross-fitted)" if method != "shipped" else "shipped model"
        rows.append(
            {"split": chosen.name, "method": name + (" ← used" if method == used else ""),
             "role": chosen.role, **measured}
        )  # fmt: skip
    return rows
