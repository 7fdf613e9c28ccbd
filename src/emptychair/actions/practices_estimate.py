"""Effects of a practice by stratified comparison, their intervals and the flags.

Within each stratum ``s`` (a wave and one cell of the coarsened covariates, see
:func:`emptychair.actions.practices_panel.strata`) holding ``n1`` contacted and
``n0 >= 2`` uncontacted customers, the contacted customers' mean outcome is compared
with the uncontacted ones'. The effect on the contacted (coarsened exact matching,
Iacus, King and Porro, 2012) is

.. math::

    \\hat\\tau = \\sum_s \\frac{n_{1s}}{N_1} (\\bar y_{1s} - \\bar y_{0s}),
    \\qquad N_1 = \\sum_s n_{1s},

a linear combination :math:`\\hat\\tau = \\sum_i a_i y_i` of the panel rows. Its
variance is estimated from the rows' residuals summed per customer (a customer appears
in many waves, so the rows are clustered by customer):

.. math::

    \\widehat{V} = \\sum_c \\Big(\\sum_{i \\in c} a_i r_i\\Big)^2,

with :math:`r_i = y_i - \\bar y_{0s} - \\hat\\tau` for a contacted row and
:math:`r_i = (y_i - \\bar y_{0s}) \\sqrt{n_{0s} / (n_{0s} - 1)}` for an uncontacted one.
The p-values (normal approximation) of every practice and outcome are controlled
together by Benjamini and Hochberg (1995); the intervals are given at level
:math:`1 - \\alpha` and, adjusted for the selection, at level :math:`1 - R\\alpha/m`
(Benjamini and Yekutieli, 2005), with ``R`` the number of effects found among ``m``:
an adjusted interval excludes zero exactly when Benjamini-Hochberg finds the effect.
"""

from __future__ import annotations

import math

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy.stats import norm

from emptychair.actions.practices_panel import OUTCOMES

#: Uncontacted customers a stratum needs to be compared (and its variance estimated).
MIN_UNCONTACTED_PER_STRATUM = 2
#: The side of each outcome that hurts the customer (and later the business).
HARM_SIDE = {
    "complaint": 1,
    "unsubscribe": 1,
    "dissatisfied": 1,
    "lapse": 1,
    "revenue_later": -1,
}
GAIN = "revenue_short"


def cell_statistics(rows: ir.Table) -> ir.Table:
    """Rows and mean outcomes per practice, stratum and contacted flag (small)."""
    return rows.group_by(["practice", "stratum", "contacted"]).aggregate(
        n=rows.count(), **{f"mean_{o}": rows[o].cast("float64").mean() for o in OUTCOMES}
    )


def matched_strata(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per practice and stratum with both groups: ``n1``, ``n0``, the means of
    both groups and the weight ``n1 / N1`` of the stratum."""
    means = [f"mean_{o}" for o in OUTCOMES]
    contacted = cells[cells["contacted"].astype(bool)]
    uncontacted = cells[~cells["contacted"].astype(bool)]
    both = contacted[["practice", "stratum", "n", *means]].merge(
        uncontacted[["practice", "stratum", "n", *means]],
        on=["practice", "stratum"],
        suffixes=("_1", "_0"),
    )
    both = both.rename(columns={"n_1": "n1", "n_0": "n0"})
    both = both[both["n0"] >= MIN_UNCONTACTED_PER_STRATUM].copy()
    both["weight"] = both["n1"] / both.groupby("practice")["n1"].transform("sum")
    return both.reset_index(drop=True)


def point_estimates(matched: pd.DataFrame) -> pd.DataFrame:
    """Per practice and outcome: effect on the contacted and the uncontacted baseline."""
    rows = []
    for practice, strata in matched.groupby("practice", sort=True):
        w = strata["weight"].to_numpy()
        for outcome in OUTCOMES:
            treated = strata[f"mean_{outcome}_1"].to_numpy()
            control = strata[f"mean_{outcome}_0"].to_numpy()
            rows.append(
                {
                    "practice": practice,
                    "outcome": outcome,
                    "baseline": float(w @ control),
                    "effect": float(w @ (treated - control)),
                }
            )
    return pd.DataFrame(rows, columns=["practice", "outcome", "baseline", "effect"])


def clustered_variance(rows: ir.Table, matched: pd.DataFrame, estimates: pd.DataFrame) -> ir.Table:
    """Per practice, the variance of each effect, residuals summed per customer (an
    expression: the rows stay in the engine)."""
    effect = estimates.pivot(index="practice", columns="outcome", values="effect")
    total = matched.groupby("practice")["n1"].transform("sum")
    frame = pd.DataFrame(
        {
            "practice": matched["practice"],
            "stratum": matched["stratum"],
            "a1": 1.0 / total,
            "a0": -(matched["n1"] / (total * matched["n0"]))
            * np.sqrt(matched["n0"] / (matched["n0"] - 1)),
            **{f"m0_{o}": matched[f"mean_{o}_0"] for o in OUTCOMES},
            **{f"tau_{o}": matched["practice"].map(effect[o]).to_numpy() for o in OUTCOMES},
        }
    )
    weights = ibis.memtable(frame)
    joined = rows.join(weights, ["practice", "stratum"])
    contribution = {}
    for o in OUTCOMES:
        y = joined[o].cast("float64")
        contribution[o] = ibis.ifelse(
            joined["contacted"],
            joined["a1"] * (y - joined[f"m0_{o}"] - joined[f"tau_{o}"]),
            joined["a0"] * (y - joined[f"m0_{o}"]),
        )
    per_customer = joined.group_by([joined["practice"], joined["customer_id"]]).aggregate(
        **{o: value.sum() for o, value in contribution.items()}
    )
    return per_customer.group_by("practice").aggregate(
        **{o: (per_customer[o] * per_customer[o]).sum() for o in OUTCOMES}
    )


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def with_intervals(effects: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Add standard errors, p-values, q-values, both intervals and the signals.

    ``effects`` holds ``effect`` and ``variance`` per practice and outcome. ``signal``
    is ``gain`` for a short-term revenue found above zero, ``harm`` for an outcome found
    on its harmful side, ``benefit`` for one found on the other side.
    """
    out = effects.copy()
    se = np.sqrt(np.maximum(out["variance"].to_numpy(dtype=float), 0.0))
    effect = out["effect"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, effect / np.where(se > 0, se, 1.0), 0.0)
    p = 2.0 * norm.sf(np.abs(z))
    q = benjamini_hochberg(p)
    found = q <= alpha
    m, r = len(p), int(found.sum())
    level = max(r, 1) * alpha / max(m, 1)
    z_plain, z_adjusted = norm.isf(alpha / 2), norm.isf(level / 2)
    out["standard_error"] = se
    out["low"] = effect - z_plain * se
    out["high"] = effect + z_plain * se
    out["low_adjusted"] = effect - z_adjusted * se
    out["high_adjusted"] = effect + z_adjusted * se
    out["p_value"] = p
    out["q_value"] = q
    side = out["outcome"].map(HARM_SIDE).fillna(0).to_numpy()
    signal = np.full(len(out), "", dtype=object)
    gain = found & (out["outcome"].to_numpy() == GAIN) & (effect > 0)
    signal[gain] = "gain"
    signal[found & (side != 0) & (np.sign(effect) == side)] = "harm"
    signal[found & (side != 0) & (np.sign(effect) == -side)] = "benefit"
    out["signal"] = signal
    flagged = out.groupby("practice")["signal"].transform(
        lambda s: bool((s == "gain").any() and (s == "harm").any())
    )
    out["flagged"] = flagged.astype(bool)
    return out.drop(columns=["variance"])


def adjusted_level(alpha: float, found: int, tests: int) -> float:
    """Coverage of the selection-adjusted intervals: ``1 - max(R, 1) alpha / m``."""
    return 1.0 - max(found, 1) * alpha / max(tests, 1) if tests else math.nan
