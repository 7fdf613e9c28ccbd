"""Weekly alerts on simulated feedback: planted changes are raised, null data stays quiet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import vl_convert

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.alerts import week_start, weekly_alerts, weekly_tests
from emptychair.voice.charts import alerts_chart
from emptychair.voice.intervals import benjamini_hochberg, nps_difference_test

START = pd.Timestamp("2025-01-06")  # a Monday
NPS_PROBABILITIES = np.r_[np.full(7, 0.03), 0.1, 0.15, 0.2, 0.34]


def simulate(
    seed: int,
    weeks: int = 20,
    per_week: int = 300,
    themes: int = 15,
    theme_jump: int | None = None,
    nps_drop: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answers and theme mentions with stable rates, except the planted changes.

    ``theme_jump``: from that week on, theme t0 is mentioned negatively by 20 % of the answers
    with a text instead of 2 %. ``nps_drop``: from that week on, 40 % of the NPS answers are
    replaced by a 0–6 (NPS about 33 falls to about −20).
    """
    rng = np.random.default_rng(seed)
    n = weeks * per_week
    week = np.repeat(np.arange(weeks), per_week)
    received = START + pd.to_timedelta(7 * week + rng.uniform(0, 7, n), unit="D")
    kind = rng.choice(["nps", "csat", "ces", "review"], size=n, p=[0.45, 0.25, 0.2, 0.1])
    nps = rng.choice(11, size=n, p=NPS_PROBABILITIES)
    if nps_drop is not None:
        worse = (week >= nps_drop) & (rng.random(n) < 0.4)
        nps = np.where(worse, rng.integers(0, 7, n), nps)
    score = np.select(
        [kind == "nps", kind == "csat", kind == "ces"],
        [
            nps,
            rng.choice([1, 2, 3, 4, 5], size=n, p=[0.1, 0.1, 0.2, 0.3, 0.3]),
            rng.integers(1, 8, n),
        ],
        rng.integers(1, 6, n),
    )
    scale = np.select([kind == "nps", kind == "ces"], [10.0, 7.0], 5.0)
    has_text = rng.random(n) < 0.7
    ids = np.array([f"f{i}" for i in range(n)])
    answers = pd.DataFrame(
        {
            "feedback_id": ids,
            "received_at": received,
            "kind": kind,
            "score": score.astype(float),
            "scale_max": scale,
            "text": np.where(
                has_text, [f"answer {i} score {s}" for i, s in enumerate(score)], None
            ),
        }
    )
    rows = []
    for theme, rate in enumerate(np.linspace(0.02, 0.2, themes)):
        negative_rate = np.full(n, rate)
        if theme_jump is not None and theme == 0:
            negative_rate = np.where(week >= theme_jump, 0.2, rate)
        for label, chosen in (
            ("negative", rng.random(n) < negative_rate),
            ("positive", rng.random(n) < 0.05),
        ):
            mentioned = ids[chosen & has_text]
            rows.append(
                pd.DataFrame({"feedback_id": mentioned, "theme": f"t{theme}", "label": label})
            )
    return answers, pd.concat(rows, ignore_index=True)


def test_a_planted_jump_of_one_theme_is_the_only_alert():
    answers, mentions = simulate(seed=100, theme_jump=12)
    alerts = weekly_alerts(answers, mentions)
    assert len(alerts) == 1
    alert = alerts.iloc[0]
    assert alert["metric"] == "theme:t0:negative_share"
    assert alert["week"] == START + pd.Timedelta(weeks=12)
    assert alert["direction"] == "worse"
    assert alert["previous"] < 0.05 < 0.15 < alert["current"]
    assert alert["q_value"] < 0.05
    said = set(
        mentions.loc[(mentions["theme"] == "t0") & (mentions["label"] == "negative"), "feedback_id"]
    )
    in_week = answers.loc[week_start(answers["received_at"]) == alert["week"]]
    assert len(alert["examples"]) == 3
    assert set(alert["examples"]) <= set(in_week.loc[in_week["feedback_id"].isin(said), "text"])


def test_a_planted_nps_drop_is_raised_with_the_lowest_scored_texts():
    answers, mentions = simulate(seed=7, nps_drop=10, per_week=600)
    alerts = weekly_alerts(answers, mentions, examples=2).set_index("metric")
    assert "nps" in alerts.index
    alert = alerts.loc["nps"]
    assert alert["week"] == START + pd.Timedelta(weeks=10)
    assert alert["direction"] == "worse" and alert["change"] < -10
    in_week = answers.loc[
        (week_start(answers["received_at"]) == alert["week"])
        & (answers["kind"] == "nps")
        & answers["text"].notna()
    ]
    lowest = in_week.sort_values(["score", "received_at"])["text"].head(2)
    assert alert["examples"] == list(lowest)


def test_null_data_raises_few_false_alarms():
    raised, nominal, tests = 0, 0, 0
    for seed in range(8):
        table = weekly_tests(*simulate(seed))
        raised += int(table["raised"].sum())
        nominal += int((table["p_value"] < 0.05).sum())
        tests += int(table["tested"].sum())
    # 8 datasets x 19 weeks x 18 metrics: every test is null. Without the adjustment about 5 %
    # of them would be called significant (measured: 3.4 %, the exact test on rare themes
    # being conservative); with it, the chance of any alarm in a dataset is at most 5 %.
    assert tests == 8 * 19 * 18
    assert 0.02 * tests < nominal < 0.07 * tests
    assert raised <= 2


def test_small_weeks_are_not_tested():
    answers, mentions = simulate(seed=3, per_week=60, weeks=8, theme_jump=4)
    table = weekly_tests(answers, mentions, min_responses=30)
    enough = np.minimum(table["previous_responses"], table["responses"]) >= 30
    assert (table["tested"] == enough).all()
    assert 0 < enough.sum() < len(table)  # about 27 NPS answers and 42 texts a week
    assert table.loc[~enough, ["p_value", "q_value"]].isna().all().all()
    assert not table.loc[~enough, "raised"].any()
    assert weekly_alerts(answers, mentions, min_responses=500).empty


def test_nps_test_and_adjustment_reuse_the_score_statistics():
    answers, mentions = simulate(seed=4, weeks=3)
    table = weekly_tests(answers, mentions, min_responses=10)
    row = table.loc[(table["metric"] == "nps") & (table["week"] == START + pd.Timedelta(weeks=2))]
    nps = answers.loc[answers["kind"] == "nps"].assign(week=week_start(answers["received_at"]))
    counts = [
        (int((part["score"] >= 9).sum()), int((part["score"] <= 6).sum()), len(part))
        for _, part in nps.groupby("week")
    ]
    expected = nps_difference_test(*counts[1], *counts[2])
    assert row["change"].item() == pytest.approx(expected.change.item())
    assert row["p_value"].item() == pytest.approx(expected.p_value.item())
    assert row["previous"].item() == pytest.approx(
        100 * (counts[1][0] - counts[1][1]) / counts[1][2]
    )
    tested = table["tested"]
    assert table.loc[tested, "q_value"].to_numpy() == pytest.approx(
        benjamini_hochberg(table.loc[tested, "p_value"].to_numpy())
    )


def test_weeks_limits_the_checked_weeks_and_weeks_start_on_monday():
    answers, mentions = simulate(seed=5, weeks=8)
    table = weekly_tests(answers, mentions, weeks=3)
    assert sorted(table["week"].unique()) == [START + pd.Timedelta(weeks=w) for w in (5, 6, 7)]
    moments = pd.Series(
        pd.to_datetime(["2025-03-09 23:59", "2025-03-10 00:00", "2025-03-12 08:00"])
    )
    assert (
        list(week_start(moments)) == [pd.Timestamp("2025-03-03")] + [pd.Timestamp("2025-03-10")] * 2
    )


def test_empty_texts_do_not_count_for_theme_shares():
    answers, mentions = simulate(seed=6, weeks=3)
    blank = answers.assign(text=answers["text"].where(answers.index % 2 == 0, "   "))
    table = weekly_tests(blank, mentions)
    theme = table.loc[table["metric"].str.startswith("theme:")]
    written = blank["text"].notna() & (blank["text"].str.strip() != "")
    per_week = written.groupby(week_start(blank["received_at"])).sum()
    assert set(theme["responses"]) == set(per_week.iloc[1:])


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda a, m: (a.drop(columns="kind"), m), ModelDataError, "no column 'kind'"),
        (lambda a, m: (a, m.drop(columns="label")), ModelDataError, "no column 'label'"),
        (lambda a, m: (a.assign(received_at="soon"), m), ModelDataError, "'received_at'"),
    ],
)
def test_bad_frames_are_refused(change, error, message):
    answers, mentions = simulate(seed=1, weeks=2, per_week=50)
    with pytest.raises(error, match=message):
        weekly_alerts(*change(answers, mentions))


@pytest.mark.parametrize(
    "arguments",
    [{"level": 5}, {"weeks": 0}, {"min_responses": 1}, {"examples": -1}],
)
def test_bad_parameters_are_refused(arguments):
    answers, mentions = simulate(seed=1, weeks=2, per_week=50)
    with pytest.raises(InvalidParameterError, match=next(iter(arguments))):
        weekly_alerts(answers, mentions, **arguments)


def test_alerts_chart_renders_the_raised_week():
    table = weekly_tests(*simulate(seed=100, theme_jump=12))
    spec = alerts_chart(table)
    assert spec["title"].startswith("theme:t0:negative_share")
    marked = [v for v in spec["data"]["values"] if v["alert"] == "significant change"]
    assert [v["week"] for v in marked] == ["2025-03-31"]
    assert vl_convert.vegalite_to_svg(spec).startswith("<svg")
