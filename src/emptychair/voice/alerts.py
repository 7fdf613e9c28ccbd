"""Weekly alerts: scores and themes that move significantly from one week to the next.

Every week (ISO weeks, starting on Monday) is compared with the week before it, for each score
and each theme:

* ``nps``: z-test on the +1/0/−1 variable (:func:`~emptychair.voice.intervals.nps_difference_test`);
* ``csat``: share of the top two points of the scale, two-proportion z-test
  (:func:`~emptychair.voice.intervals.share_difference_test`);
* ``ces_mean``: mean effort score on 1–7 (higher is easier), Welch t-test
  (:func:`~emptychair.voice.intervals.mean_difference_test`);
* ``theme:<id>:negative_share``: share of the week's answers with a text that mention the
  theme negatively, Fisher's exact test (two-sided, twice the smaller tail), which stays
  honest for rare themes where a z-test raises false alarms.

A comparison is tested only when both weeks have at least ``min_responses`` answers (answers
with a text, for themes). All the tests run are adjusted together by Benjamini–Hochberg, so
among the alerts raised the expected share of false alarms stays below ``level``, however many
weeks and themes are checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.intervals import (
    Array,
    benjamini_hochberg,
    mean_difference_test,
    nps_difference_test,
    share_difference_test,
)

ANSWER_COLUMNS = ("feedback_id", "received_at", "kind", "score", "scale_max", "text")
MENTION_COLUMNS = ("feedback_id", "theme", "label")
TEST_COLUMNS = [
    "week",
    "metric",
    "previous",
    "current",
    "change",
    "previous_responses",
    "responses",
    "p_value",
    "q_value",
    "direction",
    "tested",
    "raised",
]
_SCORE_METRICS = {"nps": "nps", "csat": "csat", "ces": "ces_mean"}
_REQUIRED_SCALE = {"nps": 10.0, "ces": 7.0}
_EXAMPLE_LENGTH = 280


def week_start(received_at: pd.Series) -> pd.Series:
    """The Monday (midnight) starting the ISO week of each timestamp, in its own time zone."""
    moments = pd.to_datetime(received_at)
    if moments.dt.tz is not None:
        moments = moments.dt.tz_localize(None)
    day = moments.dt.normalize()
    return day - pd.to_timedelta(day.dt.day_of_week, unit="D")


def _checked(answers: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """The answers with ``week``, a numeric ``score`` and ``has_text``; clear errors otherwise."""
    for name, frame, columns in (
        ("answers", answers, ANSWER_COLUMNS),
        ("mentions", mentions, MENTION_COLUMNS),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ModelDataError(
                f"The {name} frame has no column {', '.join(map(repr, missing))}; "
                f"it needs {', '.join(columns)}."
            )
    rows = answers.loc[:, list(ANSWER_COLUMNS)].copy()
    try:
        rows["week"] = week_start(rows["received_at"])
    except (ValueError, TypeError) as error:
        raise ModelDataError(
            "The answers column 'received_at' holds values that are not dates or timestamps."
        ) from error
    if rows["week"].isna().any():
        raise ModelDataError(
            f"{int(rows['week'].isna().sum())} answers have no received_at; give every answer "
            "its date or drop those answers."
        )
    rows["score"] = pd.to_numeric(rows["score"], errors="coerce")
    rows["scale_max"] = pd.to_numeric(rows["scale_max"], errors="coerce")
    text = rows["text"].astype("string")
    rows["has_text"] = (text.str.strip().str.len() > 0).fillna(False).astype(bool)
    return rows


def _calendar(rows: pd.DataFrame) -> pd.DatetimeIndex:
    if rows.empty:
        return pd.DatetimeIndex([], name="week")
    return pd.date_range(rows["week"].min(), rows["week"].max(), freq="7D", name="week")


def _valid_scores(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Answers of ``kind`` readable on their scale (the rules of the score summaries)."""
    chosen = rows.loc[rows["kind"] == kind]
    valid = chosen["score"].between(0, chosen["scale_max"])
    if kind in _REQUIRED_SCALE:
        valid &= chosen["scale_max"] == _REQUIRED_SCALE[kind]
    return chosen.loc[valid.fillna(False)]


def _score_tests(rows: pd.DataFrame, calendar: pd.DatetimeIndex) -> list[pd.DataFrame]:
    tests = []
    for kind, metric in _SCORE_METRICS.items():
        valid = _valid_scores(rows, kind)
        if valid.empty:
            continue
        score = valid["score"]
        success = score >= (9 if kind == "nps" else valid["scale_max"] - 1)
        parts = pd.DataFrame(
            {"week": valid["week"], "score": score, "success": success, "detractor": score <= 6}
        ).groupby("week")
        weekly = pd.DataFrame(
            {
                "n": parts.size(),
                "successes": parts["success"].sum(),
                "detractors": parts["detractor"].sum(),
                "mean": parts["score"].mean(),
                "variance": parts["score"].var(),
            }
        ).reindex(calendar)
        weekly["n"] = weekly["n"].fillna(0)
        before = weekly.shift(1)
        before.loc[before.index[:1], "n"] = 0.0
        n0, n1 = before["n"].to_numpy(float), weekly["n"].to_numpy(float)
        if kind == "nps":
            test = nps_difference_test(
                before["successes"], before["detractors"], n0,
                weekly["successes"], weekly["detractors"], n1,
            )  # fmt: skip
            previous = 100 * (before["successes"] - before["detractors"]) / before["n"]
            current = 100 * (weekly["successes"] - weekly["detractors"]) / weekly["n"]
        elif kind == "csat":
            test = share_difference_test(before["successes"], n0, weekly["successes"], n1)
            previous, current = before["successes"] / before["n"], weekly["successes"] / weekly["n"]
        else:
            test = mean_difference_test(
                before["mean"], before["variance"], n0, weekly["mean"], weekly["variance"], n1
            )
            previous, current = before["mean"], weekly["mean"]
        tests.append(_frame(metric, calendar, previous, current, n0, n1, test.p_value))
    return tests


def _exact_share_test(x0: Array, n0: Array, x1: Array, n1: Array) -> Array:
    """Two-sided Fisher exact test of two shares: twice the smaller hypergeometric tail.

    Given the :math:`k = x_0 + x_1` answers that mention the theme in both weeks, the number in
    the second week follows a hypergeometric law under no change. NaN when a week is empty.
    """
    total, k = n0 + n1, x0 + x1
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = stats.hypergeom.cdf(x1, total, k, n1)
        upper = stats.hypergeom.sf(x1 - 1, total, k, n1)
    p_value = np.minimum(1.0, 2 * np.minimum(lower, upper))
    return np.where((n0 >= 1) & (n1 >= 1), p_value, np.nan)


def _theme_tests(
    rows: pd.DataFrame, mentions: pd.DataFrame, calendar: pd.DatetimeIndex
) -> list[pd.DataFrame]:
    written = rows.loc[rows["has_text"], ["feedback_id", "week"]]
    texts: Array = np.asarray(
        written.groupby("week").size().reindex(calendar, fill_value=0), dtype=float
    )
    themed = mentions.merge(written, on="feedback_id", how="inner")
    negative = themed.loc[themed["label"] == "negative"].drop_duplicates(["feedback_id", "theme"])
    counts = negative.groupby(["theme", "week"]).size()
    tests = []
    for theme in sorted(themed["theme"].dropna().astype(str).unique()):
        x1: Array = np.asarray(
            counts.xs(theme, level="theme").reindex(calendar, fill_value=0)
            if theme in counts.index.get_level_values("theme")
            else np.zeros(len(calendar)),
            dtype=float,
        )
        x0, n0 = np.r_[0.0, x1[:-1]], np.r_[0.0, texts[:-1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            previous, current = x0 / n0, x1 / texts
        p_value = _exact_share_test(x0, n0, x1, texts)
        metric = f"theme:{theme}:negative_share"
        tests.append(_frame(metric, calendar, previous, current, n0, texts, p_value))
    return tests


def _frame(
    metric: str,
    calendar: pd.DatetimeIndex,
    previous: object,
    current: object,
    previous_responses: Array,
    responses: Array,
    p_value: Array,
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "week": calendar,
            "metric": metric,
            "previous": np.asarray(previous, dtype=float),
            "current": np.asarray(current, dtype=float),
            "previous_responses": previous_responses.astype("int64"),
            "responses": responses.astype("int64"),
            "p_value": p_value,
        }
    )
    frame["change"] = frame["current"] - frame["previous"]
    return frame


def _direction(metric: pd.Series, change: pd.Series) -> pd.Series:
    """``worse`` or ``better``: a score rising is better, a negative share rising is worse."""
    sign = np.sign(change.to_numpy(float)) * np.where(metric.str.startswith("theme:"), -1, 1)
    labels = np.select([sign > 0, sign < 0], ["better", "worse"], default="")
    return pd.Series(labels, index=change.index).replace("", None)


def _checked_parameters(weeks: int | None, level: float, min_responses: int) -> None:
    if weeks is not None and (not isinstance(weeks, int) or isinstance(weeks, bool) or weeks < 1):
        raise InvalidParameterError(f"weeks must be None or a whole number ≥ 1, not {weeks!r}.")
    if not isinstance(level, float | int) or not 0 < level < 1:
        raise InvalidParameterError(
            f"level is the false-discovery rate, between 0 and 1 (e.g. 0.05), not {level!r}."
        )
    if not isinstance(min_responses, int) or isinstance(min_responses, bool) or min_responses < 2:
        raise InvalidParameterError(
            f"min_responses must be a whole number ≥ 2, not {min_responses!r}."
        )


def weekly_tests(
    answers: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    weeks: int | None = None,
    level: float = 0.05,
    min_responses: int = 30,
) -> pd.DataFrame:
    """Every week-over-week test of the scores and themes, raised or not.

    Parameters
    ----------
    answers : pandas.DataFrame
        One row per answer: ``feedback_id``, ``received_at`` (timestamp), ``kind`` (``nps``,
        ``csat``, ``ces``, ``review``), ``score``, ``scale_max`` and ``text`` (redacted; may be
        missing). Scores off their scale are left out, as in the score summaries.
    mentions : pandas.DataFrame
        One row per theme mention: ``feedback_id``, ``theme`` and ``label`` (``negative``,
        ``neutral`` or ``positive``).
    weeks : int or None, default None
        Check only the last ``weeks`` weeks of the data (each against the week before it);
        None checks every week that has a week before it.
    level : float, default 0.05
        False-discovery rate: a test is raised when its Benjamini–Hochberg q-value is below it.
    min_responses : int, default 30
        A week is compared only when it and the week before both have this many answers (with
        a text, for themes); smaller weeks are listed with ``tested`` False.

    Returns
    -------
    pandas.DataFrame
        One row per metric and checked week: ``week`` (Monday), ``metric`` (``nps``, ``csat``,
        ``ces_mean`` or ``theme:<id>:negative_share``), ``previous`` and ``current`` (NPS in
        points, shares between 0 and 1, CES on 1–7), ``change``, ``previous_responses``,
        ``responses``, ``p_value``, ``q_value`` (Benjamini–Hochberg over every test run),
        ``direction`` (``better`` or ``worse``), ``tested`` and ``raised``.

    Raises
    ------
    ModelDataError
        When a column is missing or ``received_at`` cannot be read as dates.
    InvalidParameterError
        For a bad ``weeks``, ``level`` or ``min_responses``.
    """
    _checked_parameters(weeks, level, min_responses)
    rows = _checked(answers, mentions)
    calendar = _calendar(rows)
    parts = _score_tests(rows, calendar) + _theme_tests(rows, mentions, calendar)
    if not parts or len(calendar) < 2:
        return pd.DataFrame(columns=TEST_COLUMNS)
    checked = calendar[1:] if weeks is None else calendar[1:][-weeks:]
    tests = pd.concat(parts, ignore_index=True)
    tests = tests.loc[tests["week"].isin(checked)].reset_index(drop=True)
    enough = np.minimum(tests["previous_responses"], tests["responses"]) >= min_responses
    tests["tested"] = enough & tests["p_value"].notna()
    tests["q_value"] = benjamini_hochberg(tests["p_value"].where(tests["tested"]).to_numpy(float))
    tests["p_value"] = tests["p_value"].where(tests["tested"])
    tests["raised"] = tests["tested"] & (tests["q_value"] < level)
    tests["direction"] = _direction(tests["metric"], tests["change"])
    return tests[TEST_COLUMNS].sort_values(["week", "metric"], ignore_index=True)


def _shortened(texts: pd.Series) -> list[str]:
    return [t if len(t) <= _EXAMPLE_LENGTH else t[: _EXAMPLE_LENGTH - 1] + "…" for t in texts]


def _examples(alert: pd.Series, rows: pd.DataFrame, mentions: pd.DataFrame, count: int) -> list:
    week = rows.loc[(rows["week"] == alert["week"]) & rows["has_text"]]
    metric = str(alert["metric"])
    if metric.startswith("theme:"):
        theme = metric.split(":")[1]
        said = mentions.loc[
            (mentions["theme"].astype(str) == theme) & (mentions["label"] == "negative"),
            "feedback_id",
        ]
        chosen = week.loc[week["feedback_id"].isin(said)]
        worst_first = True
    else:
        kind = next(k for k, m in _SCORE_METRICS.items() if m == metric)
        chosen = _valid_scores(week, kind)
        worst_first = alert["direction"] != "better"
    chosen = chosen.assign(relative=chosen["score"] / chosen["scale_max"])
    chosen = chosen.sort_values(
        ["relative", "received_at"], ascending=[worst_first, True], na_position="last"
    )
    return _shortened(chosen["text"].astype(str).str.strip().head(count))


def weekly_alerts(
    answers: pd.DataFrame,
    mentions: pd.DataFrame,
    *,
    weeks: int | None = None,
    level: float = 0.05,
    min_responses: int = 30,
    examples: int = 3,
) -> pd.DataFrame:
    """Scores and themes that moved significantly from one week to the next, with examples.

    The tests are those of :func:`weekly_tests` (same parameters); only the raised ones are
    kept, most significant first, each with up to ``examples`` verbatims of its week: for a
    theme, answers that mention it negatively (lowest scores first); for a score that got
    worse, the lowest-scored answers with a text; for a score that got better, the
    highest-scored. Examples longer than 280 characters are shortened.

    Returns
    -------
    pandas.DataFrame
        One row per alert: ``week``, ``metric``, ``previous``, ``current``, ``change``,
        ``p_value``, ``q_value``, ``direction``, ``responses``, ``previous_responses`` and
        ``examples`` (a list of texts).
    """
    if not isinstance(examples, int) or isinstance(examples, bool) or examples < 0:
        raise InvalidParameterError(f"examples must be a whole number ≥ 0, not {examples!r}.")
    tests = weekly_tests(answers, mentions, weeks=weeks, level=level, min_responses=min_responses)
    columns = [
        *("week", "metric", "previous", "current", "change", "p_value", "q_value"),
        *("direction", "responses", "previous_responses"),
    ]
    alerts = tests.loc[tests["raised"], columns].sort_values(["q_value", "week", "metric"])
    alerts = alerts.reset_index(drop=True)
    rows = _checked(answers, mentions) if len(alerts) else None
    alerts["examples"] = [
        _examples(alert, rows, mentions, examples) if rows is not None else []
        for _, alert in alerts.iterrows()
    ]
    return alerts
