"""Confidence intervals of survey scores and tests of their changes.

Intervals of shares (Wilson), NPS and means (Student t); tests of a change between two
samples (NPS, share, mean) and the Benjamini–Hochberg adjustment of many tests. Vectorised
over groups, so a score table computes every group's interval or test at once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from emptychair.errors import InvalidParameterError

Array = NDArray[np.float64]


class DifferenceTest(NamedTuple):
    """A change from a first sample to a second one, with its test statistic and p-value."""

    change: Array
    statistic: Array
    p_value: Array


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


def _two_sided(difference: Array, se: Array, p_value: Array, enough: NDArray[np.bool_]) -> Array:
    """p-values where the standard error is 0 (1 when nothing changed, else 0), NaN without data."""
    p_value = np.where(se > 0, p_value, np.where(difference == 0, 1.0, 0.0))
    return np.where(enough, p_value, np.nan)


def nps_difference_test(
    promoters_1: ArrayLike,
    detractors_1: ArrayLike,
    n_1: ArrayLike,
    promoters_2: ArrayLike,
    detractors_2: ArrayLike,
    n_2: ArrayLike,
) -> DifferenceTest:
    """z-test of the change of NPS between two independent samples, vectorised.

    Each answer is +1 (promoter), 0 or −1 (detractor); with :math:`m = P - D` the mean and
    :math:`v = P + D - (P - D)^2` the variance of that variable in each sample,

    .. math::
        z = \\frac{m_2 - m_1}{\\sqrt{v_1 / n_1 + v_2 / n_2}}

    and the two-sided p-value is read on the normal distribution.

    Returns
    -------
    DifferenceTest
        ``change`` in NPS points (second minus first), ``statistic`` :math:`z` and
        ``p_value`` (NaN when a sample is empty; 1 or 0 when both variances are 0).
    """
    p1, d1, size_1 = (np.asarray(a, dtype=float) for a in (promoters_1, detractors_1, n_1))
    p2, d2, size_2 = (np.asarray(a, dtype=float) for a in (promoters_2, detractors_2, n_2))
    with np.errstate(divide="ignore", invalid="ignore"):
        m1, m2 = (p1 - d1) / size_1, (p2 - d2) / size_2
        v1, v2 = (p1 + d1) / size_1 - m1**2, (p2 + d2) / size_2 - m2**2
        difference, se = m2 - m1, np.sqrt(v1 / size_1 + v2 / size_2)
        statistic = difference / se
        p_value = 2 * stats.norm.sf(np.abs(statistic))
    enough = (size_1 >= 1) & (size_2 >= 1)
    p_value = _two_sided(difference, se, p_value, enough)
    return DifferenceTest(100 * difference, statistic, p_value)


def share_difference_test(
    successes_1: ArrayLike, n_1: ArrayLike, successes_2: ArrayLike, n_2: ArrayLike
) -> DifferenceTest:
    """Two-proportion z-test with the pooled share :math:`\\bar p`, vectorised.

    .. math::
        z = \\frac{p_2 - p_1}{\\sqrt{\\bar p (1 - \\bar p)(1/n_1 + 1/n_2)}}

    Returns
    -------
    DifferenceTest
        ``change`` as a share (second minus first), ``statistic`` :math:`z` and the
        two-sided ``p_value`` (NaN when a sample is empty).
    """
    x1, size_1, x2, size_2 = (
        np.asarray(a, dtype=float) for a in (successes_1, n_1, successes_2, n_2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x1 + x2) / (size_1 + size_2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / size_1 + 1 / size_2))
        difference = x2 / size_2 - x1 / size_1
        statistic = difference / se
        p_value = 2 * stats.norm.sf(np.abs(statistic))
    enough = (size_1 >= 1) & (size_2 >= 1)
    return DifferenceTest(difference, statistic, _two_sided(difference, se, p_value, enough))


def mean_difference_test(
    mean_1: ArrayLike,
    variance_1: ArrayLike,
    n_1: ArrayLike,
    mean_2: ArrayLike,
    variance_2: ArrayLike,
    n_2: ArrayLike,
) -> DifferenceTest:
    """Welch t-test of the change of a mean, vectorised.

    .. math::
        t = \\frac{\\bar x_2 - \\bar x_1}{\\sqrt{s_1^2/n_1 + s_2^2/n_2}}

    with Welch–Satterthwaite degrees of freedom; ``variance`` is the sample variance
    :math:`s^2`.

    Returns
    -------
    DifferenceTest
        ``change`` in the units of the mean, ``statistic`` :math:`t` and the two-sided
        ``p_value`` (NaN when a sample has fewer than 2 answers).
    """
    x1, s1, size_1, x2, s2, size_2 = (
        np.asarray(a, dtype=float) for a in (mean_1, variance_1, n_1, mean_2, variance_2, n_2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = s1 / size_1, s2 / size_2
        difference, se = x2 - x1, np.sqrt(a + b)
        freedom = (a + b) ** 2 / (a**2 / (size_1 - 1) + b**2 / (size_2 - 1))
        statistic = difference / se
        p_value = 2 * stats.t.sf(np.abs(statistic), freedom)
    enough = (size_1 >= 2) & (size_2 >= 2)
    return DifferenceTest(difference, statistic, _two_sided(difference, se, p_value, enough))


def benjamini_hochberg(p_values: ArrayLike) -> Array:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values); missing p-values stay missing.

    .. math::
        q_{(i)} = \\min_{j \\ge i} \\min\\left(1, \\frac{m \\, p_{(j)}}{j}\\right)

    with :math:`p_{(1)} \\le \\dots \\le p_{(m)}` the :math:`m` finite p-values. Calling
    significant every test with :math:`q < \\alpha` keeps the expected share of false
    discoveries among them below :math:`\\alpha` (independent or positively dependent tests).

    Returns
    -------
    numpy.ndarray
        The adjusted p-values, in the order of ``p_values``.
    """
    p_values = np.asarray(p_values, dtype=float)
    adjusted = np.full(p_values.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(p_values))
    order = tested[np.argsort(p_values[tested], kind="stable")]
    scaled = p_values[order] * len(order) / np.arange(1, len(order) + 1)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted
