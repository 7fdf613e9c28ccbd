"""Data with known answers for the value models: the CDNOW sample and its published
estimates, and summaries simulated from known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.value_data import lifetimes_dataset, simulate_summary

__all__ = ["assert_gradient_matches", "awkward_histories", "simulate_summary"]


@pytest.fixture(scope="session")
def cdnow() -> pd.DataFrame:
    """The 2,357 CDNOW customers of Fader, Hardie and Lee (2005), in weeks, with the
    mean value of their repeat purchases."""
    frame = pd.read_csv(lifetimes_dataset("cdnow_customers_summary_with_transactions.csv"))
    return frame.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="session")
def cdnow_summary() -> pd.DataFrame:
    """The same customers as published in the papers (``frequency``, ``recency``, ``T``
    rounded to two decimals, as shipped in the lifetimes wheel)."""
    return pd.read_csv(lifetimes_dataset("cdnow_customers_summary.csv"))


def assert_gradient_matches(
    model: object,
    data: dict,
    params: np.ndarray,
    rtol: float = 1e-5,
    relative_step: float = 1e-6,
) -> None:
    """The model's analytic gradient equals five-point finite differences of its
    log-likelihood (summed over the rows with their weights)."""
    weighted = model._weighted  # type: ignore[attr-defined]
    _, analytic = weighted(params, data)
    numeric = np.empty(len(params))
    for j in range(len(params)):
        step = np.zeros(len(params))
        step[j] = relative_step * params[j]
        values = [weighted(params + k * step, data)[0] for k in (-2, -1, 1, 2)]
        numeric[j] = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * step[j])
    np.testing.assert_allclose(analytic, numeric, rtol=rtol)


def awkward_histories(seed: int = 0) -> dict[str, np.ndarray]:
    """Purchase histories for gradient checks: 200 ordinary customers plus extreme ones
    (5,000 purchases, T of 100,000), with weights."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.integers(0, 40, 200), [0, 5000, 400]]).astype(float)
    T = np.concatenate([rng.uniform(0.1, 40, 200), [1e5, 1e5, 6.0]])
    t_x = np.where(x > 0, T * rng.uniform(size=len(x)), 0.0)
    weight = rng.integers(1, 5, len(x)).astype(float)
    return {"x": x, "t_x": t_x, "T": T, "_weight": weight}
