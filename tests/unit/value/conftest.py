"""Data with known answers for the value models: the CDNOW sample and its published
estimates, and summaries simulated from known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.value_data import lifetimes_dataset, simulate_summary

__all__ = ["assert_gradient_matches", "simulate_summary"]


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
    model: object, data: dict, params: np.ndarray, rtol: float = 1e-5
) -> None:
    """The model's analytic gradient equals central finite differences of its
    log-likelihood (summed over the rows with their weights)."""
    weighted = model._weighted  # type: ignore[attr-defined]
    _, analytic = weighted(params, data)
    numeric = np.empty(len(params))
    for j in range(len(params)):
        step = np.zeros(len(params))
        step[j] = 1e-6 * params[j]
        numeric[j] = (weighted(params + step, data)[0] - weighted(params - step, data)[0]) / (
            2 * step[j]
        )
    np.testing.assert_allclose(analytic, numeric, rtol=rtol)
