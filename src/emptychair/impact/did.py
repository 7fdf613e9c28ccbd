"""Difference-in-differences on a panel of observations, with unit-clustered intervals.

The estimator takes an Ibis table with one row per observation: ``unit`` (the customer
the observation belongs to), ``treated`` (in the group the initiative targeted, else the
comparison group), ``post`` (after the start) and ``y`` (the KPI). Every sum runs in the
engine; only four cell means and two sums of squares come back.

.. math::

    \\hat\\delta = (\\bar y_{T,post} - \\bar y_{T,pre}) - (\\bar y_{C,post} - \\bar y_{C,pre})

is the interaction coefficient of the regression
:math:`y = a + b\\,T + c\\,P + \\delta\\,T P + \\varepsilon`. Its variance is the
cluster-robust sandwich (Liang and Zeger, 1986) restricted to :math:`\\delta`: with
:math:`\\psi_g = \\sum_{cells} s_c\\, r_{g,c} / N_c` (sign :math:`s_c = \\pm 1`, residual
sum :math:`r_{g,c}` of unit :math:`g` in cell :math:`c`, cell size :math:`N_c`),

.. math::

    \\widehat{\\mathrm{Var}}(\\hat\\delta) = \\frac{G}{G - 1} \\sum_g \\psi_g^2 ,

and the interval uses Student's *t* with :math:`G - 1` degrees of freedom (Cameron and
Miller, 2015, "A practitioner's guide to cluster-robust inference"). Observations of one
unit may be correlated in any way (repeated answers, successive periods).

The pre-trend check is the same estimator on the pre-period only, the later half of it
playing "post" (a placebo): a clear placebo effect means the groups were already drifting
apart before the start, and the main estimate is not trustworthy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd
from scipy import stats

from emptychair.errors import ModelDataError

LEVEL = 0.95
#: The fewest units (customers) each group must have before and after the start.
MIN_UNITS = 30
_CELLS = ((True, True, 1.0), (True, False, -1.0), (False, True, -1.0), (False, False, 1.0))


@dataclass(frozen=True)
class DidEstimate:
    """A difference-in-differences estimate with its cluster-robust interval."""

    estimate: float
    std_error: float
    low: float
    high: float
    p_value: float
    #: Units (clusters) in the estimate, both groups together.
    clusters: int
    #: Cell means and sizes: ``group`` (treated / comparison), ``window`` (pre / post),
    #: ``mean``, ``observations``, ``units``.
    cells: pd.DataFrame

    @property
    def significant(self) -> bool:
        """The interval leaves out zero."""
        return self.low > 0 or self.high < 0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "estimate": self.estimate,
            "std_error": self.std_error,
            "low": self.low,
            "high": self.high,
            "p_value": self.p_value,
            "clusters": self.clusters,
        }


def _cell_table(observations: ir.Table) -> pd.DataFrame:
    cells = observations.group_by(["treated", "post"]).aggregate(
        observations=observations.count(),
        units=observations["unit"].nunique(),
        total=observations["y"].sum(),
    )
    frame = cells.to_pandas()
    frame["treated"] = frame["treated"].astype(bool)
    frame["post"] = frame["post"].astype(bool)
    frame["mean"] = frame["total"].astype(float) / frame["observations"].astype(float)
    return frame


def _checked(
    frame: pd.DataFrame, min_units: int, what: tuple[str, str]
) -> dict[tuple[bool, bool], pd.Series]:
    found = {(bool(r["treated"]), bool(r["post"])): r for _, r in frame.iterrows()}
    for treated in (True, False):
        if not any(key[0] == treated for key in found):
            group = "targeted group" if treated else "comparison group"
            raise ModelDataError(
                f"the {group} is empty: no observation in the windows belongs to it; "
                "check the group's values or choose another comparison group"
            )
    for treated, post, _ in _CELLS:
        group = "targeted group" if treated else "comparison group"
        window = what[1] if post else what[0]
        units = int(found[(treated, post)]["units"]) if (treated, post) in found else 0
        if units == 0:
            raise ModelDataError(f"the {group} has no data {window}: nothing to compare")
        if units < min_units:
            raise ModelDataError(
                f"the {group} has {units} customer(s) with data {window}, fewer than the "
                f"{min_units} needed for a trustworthy estimate: widen the windows, choose a "
                "larger group or lower min_units"
            )
    return found


def difference_in_differences(
    observations: ir.Table,
    *,
    level: float = LEVEL,
    min_units: int = MIN_UNITS,
    windows: tuple[str, str] = ("before the start", "after the start"),
) -> DidEstimate:
    """Estimate the difference-in-differences of ``y`` with unit-clustered errors.

    Parameters
    ----------
    observations : ibis Table
        Columns ``unit`` (string), ``treated`` (boolean), ``post`` (boolean), ``y`` (number).
    level : float
        Confidence level of the interval.
    min_units : int
        Each group must have at least this many units in each window.
    windows : (str, str)
        How messages name the pre and post windows.

    Raises
    ------
    ModelDataError
        When a group has no data, or fewer than ``min_units`` units, in a window.
    """
    frame = _cell_table(observations)
    found = _checked(frame, min_units, windows)
    means = {key: float(row["mean"]) for key, row in found.items()}
    estimate = sum(sign * means[(t, p)] for t, p, sign in _CELLS)
    weights = pd.DataFrame(
        [
            {
                "_treated": t,
                "_post": p,
                "_mean": means[(t, p)],
                "_weight": sign / float(found[(t, p)]["observations"]),
            }
            for t, p, sign in _CELLS
        ]
    )
    cell_weights = ibis.memtable(weights)
    joined = observations.inner_join(
        cell_weights,
        [
            observations["treated"] == cell_weights["_treated"],
            observations["post"] == cell_weights["_post"],
        ],
    )
    influence = joined.group_by("unit").aggregate(
        psi=((joined["y"] - joined["_mean"]) * joined["_weight"]).sum()
    )
    sums = influence.aggregate(
        clusters=influence.count(), squares=(influence["psi"] * influence["psi"]).sum()
    ).to_pandas()
    clusters = int(sums["clusters"].iloc[0])
    squares = float(sums["squares"].iloc[0])
    std_error = math.sqrt(clusters / (clusters - 1) * squares)
    quantile = float(stats.t.ppf(0.5 + level / 2, clusters - 1))
    if std_error > 0:
        p_value = float(2 * stats.t.sf(abs(estimate) / std_error, clusters - 1))
    else:
        p_value = 1.0 if estimate == 0 else 0.0
    cells = pd.DataFrame(
        {
            "group": ["treated" if t else "comparison" for t, _, _ in _CELLS],
            "window": ["post" if p else "pre" for _, p, _ in _CELLS],
            "mean": [means[(t, p)] for t, p, _ in _CELLS],
            "observations": [int(found[(t, p)]["observations"]) for t, p, _ in _CELLS],
            "units": [int(found[(t, p)]["units"]) for t, p, _ in _CELLS],
        }
    )
    return DidEstimate(
        estimate=estimate,
        std_error=std_error,
        low=estimate - quantile * std_error,
        high=estimate + quantile * std_error,
        p_value=p_value,
        clusters=clusters,
        cells=cells,
    )


def pre_trend_check(
    observations: ir.Table, *, split: ir.BooleanValue, level: float = LEVEL, min_units: int = 1
) -> DidEstimate:
    """The placebo estimate on the pre-period: ``split`` marks its later half.

    ``observations`` must hold the pre-period only. A placebo interval that leaves out zero
    says the two groups were not moving in parallel before the start.
    """
    placebo = observations.mutate(post=split)
    return difference_in_differences(
        placebo,
        level=level,
        min_units=min_units,
        windows=("in the first half of the pre-period", "in the second half of the pre-period"),
    )
