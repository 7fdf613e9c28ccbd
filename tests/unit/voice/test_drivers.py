"""Key-driver analysis against known truth: exact Shapley values and planted driver effects."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import vl_convert

from emptychair.errors import InvalidParameterError
from emptychair.voice.charts import drivers_quadrant
from emptychair.voice.drivers import (
    _covariance,
    _weights_from_covariance,
    key_drivers,
    quadrant_thresholds,
    relative_weights,
)


def r_squared(x: np.ndarray, y: np.ndarray, columns: list[int]) -> float:
    if not columns:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, columns]])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coefficients
    centred = y - y.mean()
    return float(1 - residuals @ residuals / (centred @ centred))


def shapley(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact Shapley (LMG) decomposition of R², by brute force over every subset."""
    p = x.shape[1]
    values = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for subset in itertools.combinations(others, size):
                gain = r_squared(x, y, [*subset, j]) - r_squared(x, y, list(subset))
                values[j] += weight * gain
    return values


def correlated(seed: int, rho: float, n: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    correlation = np.full((4, 4), rho) + (1 - rho) * np.eye(4)
    x = rng.multivariate_normal(np.zeros(4), correlation, size=n)
    y = x @ np.array([0.5, 0.3, 0.1, 0.0]) + rng.normal(size=n)
    return pd.DataFrame(x, columns=["a", "b", "c", "d"]), y


def test_independent_predictors_weigh_their_squared_correlation():
    rng = np.random.default_rng(3)
    raw = rng.normal(size=(4000, 3))
    q, _ = np.linalg.qr(raw - raw.mean(axis=0))  # exactly uncorrelated, centred columns
    x = pd.DataFrame(q * np.sqrt(len(q)), columns=["a", "b", "c"])
    y = x.to_numpy() @ np.array([0.6, -0.3, 0.1]) + rng.normal(size=len(x))
    weights = relative_weights(x, y)
    correlations = np.array([np.corrcoef(x[c], y)[0, 1] for c in x.columns])
    assert weights.to_numpy() == pytest.approx(correlations**2, abs=1e-12)
    assert weights.sum() == pytest.approx(r_squared(x.to_numpy(), y, [0, 1, 2]), abs=1e-12)


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.5, 0.7])
def test_weights_approximate_the_exact_shapley_decomposition(rho):
    # Measured over seeds 0-4: the largest gap is 0.77 % of R² (at rho = 0.7), 0.01 % at rho = 0.
    x, y = correlated(seed=int(10 * rho), rho=rho)
    weights = relative_weights(x, y).to_numpy()
    exact = shapley(x.to_numpy(), y)
    total = r_squared(x.to_numpy(), y, [0, 1, 2, 3])
    assert weights.sum() == pytest.approx(total, abs=1e-10)
    assert exact.sum() == pytest.approx(total, abs=1e-10)
    assert np.abs(weights - exact).max() <= 0.01 * total
    assert list(np.argsort(-weights)) == list(np.argsort(-exact))


def test_constant_and_duplicated_drivers():
    x, y = correlated(seed=1, rho=0.3)
    x["never"] = 0.0
    x["a_again"] = x["a"]
    weights = relative_weights(x, y)
    assert weights["never"] == 0.0
    assert weights["a"] == pytest.approx(weights["a_again"], abs=1e-12)
    assert weights.sum() == pytest.approx(r_squared(x.to_numpy(), y, [0, 1, 2, 3]), abs=1e-10)
    analysis = key_drivers(x.assign(y=y), "y", list(x.columns), resamples=0, min_mentions=0)
    notes = " ".join(analysis.notes)
    assert "never" in notes and "a, a_again" in notes and "collinear" in notes


def planted(seed: int, n: int = 3000) -> tuple[pd.DataFrame, dict[str, float], np.ndarray]:
    """Indicators with known effects and a known covariance (one correlated pair)."""
    rng = np.random.default_rng(seed)
    shares = {"delivery:negative": 0.3, "price:negative": 0.2, "staff:positive": 0.25}
    effects = {"delivery:negative": -0.25, "price:negative": -0.1, "staff:positive": 0.05}
    columns = {name: (rng.random(n) < share).astype(float) for name, share in shares.items()}
    # waiting:negative copies delivery:negative half of the time, else is Bernoulli(0.1)
    copy = rng.random(n) < 0.5
    columns["waiting:negative"] = np.where(copy, columns["delivery:negative"], rng.random(n) < 0.1)
    effects["waiting:negative"] = -0.05
    frame = pd.DataFrame(columns)
    noise = 0.15
    frame["score"] = 0.7 + frame[list(effects)].to_numpy() @ np.array(list(effects.values()))
    frame["score"] += rng.normal(0, noise, n)
    # population covariance of [X, y]
    variance = np.diag([s * (1 - s) for s in shares.values()] + [0.0])
    p_wait = 0.5 * 0.3 + 0.5 * 0.1
    variance[3, 3] = p_wait * (1 - p_wait)
    variance[0, 3] = variance[3, 0] = 0.5 * 0.3 * 0.7
    beta = np.array(list(effects.values()))
    population = np.zeros((5, 5))
    population[:4, :4] = variance
    population[:4, 4] = population[4, :4] = variance @ beta
    population[4, 4] = beta @ variance @ beta + noise**2
    return frame, effects, _weights_from_covariance(population)


def test_planted_drivers_are_ranked_and_their_population_weights_covered():
    # waiting:negative has a small effect but copies delivery:negative half of the time, so it
    # shares part of delivery's weight: its population weight (0.093) is above price's (0.039).
    covered = []
    for seed in range(5):
        frame, effects, truth = planted(seed)
        analysis = key_drivers(frame, "score", list(effects), seed=seed)
        table = analysis.table.set_index("driver").loc[list(effects)]
        assert list(analysis.table["driver"]) == [list(effects)[i] for i in np.argsort(-truth)]
        assert table.loc["delivery:negative", "effect"] == pytest.approx(-0.25, abs=0.02)
        assert table.loc["staff:positive", "effect"] > 0
        assert table["weight"].sum() == pytest.approx(analysis.r_squared)
        assert table["share"].sum() == pytest.approx(1.0)
        covered.extend((table["low"] <= truth) & (truth <= table["high"]))
    assert sum(covered) >= 18  # 95 % intervals: 19 of 20 expected; 20 measured


def test_table_columns_quadrants_and_small_drivers():
    frame, effects, _ = planted(0)
    frame["returns:negative"] = 0.0
    frame.loc[:9, "returns:negative"] = 1.0
    analysis = key_drivers(frame, "score", [*effects, "returns:negative"], resamples=50)
    table = analysis.table.set_index("driver")
    assert list(analysis.table.columns) == [
        *("driver", "weight", "share", "low", "high", "effect", "mentions", "performance"),
        *("quadrant", "small", "rank"),
    ]
    assert table.loc["returns:negative", "small"]
    assert pd.isna(table.loc["returns:negative", "rank"])
    assert pd.isna(table.loc["returns:negative", "quadrant"])
    assert analysis.table["driver"].iloc[-1] == "returns:negative"
    assert table.loc["delivery:negative", "mentions"] == int(frame["delivery:negative"].sum())
    present = frame["delivery:negative"] == 1
    assert table.loc["delivery:negative", "performance"] == pytest.approx(
        frame.loc[present, "score"].mean()
    )
    assert table.loc["delivery:negative", "quadrant"] == "fix first"
    assert table.loc["staff:positive", "quadrant"] == "low priority"
    importance, performance = quadrant_thresholds(analysis.table)
    assert importance == pytest.approx(table.loc[~table["small"], "weight"].mean())
    assert performance == pytest.approx(table.loc[~table["small"], "performance"].mean())
    assert analysis.responses == len(frame)


def test_seed_reproduces_the_intervals():
    frame, effects, _ = planted(2)
    first = key_drivers(frame, "score", list(effects), resamples=60, seed=7).table
    again = key_drivers(frame, "score", list(effects), resamples=60, seed=7).table
    other = key_drivers(frame, "score", list(effects), resamples=60, seed=8).table
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["low"], other["low"])


def test_bootstrap_counts_match_a_row_by_row_covariance():
    rng = np.random.default_rng(5)
    rows = np.column_stack([rng.random((50, 3)) < 0.2, rng.normal(5, 1, 50)]).astype(float)
    counts = rng.multinomial(50, np.full(50, 1 / 50), size=3).astype(float)
    expected = [np.cov(np.repeat(rows, c.astype(int), axis=0).T, bias=True) for c in counts]
    assert _covariance(rows, counts) == pytest.approx(np.array(expected), abs=1e-12)


def test_missing_outcomes_are_left_out_with_a_note():
    frame, effects, _ = planted(1)
    frame.loc[:99, "score"] = np.nan
    analysis = key_drivers(frame, "score", list(effects), resamples=0)
    assert analysis.responses == len(frame) - 100
    assert any("100 answers without an outcome" in note for note in analysis.notes)
    assert analysis.table["low"].isna().all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(score=0.5), "same for every answer"),
        (lambda f: f.head(4), "Too few answers"),
        (lambda f: f.assign(score=np.nan), "no answers with an outcome"),
        (lambda f: f.assign(**{"price:negative": "yes"}), "'price:negative' is not numeric"),
        (lambda f: f.assign(**{"price:negative": np.nan}), "'price:negative' has 3000 missing"),
        (lambda f: f.drop(columns="staff:positive"), "no column 'staff:positive'"),
    ],
)
def test_bad_frames_are_refused_with_the_reason(change, message):
    frame, effects, _ = planted(0)
    with pytest.raises(InvalidParameterError, match=message.replace("(", r"\(")):
        key_drivers(change(frame), "score", list(effects))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"drivers": "price:negative"}, "non-empty list"),
        ({"drivers": ["price:negative", "price:negative"]}, "twice"),
        ({"drivers": ["score"]}, "cannot also be a driver"),
        ({"level": 1.5}, "level must be between 0 and 1"),
        ({"resamples": -1}, "resamples must be a whole number"),
    ],
)
def test_bad_arguments_are_refused(arguments, message):
    frame, effects, _ = planted(0)
    call = {"frame": frame, "outcome": "score", "drivers": list(effects), **arguments}
    with pytest.raises(InvalidParameterError, match=message):
        key_drivers(**call)


def test_quadrant_chart_renders():
    frame, effects, _ = planted(0)
    table = key_drivers(frame, "score", list(effects), resamples=30).table
    spec = drivers_quadrant(table, title="What moves NPS")
    assert spec["title"] == "What moves NPS"
    assert len(spec["data"]["values"]) == len(table)
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and "delivery:negative" in svg
