"""Data with known answers for the value models: the CDNOW data sets that the
``lifetimes`` wheel ships, and RFM summaries simulated from known parameters."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair.demo.orders import simulate_bgnbd


def lifetimes_dataset(name: str) -> Path:
    """A data set shipped in the ``lifetimes`` wheel (read as data, not imported)."""
    try:
        path = Path(
            str(metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}"))
        )
    except metadata.PackageNotFoundError:
        pytest.skip("the lifetimes package (test extra) ships the CDNOW data sets")
    return path


def simulate_summary(
    n: int,
    *,
    r: float = 0.243,
    alpha: float = 4.414,
    a: float = 0.793,
    b: float = 2.426,
    p: float = 6.25,
    q: float = 3.74,
    v: float = 15.44,
    seed: int = 7,
) -> pd.DataFrame:
    """RFM summary of ``n`` customers drawn from BG/NBD and Gamma-Gamma, observed for
    39 to 78 weeks (continuous times, as the models assume)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    dropout = rng.beta(a, b, n)
    age = rng.uniform(39, 78, n)
    owner, when, repeats, _ = simulate_bgnbd(rng, lam, dropout, age)
    recency = np.zeros(n)
    np.maximum.at(recency, owner, when)
    nu = rng.gamma(q, 1 / v, n)
    shape = p * np.maximum(repeats, 1)
    mean_spend = rng.gamma(shape, 1 / (nu * np.maximum(repeats, 1)))
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "frequency": repeats,
            "recency": recency,
            "T": age,
            "monetary_value": np.where(repeats > 0, mean_spend, 0.0),
        }
    )
