"""Key-driver analysis: which themes move a score, by Johnson's relative weights.

Each survey answer is one row: an outcome (the score rescaled to 0..1 on its scale, e.g. an
NPS answer of 0–10 divided by 10) and driver columns, usually 0/1 indicators such as
``delivery:negative`` or ``staff:positive``. The relative weight of a driver is its part of
the :math:`R^2` of the linear regression of the outcome on all drivers (Johnson, 2000): the
weights are never negative, add up to :math:`R^2`, and share the explained variance fairly
between correlated drivers, unlike regression coefficients or correlations alone. They
approximate closely the Shapley (LMG, dominance) decomposition, which needs
:math:`2^p` regressions.

Intervals come from a bootstrap of the answers; identical rows are counted once, so ten
thousand answers with thirty indicators take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import linalg, sparse

from emptychair.errors import InvalidParameterError
from emptychair.voice.intervals import Array, checked_level

QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "fix first",
    (True, True): "keep",
    (False, False): "monitor",
    (False, True): "low priority",
}
_RELATIVE_TOLERANCE = 1e-9
_BLOCK_ROWS = 2048


@dataclass(frozen=True)
class DriverAnalysis:
    """The result of :func:`key_drivers`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver, ranked (see :func:`key_drivers`).
    r_squared : float
        :math:`R^2` of the regression of the outcome on every driver (the sum of the weights).
    responses : int
        Answers used.
    level : float
        Coverage of the bootstrap intervals.
    resamples : int
        Bootstrap resamples drawn.
    notes : tuple of str
        What was left out or cannot be separated (constant drivers, collinear drivers,
        answers without an outcome).
    """

    table: pd.DataFrame
    r_squared: float
    responses: int
    level: float
    resamples: int
    notes: tuple[str, ...] = field(default=())


def _eigen(matrices: Array) -> tuple[Array, Array]:
    """Eigenvalues and eigenvectors of symmetric matrices ``(..., p, p)``.

    One LAPACK call per matrix: for a few hundred small matrices this is many times faster
    than the batched :func:`numpy.linalg.eigh` when the machine's threads are busy.
    """
    flat = matrices.reshape(-1, *matrices.shape[-2:])
    pairs = [linalg.eigh(m, check_finite=False) for m in flat]
    values = np.stack([v for v, _ in pairs]).reshape(matrices.shape[:-1])
    vectors = np.stack([w for _, w in pairs]).reshape(matrices.shape)
    return values, vectors


def _weights_from_covariance(covariance: Array) -> Array:
    """Johnson's raw relative weights from covariance matrices of ``[X, y]``, batched.

    ``covariance`` has shape ``(..., p + 1, p + 1)`` with the outcome last; the result has
    shape ``(..., p)``. A predictor without variance gets weight 0; perfectly collinear
    predictors share their weight (pseudo-inverse of the square root of the correlations).
    """
    sxx, sxy = covariance[..., :-1, :-1], covariance[..., :-1, -1]
    syy = covariance[..., -1, -1]
    sd = np.sqrt(np.clip(np.diagonal(sxx, axis1=-2, axis2=-1), 0, None))
    scale = np.divide(1.0, sd, out=np.zeros_like(sd), where=sd > 0)
    rxx = sxx * scale[..., :, None] * scale[..., None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        rxy = sxy * scale / np.sqrt(syy)[..., None]
    values, vectors = _eigen(rxx)
    tolerance = _RELATIVE_TOLERANCE * np.maximum(values.max(axis=-1, keepdims=True), 1e-300)
    kept = values > tolerance
    root = np.sqrt(np.where(kept, values, 0.0))
    inverse_root = np.where(kept, 1.0 / np.sqrt(np.where(kept, values, 1.0)), 0.0)
    transposed = np.swapaxes(vectors, -1, -2)
    loadings = (vectors * root[..., None, :]) @ transposed
    beta = ((vectors * inverse_root[..., None, :]) @ transposed @ rxy[..., None])[..., 0]
    return np.asarray((loadings**2 @ (beta**2)[..., None])[..., 0])


def _covariance(rows: Array, counts: Array) -> Array:
    """Covariances of the columns of ``rows`` weighted by each row of ``counts``.

    ``rows`` has shape ``(u, q)`` and ``counts`` ``(sets, u)``; the result has shape
    ``(sets, q, q)``. The products of every pair of columns are formed once per row, so each
    set of counts costs one matrix product; columns that are mostly zero (indicators) are not
    centred, which keeps those products sparse.
    """
    counts = np.atleast_2d(counts)
    mostly_zero = (rows != 0).mean(axis=0) < 0.5
    shifted = rows - np.where(mostly_zero, 0.0, rows.mean(axis=0))
    q = rows.shape[1]
    upper = np.triu_indices(q)
    parts = max(1, -(-len(rows) // _BLOCK_ROWS))
    pairs = [block[:, upper[0]] * block[:, upper[1]] for block in np.array_split(shifted, parts)]
    density = sum(np.count_nonzero(b) for b in pairs) / (len(rows) * len(upper[0]))
    products: Any = (
        sparse.vstack([sparse.csr_array(b) for b in pairs]).tocsr()
        if density < 0.25
        else np.concatenate(pairs)
    )
    total = counts.sum(axis=1)[:, None]
    means = counts @ shifted / total
    second = np.empty((counts.shape[0], q, q))
    second[:, upper[0], upper[1]] = (products.T @ counts.T).T / total
    second[:, upper[1], upper[0]] = second[:, upper[0], upper[1]]
    return np.asarray(second - means[:, :, None] * means[:, None, :])


def _numeric(values: pd.DataFrame, what: str) -> Array:
    for column in values.columns:
        if not (
            pd.api.types.is_numeric_dtype(values[column])
            or pd.api.types.is_bool_dtype(values[column])
        ):
            raise InvalidParameterError(
                f"The {what} column {column!r} is not numeric (dtype {values[column].dtype}); "
                "give numbers, e.g. 0/1 indicators."
            )
    array = values.to_numpy(dtype=float)
    missing = np.isnan(array).sum(axis=0)
    if missing.any():
        column = values.columns[int(np.argmax(missing))]
        raise InvalidParameterError(
            f"The {what} column {column!r} has {int(missing.max())} missing values; "
            "fill them (e.g. 0 for 'not mentioned') or drop those rows."
        )
    return array


def _checked_rows(predictors: Array, outcome: Array, names: Sequence[str]) -> Array:
    """The varying predictors, after checking there are enough rows and a varying outcome."""
    if not len(outcome):
        raise InvalidParameterError("There are no answers with an outcome to analyse.")
    varying = predictors.std(axis=0) > 0
    if np.ptp(outcome) == 0:
        raise InvalidParameterError(
            "The outcome is the same for every answer; there is no variation to explain."
        )
    if not varying.any():
        raise InvalidParameterError(
            f"None of the {len(names)} drivers varies across the answers; nothing to weigh."
        )
    needed = int(varying.sum()) + 2
    if len(outcome) < needed:
        raise InvalidParameterError(
            f"Too few answers for a key-driver analysis: {len(outcome)} answers for "
            f"{int(varying.sum())} varying drivers; give at least {needed} answers "
            "(many more for useful intervals) or fewer drivers."
        )
    return varying


def relative_weights(predictors: pd.DataFrame, outcome: ArrayLike) -> pd.Series:
    """Johnson's (2000) relative weights of the predictors of an outcome.

    With :math:`R_{xx} = V \\Lambda V^\\top` the correlations of the predictors and
    :math:`r_{xy}` their correlations with the outcome, the predictors are replaced by their
    closest orthogonal counterparts :math:`Z`, whose loadings on the predictors are
    :math:`L = V \\Lambda^{1/2} V^\\top`; the outcome is regressed on :math:`Z`
    (:math:`\\beta = L^{-1} r_{xy}`) and each predictor takes back its share of each
    :math:`Z_k`:

    .. math::
        \\varepsilon_j = \\sum_k L_{jk}^2 \\beta_k^2, \\qquad
        \\sum_j \\varepsilon_j = R^2 .

    With independent predictors :math:`\\varepsilon_j = r_{jy}^2`, the squared standardised
    coefficient. A predictor that never varies gets weight 0; perfectly collinear predictors
    share their weight (:math:`L^{-1}` is then a pseudo-inverse).

    Parameters
    ----------
    predictors : pandas.DataFrame
        One numeric column per predictor, one row per observation.
    outcome : array-like
        The outcome, one value per row of ``predictors``.

    Returns
    -------
    pandas.Series
        The raw weights, indexed by predictor, named ``weight``; their sum is the :math:`R^2`
        of the least-squares fit with an intercept.

    Raises
    ------
    InvalidParameterError
        When a column is not numeric or has missing values, the lengths differ, the outcome
        or every predictor is constant, or there are fewer rows than varying predictors + 2.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
    variables in multiple regression. *Multivariate Behavioral Research*, 35(1), 1–19.
    """
    frame = pd.DataFrame(predictors)
    names = [str(c) for c in frame.columns]
    x = _numeric(frame, "driver")
    y = _numeric(pd.DataFrame({"outcome": np.asarray(outcome, dtype=float)}), "outcome")
    if len(y) != len(x):
        raise InvalidParameterError(
            f"The outcome has {len(y)} values but the predictors have {len(x)} rows."
        )
    _checked_rows(x, y[:, 0], names)
    rows = np.column_stack([x, y])
    weights = _weights_from_covariance(_covariance(rows, np.ones(len(rows))))[0]
    return pd.Series(weights, index=names, name="weight")


def _dependence_notes(covariance: Array, names: Sequence[str], varying: Array) -> list[str]:
    """Notes on drivers that never vary and on drivers in an exact linear dependence."""
    notes = []
    constant = [n for n, v in zip(names, varying, strict=True) if not v]
    if constant:
        notes.append(f"Drivers without variation get weight 0: {', '.join(constant)}.")
    index = np.flatnonzero(varying)
    sxx = covariance[np.ix_(index, index)]
    sd = np.sqrt(np.diag(sxx))
    values, vectors = _eigen(sxx / np.outer(sd, sd))
    null = vectors[:, values <= _RELATIVE_TOLERANCE * values.max()]
    collinear = [names[i] for i in index[(np.abs(null) > 1e-6).any(axis=1)]]
    if collinear:
        notes.append(
            f"Drivers {', '.join(collinear)} are perfectly collinear (one is a combination of "
            "the others): they share their weight and their effects cannot be separated."
        )
    return notes


def quadrant_thresholds(table: pd.DataFrame) -> tuple[float, float]:
    """Importance and performance that split the quadrants: their means over ranked drivers.

    Drivers flagged ``small`` (too few mentions) are left out of both means.
    """
    ranked = table.loc[~table["small"].astype(bool)]
    return float(ranked["weight"].mean()), float(ranked["performance"].mean())


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its quadrants and ranks, drivers that are not small first."""
    importance, performance = quadrant_thresholds(table)
    table["quadrant"] = [
        None if small or np.isnan(p) else QUADRANTS[(bool(w >= importance), bool(p >= performance))]
        for w, p, small in zip(table["weight"], table["performance"], table["small"], strict=True)
    ]
    rank = table["weight"].where(~table["small"]).rank(ascending=False, method="min")
    table["rank"] = rank.astype("Int64")
    table = table.sort_values(["small", "weight"], ascending=[True, False], kind="stable")
    columns = [c for c in table.columns if c not in ("quadrant", "small", "rank")]
    return table[[*columns, "quadrant", "small", "rank"]].reset_index(drop=True)


def _checked_arguments(
    frame: pd.DataFrame, outcome: str, drivers: Sequence[str], resamples: int, min_mentions: int
) -> list[str]:
    if isinstance(drivers, str) or not len(drivers):
        raise InvalidParameterError(
            "drivers must be a non-empty list of column names, e.g. ['delivery:negative']."
        )
    names = list(drivers)
    duplicated = sorted({d for d in names if names.count(d) > 1})
    if duplicated:
        raise InvalidParameterError(f"drivers lists {', '.join(map(repr, duplicated))} twice.")
    if outcome in names:
        raise InvalidParameterError(f"The outcome {outcome!r} cannot also be a driver.")
    missing = [c for c in (outcome, *names) if c not in frame.columns]
    if missing:
        raise InvalidParameterError(
            f"The frame has no column {', '.join(map(repr, missing))}; "
            f"it has {len(frame.columns)} columns, e.g. {', '.join(map(str, frame.columns[:5]))}."
        )
    for name, value in (("resamples", resamples), ("min_mentions", min_mentions)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidParameterError(f"{name} must be a whole number ≥ 0, not {value!r}.")
    return names


def key_drivers(
    frame: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    level: float = 0.95,
    resamples: int = 200,
    seed: int | None = 0,
    min_mentions: int = 30,
) -> DriverAnalysis:
    """Rank the drivers of a score by relative weight, with bootstrap intervals and quadrants.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per answer, with the ``outcome`` and ``drivers`` columns.
    outcome : str
        The score column, rescaled to 0..1 on its scale (NPS 0–10 divided by 10, CSAT 1–5 as
        (score − 1) / 4, ...). Rows where it is missing are left out (see ``notes``).
    drivers : sequence of str
        Numeric driver columns, typically 0/1 indicators ``"<theme>:negative"`` and
        ``"<theme>:positive"``.
    level : float, default 0.95
        Coverage of the bootstrap percentile intervals.
    resamples : int, default 200
        Bootstrap resamples of the answers; 0 skips the intervals.
    seed : int or None, default 0
        Seed of the resampling, so a run can be reproduced.
    min_mentions : int, default 30
        Drivers present (non-zero) in fewer answers are flagged ``small``: reported, not
        ranked, and left out of the quadrants.

    Returns
    -------
    DriverAnalysis
        ``table`` with one row per driver, best rank first:

        * ``weight``: raw relative weight (part of :math:`R^2`, see :func:`relative_weights`);
        * ``share``: ``weight`` / :math:`R^2`, the share of the explained variance;
        * ``low``, ``high``: bootstrap percentile interval of ``weight`` at ``level``;
        * ``effect``: the driver's coefficient in the multiple regression, in outcome units
          (for an indicator: how much the 0..1 outcome moves when the driver is present,
          other drivers held equal; negative lowers the score). Missing for constant drivers;
          arbitrary between perfectly collinear ones;
        * ``mentions``: answers where the driver is non-zero;
        * ``performance``: mean outcome of those answers;
        * ``quadrant``: importance (``weight``) against performance, split at their means over
          the ranked drivers (:func:`quadrant_thresholds`): ``"fix first"`` (important, low
          performance), ``"keep"`` (important, high), ``"monitor"`` (less important, low),
          ``"low priority"`` (less important, high); missing for small drivers;
        * ``small`` and ``rank`` (1 = largest weight among drivers that are not small).

    Raises
    ------
    InvalidParameterError
        For a missing or non-numeric column, missing driver values, a constant outcome, fewer
        answers than varying drivers + 2, or bad ``level``, ``resamples`` or ``min_mentions``.
    """
    names = _checked_arguments(frame, outcome, drivers, resamples, min_mentions)
    level = checked_level(level)
    scored = frame.loc[frame[outcome].notna(), [*names, outcome]]
    x = _numeric(scored[names], "driver")
    y = _numeric(scored[[outcome]], "outcome")[:, 0]
    varying = _checked_rows(x, y, names)
    unique, counts = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    draws = np.random.default_rng(seed).multinomial(len(y), counts / len(y), size=resamples)
    covariances = _covariance(unique, np.vstack([counts, draws]).astype(float))
    weights = _weights_from_covariance(covariances[0])
    low = high = np.full(len(names), np.nan)
    if resamples:
        tail = 100 * (1 - level) / 2
        boot = _weights_from_covariance(covariances[1:])
        low, high = np.nanpercentile(boot, [tail, 100 - tail], axis=0)
    effect = np.linalg.pinv(covariances[0, :-1, :-1]) @ covariances[0, :-1, -1]
    present = x != 0
    mentions = present.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        performance = (present * y[:, None]).sum(axis=0) / mentions
    r_squared = float(weights.sum())
    table = pd.DataFrame(
        {
            "driver": names,
            "weight": weights,
            "share": weights / r_squared if r_squared > 0 else np.zeros(len(names)),
            "low": low,
            "high": high,
            "effect": np.where(varying, effect, np.nan),
            "mentions": mentions.astype("int64"),
            "performance": performance,
            "small": mentions < min_mentions,
        }
    )
    notes = [f"{len(frame) - len(scored)} answers without an outcome were left out."] * (
        len(scored) < len(frame)
    )
    return DriverAnalysis(
        table=_ranked(table),
        r_squared=r_squared,
        responses=len(y),
        level=level,
        resamples=resamples,
        notes=(*notes, *_dependence_notes(covariances[0], names, varying)),
    )
