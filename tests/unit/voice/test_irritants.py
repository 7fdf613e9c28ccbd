"""Irritants and the lapsing comparison, on simulated answers with planted effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.irritants import irritants, lapsing_comparison

# theme -> (share of answers mentioning it negatively, drop of the 0-1 score)
PLANTED = {"delivery": (0.20, 0.30), "billing": (0.05, 0.40), "store": (0.30, 0.02)}


def simulate(n: int = 20_000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = [f"F{i:06d}" for i in range(n)]
    level = np.full(n, 0.7)
    mentions = []
    for theme, (share, drop) in PLANTED.items():
        hit = rng.random(n) < share
        level -= drop * hit
        mentions += [(ids[i], theme, "negative") for i in np.flatnonzero(hit)]
        # Positive mentions of the same theme do not make it an irritant.
        happy = ~hit & (rng.random(n) < 0.1)
        mentions += [(ids[i], theme, "positive") for i in np.flatnonzero(happy)]
    kind = np.where(rng.random(n) < 0.5, "nps", "csat")
    scale = np.where(kind == "nps", 10, 5)
    score = np.clip(np.round((level + rng.normal(0, 0.15, n)) * scale), 0, scale)
    answers = pd.DataFrame(
        {
            "feedback_id": ids,
            "customer_id": [f"C{i % (n // 2):06d}" for i in range(n)],
            "kind": kind,
            "score": score,
            "scale_max": scale,
        }
    )
    return answers, pd.DataFrame(mentions, columns=["feedback_id", "theme", "label"])


def test_frequency_and_impact_recover_the_planted_effects() -> None:
    answers, mentions = simulate()
    table = irritants(answers, mentions).set_index("theme")
    for theme, (share, drop) in PLANTED.items():
        row = table.loc[theme]
        assert row["frequency"] == pytest.approx(share, abs=0.01)
        # Rounding to the scale blurs the drop a little; the interval must still hold it.
        assert row["impact"] == pytest.approx(drop, abs=0.02)
        assert row["impact_low"] < row["impact"] < row["impact_high"]
    # Priority = impact x frequency: delivery (0.06) before billing (0.02) before store.
    assert table.sort_values("rank").index.tolist() == ["delivery", "billing", "store"]
    assert table["value_at_risk"].isna().all()


def test_value_at_risk_sums_clv_weighted_by_probability_alive_per_customer() -> None:
    answers = pd.DataFrame(
        {
            "feedback_id": ["F1", "F2", "F3", "F4"],
            "customer_id": ["A", "A", "B", "C"],
            "kind": "nps",
            "score": [2, 3, 9, 10],
            "scale_max": 10,
        }
    )
    mentions = pd.DataFrame(
        {
            "feedback_id": ["F1", "F2", "F3", "F4"],
            "theme": ["delivery"] * 4,
            "label": ["negative", "negative", "negative", "positive"],
        }
    )
    value = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "clv": [100.0, 50.0, 80.0],
            "probability_alive": [0.5, 1.0, 0.9],
        }
    )
    row = irritants(answers, mentions, value, min_mentions=1).iloc[0]
    # A counts once although it raised the theme twice; C's mention is positive.
    assert row["customers"] == 2
    assert row["value_at_risk"] == pytest.approx(100 * 0.5 + 50 * 1.0)
    assert row["customers_valued"] == 2
    assert row["frequency"] == pytest.approx(0.75)


def test_small_themes_are_flagged_not_ranked() -> None:
    answers, mentions = simulate(n=2_000)
    table = irritants(answers, mentions, min_mentions=200).set_index("theme")
    assert bool(table.loc["billing", "small"])  # about 100 negative mentions
    assert pd.isna(table.loc["billing", "rank"])
    assert table.loc["delivery", "rank"] == 1


def test_bad_inputs_name_the_problem() -> None:
    answers, mentions = simulate(n=100)
    with pytest.raises(ModelDataError, match="'scale_max'"):
        irritants(answers.drop(columns="scale_max"), mentions)
    with pytest.raises(ModelDataError, match="no answers"):
        irritants(answers.iloc[:0], mentions)
    # Scores outside their scale count for the frequency, never for the impact.
    broken = answers.assign(score=answers["score"] + 100)
    table = irritants(broken, mentions, min_mentions=1)
    assert table["impact"].isna().all()
    assert table["frequency"].gt(0).all()


def test_lapsing_customers_who_raise_a_theme_more_are_found_and_nothing_else() -> None:
    rng = np.random.default_rng(3)
    n = 8_000
    ids = [f"F{i}" for i in range(n)]
    lapsing = rng.random(n) < 0.3
    rows = []
    for i in range(n):
        # Delivery: 25 % of lapsing answers vs 10 % of retained; billing: 8 % for both.
        if rng.random() < (0.25 if lapsing[i] else 0.10):
            rows.append((ids[i], "delivery", "negative"))
        if rng.random() < 0.08:
            rows.append((ids[i], "billing", "negative"))
    answers = pd.DataFrame({"feedback_id": ids, "customer_id": [f"C{i}" for i in range(n)]})
    value = pd.DataFrame(
        {
            "customer_id": answers["customer_id"],
            "probability_alive": np.where(lapsing, 0.2, 0.9),
        }
    )
    mentions = pd.DataFrame(rows, columns=["feedback_id", "theme", "label"])
    table = lapsing_comparison(answers, mentions, value).set_index("theme")
    assert table.loc["delivery", "lapsing_share"] == pytest.approx(0.25, abs=0.02)
    assert table.loc["delivery", "retained_share"] == pytest.approx(0.10, abs=0.01)
    assert bool(table.loc["delivery", "significant"])
    assert not bool(table.loc["billing", "significant"])
    assert table.index[0] == "delivery"


def test_lapsing_comparison_needs_both_groups() -> None:
    answers = pd.DataFrame({"feedback_id": ["F1"], "customer_id": ["A"]})
    mentions = pd.DataFrame({"feedback_id": ["F1"], "theme": ["delivery"], "label": ["negative"]})
    value = pd.DataFrame({"customer_id": ["A"], "probability_alive": [0.9]})
    with pytest.raises(ModelDataError, match="both groups"):
        lapsing_comparison(answers, mentions, value)
    with pytest.raises(InvalidParameterError, match="threshold"):
        lapsing_comparison(answers, mentions, value, threshold=1.5)
