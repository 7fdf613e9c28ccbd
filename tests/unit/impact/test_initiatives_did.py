"""Difference-in-differences on simulated panels whose effect is known."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from emptychair.errors import ModelDataError
from emptychair.impact.did import difference_in_differences, pre_trend_check


def simulate(
    *,
    effect: float = 0.0,
    units: int = 80,
    periods: int = 4,
    drift: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """``units`` customers per group observed in ``periods`` periods before and after the
    start; each has its own level (so observations of a customer are correlated), the
    treated gain ``effect`` after the start and drift apart by ``drift`` per period."""
    rng = np.random.default_rng(seed)
    rows = []
    for group in (True, False):
        levels = rng.normal(0.0, 1.0, units)
        for index, level in enumerate(levels):
            for period in range(-periods, periods):
                y = 3.0 + level + 0.1 * period + rng.normal(0.0, 0.5)
                y += (effect if period >= 0 else 0.0) * group + drift * period * group
                rows.append(
                    {
                        "unit": f"{'T' if group else 'C'}{index}",
                        "treated": group,
                        "post": period >= 0,
                        "period": period,
                        "y": y,
                    }
                )
    return pd.DataFrame(rows)


def reference(frame: pd.DataFrame) -> tuple[float, float]:
    """OLS of y on (1, T, P, T×P) with the cluster-robust sandwich, in numpy."""
    t = frame["treated"].to_numpy(float)
    p = frame["post"].to_numpy(float)
    x = np.column_stack([np.ones(len(frame)), t, p, t * p])
    y = frame["y"].to_numpy(float)
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    residual = y - x @ beta
    scores = pd.DataFrame(x * residual[:, None]).groupby(frame["unit"].to_numpy()).sum()
    meat = scores.to_numpy().T @ scores.to_numpy()
    clusters = len(scores)
    covariance = clusters / (clusters - 1) * bread @ meat @ bread
    return float(beta[3]), float(np.sqrt(covariance[3, 3]))


def test_matches_the_cluster_robust_regression() -> None:
    frame = simulate(effect=0.3, seed=1)
    # an unbalanced panel: drop a third of the observations at random
    frame = frame.sample(frac=0.66, random_state=2)
    result = difference_in_differences(ibis.memtable(frame))
    estimate, std_error = reference(frame)
    assert result.estimate == pytest.approx(estimate, rel=1e-9)
    assert result.std_error == pytest.approx(std_error, rel=1e-9)
    assert result.clusters == frame["unit"].nunique()


def test_a_planted_effect_is_recovered_with_an_interval_covering_it() -> None:
    result = difference_in_differences(ibis.memtable(simulate(effect=0.4, seed=3)))
    assert result.low < 0.4 < result.high
    assert result.significant and result.low > 0
    cells = result.cells.set_index(["group", "window"])["mean"]
    changes = (cells["treated", "post"] - cells["treated", "pre"]) - (
        cells["comparison", "post"] - cells["comparison", "pre"]
    )
    assert changes == pytest.approx(result.estimate)


def test_null_initiatives_are_rarely_called_effects() -> None:
    runs = 50
    false_positives = sum(
        difference_in_differences(ibis.memtable(simulate(units=40, periods=2, seed=s))).significant
        for s in range(runs)
    )
    # P(X > bound) < 0.001 for X ~ Binomial(50, 0.05)
    bound = int(stats.binom.ppf(0.999, runs, 0.05))
    assert false_positives <= bound


def test_intervals_cover_a_planted_effect_at_their_level() -> None:
    runs = 50
    covered = 0
    for seed in range(runs):
        result = difference_in_differences(
            ibis.memtable(simulate(effect=0.25, units=40, periods=2, seed=100 + seed))
        )
        covered += result.low < 0.25 < result.high
    assert covered >= int(stats.binom.ppf(0.001, runs, 0.95))


def test_the_placebo_finds_a_pre_trend() -> None:
    frame = simulate(effect=0.0, drift=0.2, seed=4)
    pre = ibis.memtable(frame[~frame["post"]])
    placebo = pre_trend_check(pre, split=pre["period"] >= -2)
    assert placebo.significant and placebo.estimate > 0
    parallel = simulate(effect=0.5, seed=5)
    pre = ibis.memtable(parallel[~parallel["post"]])
    assert not pre_trend_check(pre, split=pre["period"] >= -2).significant


def test_an_empty_comparison_group_is_named() -> None:
    frame = simulate(seed=6)
    with pytest.raises(ModelDataError, match="comparison group is empty"):
        difference_in_differences(ibis.memtable(frame[frame["treated"]]))


def test_too_few_customers_is_named() -> None:
    frame = simulate(units=12, seed=7)
    with pytest.raises(ModelDataError, match=r"12 customer.* fewer than the 30 needed"):
        difference_in_differences(ibis.memtable(frame))
    assert difference_in_differences(ibis.memtable(frame), min_units=10).clusters == 24


def test_no_data_after_the_start_is_named() -> None:
    frame = simulate(seed=8)
    with pytest.raises(ModelDataError, match="targeted group has no data after the start"):
        difference_in_differences(ibis.memtable(frame[~(frame["post"] & frame["treated"])]))
