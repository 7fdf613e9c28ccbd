"""Confidence intervals of survey scores: shares (Wilson), NPS, and means (Student t).

Vectorised over groups, so a score table computes every group's interval at once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from emptychair.errors import InvalidParameterError

Array = NDArray[np.float64]


class NpsInterval(NamedTuple):
    """An NPS with its standard error and interval, all in NPS points (−100 to 100)."""

    nps: Array
    standard_error: Array
    low: Array
    high: Array


def normal_quantile(level: float) -> float:
    """The normal quantile ``z`` of a two-sided interval of coverage ``level``."""
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson_interval(successes: ArrayLike, n: ArrayLike, level: float = 0.95) -> tuple[Array, Array]:
    """Wilson score interval of a proportion, vectorised.

    .. math::
        \\frac{\\hat p + \\frac{z^2}{2n} \\pm
        z \\sqrt{\\frac{\\hat p (1 - \\hat p)}{n} + \\frac{z^2}{4 n^2}}}{1 + \\frac{z^2}{n}}

    with :math:`\\hat p = x / n` and :math:`z` the normal quantile of :math:`(1 + level) / 2`
    (Wilson, 1927). It stays inside [0, 1] and keeps its coverage near ``level`` for small
    :math:`n` and shares near 0 or 1, unlike the Wald interval. ``n`` of 0 gives NaN.

    Returns
    -------
    tuple of numpy.ndarray
        ``(low, high)``, shares between 0 and 1, shaped like the broadcast inputs.
    """
    x, size = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = normal_quantile(checked_level(level))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = x / size
        denominator = 1 + z**2 / size
        centre = (share + z**2 / (2 * size)) / denominator
        half = z * np.sqrt(share * (1 - share) / size + z**2 / (4 * size**2)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def nps_interval(
    promoters: ArrayLike, detractors: ArrayLike, n: ArrayLike, level: float = 0.95
) -> NpsInterval:
    """Net Promoter Score and its normal interval, vectorised.

    Each answer is scored +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor, 0–6); the
    NPS is 100 times the mean of that variable, and its standard error comes from the variance
    of the variable:

    .. math::
        \\mathrm{NPS} = 100 (P - D), \\qquad
        se = \\sqrt{\\frac{P + D - (P - D)^2}{n}}, \\qquad
        \\mathrm{NPS} \\pm 100 \\, z \\, se

    with :math:`P` and :math:`D` the shares of promoters and detractors. The interval is clipped
    to [−100, 100]. ``n`` of 0 gives NaN.

    Returns
    -------
    NpsInterval
        ``nps``, ``standard_error`` (:math:`100 \\, se`), ``low`` and ``high``, in NPS points.
    """
    size = np.asarray(n, dtype=float)
    z = normal_quantile(checked_level(level))
    with np.errstate(divide="ignore", invalid="ignore"):
        promoter_share = np.asarray(promoters, dtype=float) / size
        detractor_share = np.asarray(detractors, dtype=float) / size
        net = promoter_share - detractor_share
        error = 100 * np.sqrt(np.maximum(promoter_share + detractor_share - net**2, 0) / size)
    score = 100 * net
    low, high = np.clip(score - z * error, -100, 100), np.clip(score + z * error, -100, 100)
    return NpsInterval(score, error, low, high)


def mean_interval(mean: Array, variance: Array, n: Array, level: float) -> tuple[Array, Array]:
    """Student t interval of a mean, :math:`\\bar x \\pm t_{n-1} s / \\sqrt n`; NaN below n = 2."""
    usable = n >= 2
    t = np.where(usable, stats.t.ppf(0.5 + level / 2, np.where(usable, n - 1, 1)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * np.sqrt(variance / n)
    return mean - half, mean + half


def checked_level(level: float) -> float:
    """``level`` as a float, or a clear error when it is not between 0 and 1."""
    if not isinstance(level, float | int) or not 0 < level < 1:
        raise InvalidParameterError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}.")
    return float(level)
