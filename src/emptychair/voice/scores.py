"""Survey scores with their margins of error: NPS, CSAT and CES per group and per period.

Every count, mean and variance is computed in the engine from the ``feedback`` table; only one
row per group comes back, and the intervals and tests are computed on those rows. Answers that
cannot be read on their scale (a score outside 0..``scale_max``, an NPS not asked on 0–10, a CES
not asked on 1–7) are left out and counted in ``excluded``; missing scores are ignored.

Groups with fewer answers than ``min_responses`` are flagged ``small_group``: they are reported
but never ranked (their ``rank`` is missing) and never called significant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.intervals import (
    Array,
    benjamini_hochberg,
    checked_level,
    mean_difference_test,
    mean_interval,
    normal_quantile,
    nps_difference_test,
    nps_interval,
    share_difference_test,
    wilson_interval,
)

KINDS: tuple[str, ...] = ("nps", "csat", "ces")
PERIODS: dict[str, str] = {"week": "W", "month": "M", "quarter": "Q"}
_REQUIRED_SCALE: dict[str, float] = {"nps": 10.0, "ces": 7.0}
_SCORE_COLUMN: dict[str, str] = {"nps": "nps", "csat": "csat", "ces": "ces_mean"}
_COUNTS = ("responses", "excluded", "successes", "detractors")


def _checked_inputs(feedback: ir.Table, kind: str, by: Sequence[str], min_responses: int) -> None:
    if kind not in KINDS:
        raise InvalidParameterError(
            f"kind {kind!r} has no score summary; use one of: {', '.join(KINDS)}."
        )
    if isinstance(by, str):
        raise InvalidParameterError(f"by must be a list of columns, e.g. [{by!r}], not a string.")
    missing = [c for c in ("kind", "score", "scale_max", "received_at", *by) if c not in feedback]
    if missing:
        raise ModelDataError(
            f"The feedback table has no column {', '.join(map(repr, missing))}; "
            f"it has {', '.join(feedback.columns)}."
        )
    if not isinstance(min_responses, int) or min_responses < 1:
        raise InvalidParameterError(
            f"min_responses must be a whole number of 1 or more, not {min_responses!r}."
        )


def _answers(feedback: ir.Table, kind: str) -> ir.Table:
    return feedback.filter((feedback["kind"] == kind) & feedback["score"].notnull())


def _aggregate(rows: ir.Table, kind: str, keys: Sequence[str]) -> pd.DataFrame:
    """One row per group: answers kept and excluded, successes, detractors, mean, variance."""
    score, scale = rows["score"].cast("float64"), rows["scale_max"].cast("float64")
    valid = (score >= 0) & (score <= scale)
    if kind in _REQUIRED_SCALE:
        valid = valid & (scale == _REQUIRED_SCALE[kind])
    valid = valid.fill_null(False)
    success = {"nps": score >= 9, "csat": score >= scale - 1, "ces": score >= 5}[kind]
    metrics: dict[str, Any] = {
        "responses": valid.cast("int64").sum(),
        "excluded": (~valid).cast("int64").sum(),
        "successes": (valid & success).cast("int64").sum(),
        "detractors": (valid & (score <= 6)).cast("int64").sum(),
        "mean": score.mean(where=valid),
        "variance": score.var(how="sample", where=valid),
    }
    grouped = rows.group_by(list(keys)).aggregate(**metrics) if keys else rows.aggregate(**metrics)
    frame = grouped.to_pandas()
    frame[list(_COUNTS)] = frame[list(_COUNTS)].fillna(0).astype("int64")
    return frame.astype({"mean": "float64", "variance": "float64"})


def _require_usable(rows: ir.Table, frame: pd.DataFrame, kind: str) -> None:
    """Raise when no answer of ``kind`` can be used, saying why and what to do."""
    if int(frame["responses"].sum()) > 0:
        return
    answers = int(frame["excluded"].sum())
    if answers == 0:
        raise ModelDataError(f"The feedback has no {kind} answer with a score; nothing to measure.")
    scales = (
        rows.group_by("scale_max").aggregate(answers=rows.count()).order_by(ibis.desc("answers"))
    ).to_pandas()
    found = ", ".join(
        f"0–{s:g} ({a} answers)" for s, a in zip(scales.scale_max, scales.answers, strict=True)
    )
    required = _REQUIRED_SCALE.get(kind)
    hint = (
        f"{kind.upper()} is read on a scale up to {required:g}; rescale the scores "
        f"(score × {required:g} / scale_max) or import them as csat if the question differs."
        if required is not None and (scales["scale_max"] != required).any()
        else "Check that every score lies between 0 and its scale_max."
    )
    raise ModelDataError(
        f"None of the {answers} {kind} answers can be used; scales found: {found}. {hint}"
    )


def _score_columns(frame: pd.DataFrame, kind: str, level: float) -> pd.DataFrame:
    n = frame["responses"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = frame["successes"].to_numpy(dtype=float) / n
        detractors_share = frame["detractors"].to_numpy(dtype=float) / n
    low, high = wilson_interval(frame["successes"], n, level)
    result = frame.drop(columns=["successes", "detractors", "mean", "variance"])
    if kind == "nps":
        nps = nps_interval(frame["successes"], frame["detractors"], n, level)
        result["promoters_share"], result["detractors_share"] = share, detractors_share
        result["nps"], result["nps_low"], result["nps_high"] = nps.nps, nps.low, nps.high
        result["margin_of_error"] = normal_quantile(level) * nps.standard_error
    elif kind == "csat":
        result["csat"], result["csat_low"], result["csat_high"] = share, low, high
    else:
        mean = frame["mean"].to_numpy(dtype=float)
        variance = frame["variance"].to_numpy(dtype=float)
        result["ces_mean"] = mean
        result["ces_low"], result["ces_high"] = mean_interval(mean, variance, n, level)
        result["easy_share"], result["easy_low"], result["easy_high"] = share, low, high
    return result


def _ranked(frame: pd.DataFrame, kind: str, within: Sequence[str]) -> pd.DataFrame:
    score = frame[_SCORE_COLUMN[kind]].where(~frame["small_group"])
    ranks = score.groupby([frame[c] for c in within]) if within else score
    frame["rank"] = ranks.rank(ascending=False, method="min").astype("Int64")
    return frame


def score_summary(
    feedback: ir.Table,
    kind: str,
    by: Sequence[str] = (),
    period: str | None = None,
    min_responses: int = 30,
    level: float = 0.95,
) -> pd.DataFrame:
    """NPS, CSAT or CES per group, with its interval, answer counts and a small-group flag.

    * **nps** (0–10): ``promoters_share`` (9–10), ``detractors_share`` (0–6), ``nps`` =
      100 (P − D), ``nps_low``/``nps_high`` and ``margin_of_error`` (see :func:`nps_interval`).
    * **csat**: ``csat``, the share of the top two points of the scale (4–5 on 5), with a Wilson
      interval ``csat_low``/``csat_high`` (see :func:`wilson_interval`).
    * **ces** (1–7): ``ces_mean`` with a Student t interval ``ces_low``/``ces_high``
      (:math:`\\bar x \\pm t_{n-1} s / \\sqrt n`), and ``easy_share``, the share of 5–7, with
      a Wilson interval ``easy_low``/``easy_high``.

    Parameters
    ----------
    feedback : ibis.expr.types.Table
        The ``feedback`` table (``kind``, ``score``, ``scale_max``, ``received_at`` and the
        columns of ``by``).
    kind : {"nps", "csat", "ces"}
        The score to summarise.
    by : sequence of str, default ()
        Columns to group by, e.g. ``["channel", "touchpoint"]``; none gives one overall row.
    period : {None, "week", "month", "quarter"}, default None
        Also group by the start of the period of ``received_at`` (``period_start``, a date;
        weeks start on Monday).
    min_responses : int, default 30
        Groups with fewer usable answers get ``small_group`` True and no ``rank``.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``period_start`` when asked, ``responses``
        (usable answers), ``excluded`` (answers off their scale), the score columns above,
        ``small_group`` and ``rank`` (1 = best score among the groups that are not small, within
        each period; missing for small groups).

    Raises
    ------
    InvalidParameterError
        For an unknown ``kind`` or ``period``, a ``level`` outside (0, 1) or a bad
        ``min_responses``.
    ModelDataError
        When a column is missing or no answer of ``kind`` can be used (e.g. every NPS was asked
        on 0–5: the message says so and suggests rescaling).
    """
    _checked_inputs(feedback, kind, by, min_responses)
    level = checked_level(level)
    rows = _answers(feedback, kind)
    keys = list(by)
    if period is not None:
        if period not in PERIODS:
            raise InvalidParameterError(
                f"period {period!r} is not supported; use None or one of: {', '.join(PERIODS)}."
            )
        start = rows["received_at"].truncate(PERIODS[period]).cast("date")
        rows = rows.mutate(period_start=start)
        keys.append("period_start")
    frame = _aggregate(rows, kind, keys)
    _require_usable(rows, frame, kind)
    result = _score_columns(frame, kind, level)
    result["small_group"] = result["responses"] < min_responses
    result = _ranked(result, kind, ["period_start"] if period is not None else [])
    return result.sort_values(keys).reset_index(drop=True) if keys else result


def _checked_windows(*windows: tuple[Any, Any]) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    checked = []
    for name, window in zip(("first", "second"), windows, strict=True):
        if not isinstance(window, tuple | list) or len(window) != 2:
            raise InvalidParameterError(f"{name} must be a pair (start, end), not {window!r}.")
        start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
        if not start < end:
            raise InvalidParameterError(f"{name} must start before it ends; got {start} to {end}.")
        checked.append((start, end))
    (start_1, end_1), (start_2, end_2) = checked
    if start_1 < end_2 and start_2 < end_1:
        raise InvalidParameterError("The periods first and second overlap; compare disjoint ones.")
    return checked


def _in_window(rows: ir.Table, start: pd.Timestamp, end: pd.Timestamp) -> ir.Table:
    return rows.filter((rows["received_at"] >= start) & (rows["received_at"] < end))


def _difference_test(kind: str, first: pd.DataFrame, second: pd.DataFrame) -> dict[str, Array]:
    """Change between the periods, test statistic and two-sided p-value, per group."""
    one, two = ({c: part[c].to_numpy(float) for c in part.columns} for part in (first, second))
    n1, n2 = one["responses"], two["responses"]
    if kind == "nps":
        test = nps_difference_test(
            one["successes"], one["detractors"], n1, two["successes"], two["detractors"], n2
        )
    elif kind == "csat":
        test = share_difference_test(one["successes"], n1, two["successes"], n2)
    else:
        test = mean_difference_test(
            one["mean"], one["variance"], n1, two["mean"], two["variance"], n2
        )
    return test._asdict()


def compare_periods(
    feedback: ir.Table,
    kind: str,
    first: tuple[Any, Any],
    second: tuple[Any, Any],
    by: Sequence[str] = (),
    level: float = 0.95,
    min_responses: int = 30,
) -> pd.DataFrame:
    """Change of NPS, CSAT share or CES mean from one period to another, tested per group.

    * **nps**: z-test on the difference of the means of the +1/0/−1 variable,
      :math:`z = (m_2 - m_1) / \\sqrt{v_1 / n_1 + v_2 / n_2}` with
      :math:`v = P + D - (P - D)^2`; ``change`` is in NPS points.
    * **csat**: two-proportion z-test with the pooled share :math:`\\bar p`,
      :math:`z = (p_2 - p_1) / \\sqrt{\\bar p (1 - \\bar p)(1/n_1 + 1/n_2)}`.
    * **ces**: Welch t-test, :math:`t = (\\bar x_2 - \\bar x_1) / \\sqrt{s_1^2/n_1 + s_2^2/n_2}`
      with Welch–Satterthwaite degrees of freedom.

    The p-values of the groups that are not small are adjusted across groups by
    Benjamini–Hochberg (1995), which keeps the expected share of false discoveries below
    :math:`1 - level`; a group is ``significant`` when its adjusted p-value is below
    :math:`1 - level` and it is not small.

    Parameters
    ----------
    feedback, kind, by, level, min_responses
        As in :func:`score_summary`; a group is small when either period has fewer than
        ``min_responses`` usable answers.
    first, second : tuple of (start, end)
        The periods compared, each from ``start`` included to ``end`` excluded (anything
        :class:`pandas.Timestamp` reads, compared with ``received_at``); they must not overlap.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``responses_first``, ``responses_second``, the
        score in each period (e.g. ``nps_first``, ``nps_second``), ``change`` (second minus
        first), ``statistic``, ``p_value``, ``p_value_adjusted`` (missing for small groups),
        ``significant`` and ``small_group``.
    """
    _checked_inputs(feedback, kind, by, min_responses)
    level = checked_level(level)
    rows = _answers(feedback, kind)
    windows = _checked_windows(first, second)
    frames = [_aggregate(_in_window(rows, *window), kind, by) for window in windows]
    _require_usable(rows, pd.concat(frames), kind)
    keys = list(by)
    suffixes = ("_first", "_second")
    merged = (
        frames[0].merge(frames[1], on=keys, how="outer", suffixes=suffixes)
        if keys
        else frames[0].merge(frames[1], how="cross", suffixes=suffixes)
    )
    columns = [*_COUNTS, "mean", "variance"]
    parts = {
        name: merged[[f"{c}_{name}" for c in columns]]
        .set_axis(columns, axis=1)
        .fillna(dict.fromkeys(_COUNTS, 0))
        .astype(dict.fromkeys(_COUNTS, "int64"))
        for name in ("first", "second")
    }
    result = merged[keys].copy()
    score = _SCORE_COLUMN[kind]
    for name, part in parts.items():
        result[f"responses_{name}"] = part["responses"]
        result[f"{score}_{name}"] = _score_columns(part, kind, level)[score]
    result = result.assign(**_difference_test(kind, parts["first"], parts["second"]))
    small = np.minimum(result["responses_first"], result["responses_second"]) < min_responses
    adjusted = benjamini_hochberg(result["p_value"].where(~small).to_numpy(float))
    result["p_value_adjusted"] = adjusted
    result["significant"] = ~small & (np.nan_to_num(adjusted, nan=1.0) < 1 - level)
    result["small_group"] = small
    return result.sort_values(keys).reset_index(drop=True) if keys else result
