"""Irritants: what customers no longer want, ranked by what it costs.

A theme irritates when customers mention it negatively. Its **frequency** is the share of
answers with a text that mention it negatively; its **impact** is how much lower those
answers score than the others of the same survey kind (scores read as ``score /
scale_max``, compared within a kind, then averaged over kinds weighted by the negative
mentions); its **priority** is impact × frequency, the score points the theme costs across
all answers. The **value at risk** adds up, over the customers who raise it, their lifetime
value weighted by their probability of still being a customer (from a customer-value run).

The comparison of lapsing and retained customers shows which themes lapsing customers
(probability alive below a threshold) raise more often. It is an association measured on
the same history, not a cause: customers who stopped buying also had more occasions to be
disappointed before they left.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.intervals import (
    benjamini_hochberg,
    checked_level,
    normal_quantile,
    share_difference_test,
)

ANSWER_COLUMNS = ("feedback_id", "customer_id", "kind", "score", "scale_max")
MENTION_COLUMNS = ("feedback_id", "theme", "label")
VALUE_COLUMNS = ("customer_id", "clv", "probability_alive")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ModelDataError(
            f"{name} has no column {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(str, frame.columns)) or 'no columns'}."
        )


def _negative_flags(answers: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per theme: the answer mentions the theme negatively."""
    negative = mentions[mentions["label"] == "negative"]
    flags = pd.crosstab(negative["feedback_id"], negative["theme"]).clip(upper=1)
    return flags.reindex(answers["feedback_id"], fill_value=0).set_axis(answers.index)


def _impact(level: pd.Series, kind: pd.Series, flag: pd.Series) -> tuple[float, float]:
    """Score drop with a negative mention, within kinds, and its standard error."""
    weights, drops, variances = [], [], []
    for _, rows in level.groupby(kind):
        hit = flag.loc[rows.index].to_numpy(bool)
        values = rows.to_numpy(float)
        with_, without = values[hit], values[~hit]
        if len(with_) < 2 or len(without) < 2:
            continue
        weights.append(len(with_))
        drops.append(without.mean() - with_.mean())
        variances.append(with_.var(ddof=1) / len(with_) + without.var(ddof=1) / len(without))
    if not weights:
        return float("nan"), float("nan")
    w = np.asarray(weights, float) / sum(weights)
    return float(w @ np.asarray(drops)), float(np.sqrt(w**2 @ np.asarray(variances)))


def irritants(
    answers: pd.DataFrame,
    mentions: pd.DataFrame,
    value: pd.DataFrame | None = None,
    *,
    min_mentions: int = 30,
    level: float = 0.95,
) -> pd.DataFrame:
    """Rank the themes customers complain about by frequency × impact, with the value at risk.

    Parameters
    ----------
    answers : DataFrame
        One row per answer with a text: ``feedback_id``, ``customer_id``, ``kind``,
        ``score`` and ``scale_max`` (a missing score counts for the frequency, not the impact).
    mentions : DataFrame
        One row per answer and theme: ``feedback_id``, ``theme``, ``label``.
    value : DataFrame, optional
        Per customer: ``customer_id``, ``clv``, ``probability_alive`` (a customer-value run's
        ``value_customers``). Without it the value columns are missing.
    min_mentions : int, default 30
        Themes with fewer negative mentions are flagged ``small`` and not ranked.
    level : float, default 0.95
        Confidence level of the impact interval.

    Returns
    -------
    DataFrame
        One row per theme with a negative mention, by priority: ``theme``,
        ``negative_mentions``, ``frequency``, ``customers``, ``impact`` (drop of the score on
        a 0–1 scale) with ``impact_low``/``impact_high``, ``priority`` (impact × frequency),
        ``value_at_risk``, ``customers_valued``, ``small`` and ``rank``.
    """
    _require(answers, ANSWER_COLUMNS, "answers")
    _require(mentions, MENTION_COLUMNS, "mentions")
    z = normal_quantile(checked_level(level))
    if answers.empty:
        raise ModelDataError("There are no answers with a text; no irritant to rank.")
    answers = answers.reset_index(drop=True)
    flags = _negative_flags(answers, mentions)
    score = pd.to_numeric(answers["score"], errors="coerce")
    scale = pd.to_numeric(answers["scale_max"], errors="coerce")
    scored = score.notna() & scale.gt(0) & score.between(0, scale)
    level_of = (score / scale)[scored]
    kind = answers.loc[scored, "kind"]
    valued: pd.Series | None = None
    if value is not None:
        _require(value, VALUE_COLUMNS, "value")
        per_customer = value.drop_duplicates("customer_id").set_index("customer_id")
        valued = per_customer["clv"].astype(float) * per_customer["probability_alive"].astype(float)
    rows = []
    for theme in flags.columns:
        flag = flags[theme]
        raised = answers.loc[flag.to_numpy(bool), "customer_id"].dropna().unique()
        impact, error = _impact(level_of, kind, flag[scored])
        row = {
            "theme": theme,
            "negative_mentions": int(flag.sum()),
            "frequency": float(flag.mean()),
            "customers": len(raised),
            "impact": impact,
            "impact_low": impact - z * error,
            "impact_high": impact + z * error,
            "value_at_risk": np.nan,
            "customers_valued": 0,
        }
        if valued is not None:
            at_risk = valued.reindex(raised).dropna()
            row["value_at_risk"] = float(at_risk.to_numpy(float).sum())
            row["customers_valued"] = len(at_risk)
        rows.append(row)
    table = pd.DataFrame(rows, columns=[*_IRRITANT_COLUMNS[:-2]])
    if table.empty:
        table["small"], table["rank"] = pd.Series(dtype=bool), pd.Series(dtype="Int64")
        return table
    table["priority"] = table["impact"].clip(lower=0) * table["frequency"]
    table["small"] = table["negative_mentions"] < min_mentions
    priority = table["priority"].where(~table["small"])
    table["rank"] = priority.rank(ascending=False, method="min").astype("Int64")
    table = table.sort_values(["rank", "negative_mentions"], ascending=[True, False])
    return table[list(_IRRITANT_COLUMNS)].reset_index(drop=True)


_IRRITANT_COLUMNS = (
    *("theme", "negative_mentions", "frequency", "customers", "impact", "impact_low"),
    *("impact_high", "value_at_risk", "customers_valued", "priority", "small", "rank"),
)


def lapsing_comparison(
    answers: pd.DataFrame,
    mentions: pd.DataFrame,
    value: pd.DataFrame,
    *,
    threshold: float = 0.5,
    false_discovery_rate: float = 0.05,
    min_mentions: int = 10,
) -> pd.DataFrame:
    """Compare what lapsing and retained customers said, theme by theme.

    Parameters
    ----------
    answers, mentions : DataFrame
        As for :func:`irritants`.
    value : DataFrame
        Per customer ``customer_id`` and ``probability_alive``; answers of customers
        without a value are left out.
    threshold : float, default 0.5
        A customer whose probability of still being a customer is below it is lapsing.
    false_discovery_rate : float, default 0.05
        Level of the Benjamini–Hochberg adjustment across themes.
    min_mentions : int, default 10
        Themes with fewer negative mentions in all are not tested.

    Returns
    -------
    DataFrame
        One row per theme: ``lapsing_share`` and ``retained_share`` (share of each group's
        answers that mention the theme negatively), ``difference``, ``ratio``, ``p_value``
        (two-proportion z-test), ``q_value`` and ``significant``; also ``lapsing_answers``
        and ``retained_answers``. Most over-represented in lapsing customers first.
    """
    _require(answers, ANSWER_COLUMNS[:2], "answers")
    _require(mentions, MENTION_COLUMNS, "mentions")
    _require(value, ("customer_id", "probability_alive"), "value")
    if not 0.0 < threshold < 1.0:
        raise InvalidParameterError(f"threshold must lie strictly between 0 and 1, not {threshold}")
    alive = value.drop_duplicates("customer_id").set_index("customer_id")["probability_alive"]
    status = answers["customer_id"].map(alive)
    answers = answers[status.notna()].reset_index(drop=True)
    lapsing = (status.dropna() < threshold).to_numpy()
    n_lapsing, n_retained = int(lapsing.sum()), int((~lapsing).sum())
    if n_lapsing == 0 or n_retained == 0:
        raise ModelDataError(
            f"{n_lapsing} answers come from lapsing customers and {n_retained} from retained "
            f"ones (probability alive threshold {threshold}); both groups are needed."
        )
    flags = _negative_flags(answers, mentions)
    flags = flags.loc[:, flags.sum() >= min_mentions]
    if flags.empty:
        return pd.DataFrame()
    hits = flags.to_numpy(bool)
    in_lapsing = hits[lapsing].sum(axis=0)
    in_retained = hits[~lapsing].sum(axis=0)
    test = share_difference_test(in_retained, n_retained, in_lapsing, n_lapsing)
    p1, p2 = in_lapsing / n_lapsing, in_retained / n_retained
    with np.errstate(divide="ignore"):
        ratio = np.where(p2 > 0, p1 / np.where(p2 > 0, p2, 1.0), np.inf)
    table = pd.DataFrame(
        {
            "theme": flags.columns,
            "lapsing_share": p1,
            "retained_share": p2,
            "difference": test.change,
            "ratio": ratio,
            "p_value": test.p_value,
            "lapsing_answers": n_lapsing,
            "retained_answers": n_retained,
        }
    )
    table["q_value"] = benjamini_hochberg(table["p_value"].to_numpy(float))
    table["significant"] = table["q_value"] <= false_discovery_rate
    return table.sort_values("difference", ascending=False).reset_index(drop=True)
