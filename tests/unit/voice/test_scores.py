"""NPS, CSAT and CES summaries and period comparisons on answers whose result is known."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.intervals import nps_interval, wilson_interval
from emptychair.voice.scores import compare_periods, score_summary


def feedback(
    scores, kind="nps", scale_max=10.0, channel="web", received_at="2025-01-15"
) -> pd.DataFrame:
    n = len(scores)
    return pd.DataFrame(
        {
            "feedback_id": [f"f{i}" for i in range(n)],
            "customer_id": [f"c{i}" for i in range(n)],
            "received_at": pd.to_datetime(pd.Series(received_at, index=range(n))),
            "channel": channel,
            "touchpoint": "checkout",
            "kind": kind,
            "score": pd.Series(scores, dtype="float64"),
            "scale_max": pd.Series(scale_max, index=range(n), dtype="float64"),
            "text": "",
            "language": "en",
        }
    )


def table(*frames: pd.DataFrame) -> ibis.Table:
    """The frames as one in-memory ``feedback`` table, run by the default DuckDB backend."""
    return ibis.memtable(pd.concat(frames, ignore_index=True))


TEN = [10, 9, 9, 10, 9, 8, 7, 3, 6, 8]  # 5 promoters, 2 detractors


def test_nps_of_ten_answers_by_hand():
    row = score_summary(table(feedback(TEN)), "nps").iloc[0]
    se = math.sqrt((0.7 - 0.09) / 10)
    z = stats.norm.ppf(0.975)
    assert row["responses"] == 10
    assert row["excluded"] == 0
    assert row["promoters_share"] == pytest.approx(0.5)
    assert row["detractors_share"] == pytest.approx(0.2)
    assert row["nps"] == pytest.approx(30)
    assert row["margin_of_error"] == pytest.approx(100 * z * se)
    assert row["nps_low"] == pytest.approx(30 - 100 * z * se)
    assert bool(row["small_group"])
    assert pd.isna(row["rank"])


def test_nps_interval_helper_is_vectorised_and_clipped():
    result = nps_interval([5, 10], [2, 0], [10, 10])
    assert result.nps.tolist() == pytest.approx([30, 100])
    assert result.standard_error[0] == pytest.approx(100 * math.sqrt(0.061))
    assert result.high[1] == 100
    assert np.isnan(nps_interval(0, 0, 0).nps)


def test_wilson_interval_matches_the_textbook_value():
    low, high = wilson_interval(81, 263, 0.95)
    assert float(low) == pytest.approx(0.2553, abs=5e-4)
    assert float(high) == pytest.approx(0.3662, abs=5e-4)
    reference = stats.binomtest(81, 263).proportion_ci(0.9, method="wilson")
    low, high = wilson_interval([81], [263], 0.9)
    assert [low[0], high[0]] == pytest.approx([reference.low, reference.high])


def test_nps_interval_covers_the_truth_95_percent_of_the_time():
    rng = np.random.default_rng(2024)
    samples, n = 2000, 200
    draws = rng.choice([10.0, 8.0, 3.0], p=[0.45, 0.30, 0.25], size=samples * n)
    frame = feedback(draws)
    frame["channel"] = np.repeat([f"s{i:04d}" for i in range(samples)], n)
    summary = score_summary(table(frame), "nps", by=["channel"])
    covered = (summary["nps_low"] <= 20) & (summary["nps_high"] >= 20)
    assert len(summary) == samples
    assert 0.93 <= covered.mean() <= 0.97


def test_csat_on_five_and_on_ten_uses_the_top_two_points():
    five = feedback([5, 4, 3, 1], kind="csat", scale_max=5.0, channel="shop")
    ten = feedback([10, 9, 8, 2], kind="csat", scale_max=10.0, channel="web")
    summary = score_summary(table(five, ten), "csat", by=["channel"], min_responses=1)
    assert summary["channel"].tolist() == ["shop", "web"]
    assert summary["csat"].tolist() == pytest.approx([0.5, 0.5])
    low, high = wilson_interval(2, 4)
    assert summary.loc[1, ["csat_low", "csat_high"]].tolist() == pytest.approx([low, high])
    assert summary["rank"].tolist() == [1, 1]


def test_ces_mean_with_t_interval_and_easy_share():
    scores = [7, 6, 5, 4, 3, 7]
    row = score_summary(table(feedback(scores, kind="ces", scale_max=7.0)), "ces").iloc[0]
    mean, sd = np.mean(scores), np.std(scores, ddof=1)
    half = stats.t.ppf(0.975, 5) * sd / math.sqrt(6)
    assert row["ces_mean"] == pytest.approx(mean)
    assert [row["ces_low"], row["ces_high"]] == pytest.approx([mean - half, mean + half])
    assert row["easy_share"] == pytest.approx(4 / 6)


def test_off_scale_answers_are_excluded_and_null_scores_ignored():
    good = feedback([*TEN, None])
    wrong_scale = feedback([5, 4], scale_max=5.0)
    out_of_range = feedback([11, -1])
    row = score_summary(table(good, wrong_scale, out_of_range), "nps").iloc[0]
    assert row["responses"] == 10
    assert row["excluded"] == 4
    assert row["nps"] == pytest.approx(30)


def test_nps_asked_on_five_points_everywhere_is_refused_with_advice():
    with pytest.raises(ModelDataError, match=r"0–5 \(3 answers\).*rescale"):
        score_summary(table(feedback([5, 4, 1], scale_max=5.0)), "nps")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"kind": "stars"}, InvalidParameterError, "kind 'stars'"),
        ({"kind": "csat"}, ModelDataError, "no csat answer"),
        ({"kind": "nps", "period": "year"}, InvalidParameterError, "period 'year'"),
        ({"kind": "nps", "level": 1.5}, InvalidParameterError, "level"),
        ({"kind": "nps", "by": ["region"]}, ModelDataError, "'region'"),
        ({"kind": "nps", "by": "channel"}, InvalidParameterError, "list of columns"),
    ],
)
def test_bad_inputs_are_named(arguments, error, message):
    with pytest.raises(error, match=message):
        score_summary(table(feedback(TEN)), **arguments)


def test_grouping_by_channel_and_month_ranks_large_groups_only():
    frames = [
        feedback([10] * 30 + [0] * 10, channel="web", received_at="2025-01-10"),
        feedback([10] * 20 + [0] * 20, channel="shop", received_at="2025-01-20"),
        feedback([10] * 5, channel="app", received_at="2025-01-31"),
        feedback([0] * 40, channel="web", received_at="2025-02-03"),
    ]
    summary = score_summary(table(*frames), "nps", by=["channel"], period="month")
    assert summary["period_start"].astype(str).tolist() == [
        "2025-01-01",
        "2025-01-01",
        "2025-01-01",
        "2025-02-01",
    ]
    assert summary["channel"].tolist() == ["app", "shop", "web", "web"]
    assert summary["nps"].tolist() == pytest.approx([100, 0, 50, -100])
    assert summary["small_group"].tolist() == [True, False, False, False]
    assert summary["rank"].tolist() == [pd.NA, 2, 1, 1]


def two_periods(rng, channels, first_shares, second_shares, n):
    """``n`` NPS answers per channel in mid-January, then ``n`` in mid-February."""
    first = rng.choice([10.0, 8.0, 3.0], p=first_shares, size=(len(channels), n))
    second = rng.choice([10.0, 8.0, 3.0], p=second_shares, size=(len(channels), n))
    frame = feedback(np.concatenate([first.ravel(), second.ravel()]))
    frame["channel"] = np.tile(np.repeat(channels, n), 2)
    frame["received_at"] = pd.to_datetime(
        np.repeat(["2025-01-15", "2025-02-15"], len(first.ravel()))
    )
    return [frame]


JANUARY, FEBRUARY = ("2025-01-01", "2025-02-01"), ("2025-02-01", "2025-03-01")


def test_a_real_shift_is_detected_and_no_shift_is_not():
    rng = np.random.default_rng(11)
    frames = two_periods(rng, ["web"], [0.3, 0.4, 0.3], [0.5, 0.3, 0.2], 300)
    frames += two_periods(rng, ["shop"], [0.4, 0.4, 0.2], [0.4, 0.4, 0.2], 300)
    frames += two_periods(rng, ["app"], [0.1, 0.1, 0.8], [0.9, 0.1, 0.0], 10)
    result = compare_periods(table(*frames), "nps", JANUARY, FEBRUARY, by=["channel"])
    rows = result.set_index("channel")
    assert rows.loc["web", "change"] > 15
    assert bool(rows.loc["web", "significant"])
    assert not bool(rows.loc["shop", "significant"])
    assert bool(rows.loc["app", "small_group"])
    assert not bool(rows.loc["app", "significant"])
    assert pd.isna(rows.loc["app", "p_value_adjusted"])


def test_false_alarms_near_five_percent_before_adjustment_and_fewer_after():
    rng = np.random.default_rng(5)
    channels = [f"c{i:03d}" for i in range(400)]
    frames = two_periods(rng, channels, [0.4, 0.35, 0.25], [0.4, 0.35, 0.25], 150)
    result = compare_periods(table(*frames), "nps", JANUARY, FEBRUARY, by=["channel"])
    assert 0.03 <= (result["p_value"] < 0.05).mean() <= 0.07
    assert result["significant"].mean() < 0.01
    assert (result["p_value_adjusted"] >= result["p_value"]).all()


def test_csat_and_ces_comparisons_use_their_own_tests():
    first = feedback([5] * 40 + [2] * 60, kind="csat", scale_max=5.0, received_at="2025-01-15")
    second = feedback([5] * 60 + [2] * 40, kind="csat", scale_max=5.0, received_at="2025-02-15")
    row = compare_periods(table(first, second), "csat", JANUARY, FEBRUARY).iloc[0]
    expected = stats.chi2_contingency([[40, 60], [60, 40]], correction=False).pvalue
    assert row["change"] == pytest.approx(0.2)
    assert row["p_value"] == pytest.approx(expected)
    a, b = [7, 6, 6, 5, 7, 4] * 6, [3, 4, 2, 5, 3, 6, 4] * 6
    first = feedback(a, kind="ces", scale_max=7.0, received_at="2025-01-15")
    second = feedback(b, kind="ces", scale_max=7.0, received_at="2025-02-15")
    row = compare_periods(table(first, second), "ces", JANUARY, FEBRUARY).iloc[0]
    assert row["p_value"] == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue)
    assert row["ces_mean_first"] == pytest.approx(np.mean(a))
    assert bool(row["significant"])


def test_overlapping_periods_are_refused():
    with pytest.raises(InvalidParameterError, match="overlap"):
        compare_periods(table(feedback(TEN)), "nps", JANUARY, ("2025-01-20", "2025-02-20"))
