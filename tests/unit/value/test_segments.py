"""RFM scores, named segments and CLV tiers on small summaries whose answer is known by hand."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.value.segments import (
    SEGMENTS,
    clv_tiers,
    rfm_scores,
    rfm_segments,
    segment_summary,
)


@pytest.fixture(scope="module")
def con() -> ibis.BaseBackend:
    return ibis.duckdb.connect()


def summary(rows: list[dict]) -> ibis.Table:
    """An RFM summary with one row per dict; missing columns get harmless defaults."""
    frame = pd.DataFrame(rows)
    defaults = {"recency": 0.0, "T": 100.0, "monetary_value": 1.0, "total_spend": 1.0}
    for column, value in defaults.items():
        if column not in frame:
            frame[column] = value
    frame["orders"] = frame["frequency"] + 1
    return ibis.memtable(frame)


def grid_summary() -> ibis.Table:
    """25 customers ``c{r}{f}`` placed so that their R and F (= M) scores are r and f."""
    rows = [
        {
            "customer_id": f"c{r}{f}",
            "frequency": f * 10 + r,
            "recency": 100.0 - ((5 - r) * 10 + f),
            "total_spend": float((f * 10 + r) * 100),
        }
        for r in range(1, 6)
        for f in range(1, 6)
    ]
    return summary(rows)


def by_customer(con: ibis.BaseBackend, table: ibis.Table) -> pd.DataFrame:
    return con.to_pandas(table).set_index("customer_id").sort_index()


def test_scores_are_equal_quantile_bins_with_recent_frequent_and_big_spenders_highest(con):
    rows = [
        {"customer_id": "a", "frequency": 1, "recency": 10.0, "total_spend": 500.0},
        {"customer_id": "b", "frequency": 2, "recency": 20.0, "total_spend": 400.0},
        {"customer_id": "c", "frequency": 3, "recency": 30.0, "total_spend": 300.0},
        {"customer_id": "d", "frequency": 4, "recency": 40.0, "total_spend": 200.0},
        {"customer_id": "e", "frequency": 5, "recency": 50.0, "total_spend": 100.0},
    ]
    scores = by_customer(con, rfm_scores(summary(rows)))
    # T = 100: "e" bought last 50 units ago (most recent), "a" 90 units ago.
    assert scores["time_since_last_purchase"].tolist() == [90.0, 80.0, 70.0, 60.0, 50.0]
    assert scores["r_score"].tolist() == [1, 2, 3, 4, 5]
    assert scores["f_score"].tolist() == [1, 2, 3, 4, 5]
    assert scores["m_score"].tolist() == [5, 4, 3, 2, 1]
    assert scores["rfm_cell"].tolist() == ["115", "224", "333", "442", "551"]


def test_ties_share_the_score_of_the_first_customer_of_the_tie(con):
    rows = [{"customer_id": f"c{i}", "frequency": 0} for i in range(4)]
    rows.append({"customer_id": "repeat", "frequency": 3})
    scores = by_customer(con, rfm_scores(summary(rows)))
    assert scores["f_score"].to_dict() == {"c0": 1, "c1": 1, "c2": 1, "c3": 1, "repeat": 5}
    # Everyone bought at the same time: one tie, one score.
    assert set(scores["r_score"]) == {1}


def test_scores_spread_over_the_number_of_bins_asked(con):
    rows = [{"customer_id": f"c{i:02d}", "frequency": i} for i in range(20)]
    scores = by_customer(con, rfm_scores(summary(rows), bins=9))
    assert scores["f_score"].min() == 1 and scores["f_score"].max() == 9
    scores = by_customer(con, rfm_scores(summary(rows), bins=2))
    assert scores["f_score"].tolist() == [1] * 10 + [2] * 10


def test_every_segment_is_reachable_and_each_customer_has_exactly_one(con):
    segmented = by_customer(con, rfm_segments(grid_summary()))
    assert len(segmented) == 25
    assert segmented["segment"].notna().all()
    assert set(segmented["segment"]) == {segment.name for segment in SEGMENTS}
    expected = {
        "c55": "champions",
        "c54": "champions",
        "c44": "loyal",
        "c35": "loyal",
        "c52": "potential loyalists",
        "c43": "potential loyalists",
        "c51": "new",
        "c41": "promising",
        "c33": "need attention",
        "c31": "about to sleep",
        "c32": "about to sleep",
        "c24": "at risk",
        "c13": "at risk",
        "c15": "can't lose them",
        "c25": "can't lose them",
        "c22": "hibernating",
        "c12": "hibernating",
        "c21": "hibernating",
        "c11": "lost",
    }
    assert segmented.loc[list(expected), "segment"].to_dict() == expected


def test_fm_score_is_the_mean_of_f_and_m_rounded_half_up(con):
    rows = [
        {"customer_id": "a", "frequency": 1, "total_spend": 5.0},
        {"customer_id": "b", "frequency": 2, "total_spend": 4.0},
        {"customer_id": "c", "frequency": 3, "total_spend": 3.0},
        {"customer_id": "d", "frequency": 4, "total_spend": 2.0},
        {"customer_id": "e", "frequency": 5, "total_spend": 1.0},
    ]
    segmented = by_customer(con, rfm_segments(summary(rows)))
    # (F, M) = (1, 5), (2, 4), (3, 3), (4, 2), (5, 1): all average 3.
    assert segmented["fm_score"].tolist() == [3, 3, 3, 3, 3]


def test_three_bins_are_placed_on_the_grid_by_the_middle_of_their_bin(con):
    rows = [
        {"customer_id": "worst", "frequency": 1, "recency": 10.0, "total_spend": 1.0},
        {"customer_id": "middle", "frequency": 2, "recency": 20.0, "total_spend": 2.0},
        {"customer_id": "best", "frequency": 3, "recency": 30.0, "total_spend": 3.0},
    ]
    segmented = by_customer(con, rfm_segments(summary(rows), bins=3))
    assert segmented["segment"].to_dict() == {
        "best": "champions",
        "middle": "need attention",
        "worst": "lost",
    }


def test_segments_list_names_descriptions_and_french_labels():
    names = [segment.name for segment in SEGMENTS]
    assert len(names) == len(set(names)) == 11
    labels = {segment.name: segment.label_fr for segment in SEGMENTS}
    assert labels["can't lose them"] == "À ne pas perdre"
    assert labels["champions"] == "Champions"
    assert all(segment.description for segment in SEGMENTS)


def test_segment_summary_counts_shares_and_means_in_segment_order():
    rows = [
        {"customer_id": "a", "frequency": 1, "recency": 10.0, "total_spend": 10.0},
        {"customer_id": "b", "frequency": 2, "recency": 20.0, "total_spend": 20.0},
        {"customer_id": "c", "frequency": 3, "recency": 30.0, "total_spend": 30.0},
    ]
    table = segment_summary(rfm_segments(summary(rows), bins=3)).set_index("segment")
    assert table.index.tolist() == [segment.name for segment in SEGMENTS]
    assert table.loc["champions", "customers"] == 1
    assert table.loc["champions", "share_of_customers"] == pytest.approx(1 / 3)
    assert table.loc["champions", "share_of_revenue"] == pytest.approx(30 / 60)
    assert table.loc["champions", "mean_time_since_last_purchase"] == pytest.approx(70.0)
    assert table.loc["need attention", "revenue"] == pytest.approx(20.0)
    assert table.loc["loyal", "customers"] == 0
    assert table.loc["loyal", "revenue"] == 0.0
    assert np.isnan(table.loc["loyal", "mean_frequency"])
    assert table["share_of_customers"].sum() == pytest.approx(1.0)
    assert table.loc["lost", "label_fr"] == "Perdus"


def test_scores_name_the_missing_column_and_refuse_bad_bins():
    table = ibis.memtable(pd.DataFrame({"customer_id": ["a"], "frequency": [1]}))
    with pytest.raises(ModelDataError, match="'recency'"):
        rfm_scores(table)
    with pytest.raises(InvalidParameterError, match="bins"):
        rfm_scores(grid_summary(), bins=10)
    with pytest.raises(ModelDataError, match="rfm_segments"):
        segment_summary(grid_summary())


def clv_frame(half_width: float = 1.0) -> pd.DataFrame:
    values = np.arange(1.0, 21.0)
    return pd.DataFrame(
        {
            "customer_id": [f"c{int(v):02d}" for v in values],
            "clv": values,
            "clv_lower": values - half_width,
            "clv_upper": values + half_width,
        }
    )


def test_clv_tiers_use_quantile_thresholds_over_all_customers(con):
    frame = clv_frame()
    tiers = clv_tiers(frame)
    expected = np.quantile(frame["clv"], [0.5, 0.8, 0.95])  # 10.5, 16.2, 19.05
    assert tiers.thresholds["threshold"].tolist() == pytest.approx(expected.tolist())
    assert tiers.thresholds["tier"].tolist() == ["medium", "high", "top"]
    customers = by_customer(con, tiers.customers)
    assert customers.loc["c10", "tier"] == "low"
    assert customers.loc["c11", "tier"] == "medium"
    assert customers.loc["c19", "tier"] == "high"
    assert customers.loc["c20", "tier"] == "top"
    counts = tiers.summary.set_index("tier")["customers"].to_dict()
    assert counts == {"low": 10, "medium": 6, "high": 3, "top": 1}


def test_a_tier_is_uncertain_when_the_interval_crosses_a_threshold(con):
    tiers = clv_tiers(clv_frame(half_width=1.0))
    customers = by_customer(con, tiers.customers)
    # [9, 11] crosses 10.5; [17, 19] stays between 16.2 and 19.05; [19, 21] crosses 19.05.
    assert customers.loc["c10", "tier_uncertain"]
    assert not customers.loc["c18", "tier_uncertain"]
    assert customers.loc["c20", "tier_uncertain"]
    uncertain = sorted(customers.index[customers["tier_uncertain"]])
    assert uncertain == ["c10", "c11", "c16", "c17", "c19", "c20"]
    summary = tiers.summary.set_index("tier")
    assert summary.loc["low", "uncertain_customers"] == 1
    assert summary.loc["low", "uncertain_share"] == pytest.approx(0.1)
    assert summary.loc["high", "uncertain_share"] == pytest.approx(2 / 3)
    assert tiers.uncertain_share == pytest.approx(6 / 20)


def test_narrow_intervals_are_never_uncertain_and_ties_at_zero_stay_low(con):
    assert clv_tiers(clv_frame(half_width=0.01)).uncertain_share == 0.0
    zeros = pd.DataFrame(
        {"customer_id": list("abcd"), "clv": 0.0, "clv_lower": 0.0, "clv_upper": 0.0}
    )
    tiers = clv_tiers(ibis.memtable(zeros))
    assert set(con.to_pandas(tiers.customers)["tier"]) == {"low"}


def test_clv_tiers_refuse_bad_edges_names_and_inverted_intervals():
    with pytest.raises(InvalidParameterError, match="edges"):
        clv_tiers(clv_frame(), edges=(0.8, 0.5))
    with pytest.raises(InvalidParameterError, match="names"):
        clv_tiers(clv_frame(), edges=(0.5,), names=("low", "medium", "high"))
    inverted = clv_frame()
    inverted.loc[0, ["clv_lower", "clv_upper"]] = [5.0, 1.0]
    with pytest.raises(ModelDataError, match="1 customers have clv_lower above clv_upper"):
        clv_tiers(inverted)
    with pytest.raises(ModelDataError, match="'clv_upper'"):
        clv_tiers(clv_frame().drop(columns="clv_upper"))
