"""How concentrated value is among customers: the Pareto (Lorenz) curve, the Gini index, top shares.

Every figure is exact and computed in the engine from one row per distinct value (the number of
customers with that value and their running totals, most valuable first), so the result does not
depend on how ties between equal values are ordered. Only a handful of sums come back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError

TOP_SHARES: tuple[float, ...] = (0.01, 0.05, 0.10, 0.15, 0.20, 0.50)
_TARGET = 0.8
_ROUNDING = 1e-9


@dataclass(frozen=True)
class Concentration:
    """The concentration of value among customers, with statements ready to show.

    Attributes
    ----------
    curve : pandas.DataFrame
        The Lorenz curve from the most valuable customer down (see :func:`lorenz_curve`).
    gini : float
        Gini index, 0 when every customer has the same value, towards 1 when one has it all.
    customers : int
        Customers with a value.
    revenue : float
        Their total value.
    top_shares : pandas.DataFrame
        One row per requested top share: ``top`` (as asked), ``customers`` (the
        :math:`\\lceil top \\cdot n \\rceil` most valuable), ``share_of_customers`` (actual),
        ``revenue``, ``share_of_revenue``, ``statement_en`` and ``statement_fr``.
    customers_for_80_percent : int
        The fewest customers whose value makes at least 80 % of the total.
    share_of_customers_for_80_percent : float
        The same as a share of all customers.
    statements_en, statements_fr : tuple of str
        The top-share statements, then the 80 % statement, e.g. "the top 15% of customers make
        58% of revenue" / "les 15 % meilleurs clients font 58 % du chiffre d'affaires".
    """

    curve: pd.DataFrame
    gini: float
    customers: int
    revenue: float
    top_shares: pd.DataFrame
    customers_for_80_percent: int
    share_of_customers_for_80_percent: float
    statements_en: tuple[str, ...]
    statements_fr: tuple[str, ...]


def _checked_totals(table: ir.Table, value_column: str) -> tuple[int, float]:
    if value_column not in table.columns:
        raise ModelDataError(
            f"The table has no column {value_column!r}; it has {', '.join(table.columns)}. "
            "Pass the column to measure as value_column."
        )
    value = table[value_column]
    totals = table.aggregate(
        customers=value.count(),
        revenue=value.sum(),
        negative=(value < 0).cast("int64").sum(),
    ).to_pandas()
    customers = int(totals.loc[0, "customers"])
    if customers == 0:
        raise ModelDataError(f"No customer has a value in {value_column!r}; nothing to measure.")
    negative = int(totals.loc[0, "negative"])
    if negative:
        raise ModelDataError(
            f"{negative} customers have a negative {value_column!r} (e.g. net refunds); "
            "concentration needs values of 0 or more. Filter them out or set them to 0 first."
        )
    revenue = float(totals.loc[0, "revenue"])
    if revenue <= 0:
        raise ModelDataError(
            f"The total of {value_column!r} over {customers} customers is 0, so no share of it "
            "can be computed."
        )
    return customers, revenue


def _value_groups(table: ir.Table, value_column: str) -> ir.Table:
    """One row per distinct value with the customers and revenue of all larger values."""
    known = table.select(value=table[value_column].cast("float64")).filter(ibis._.value.notnull())
    groups = known.group_by("value").aggregate(
        customers=known.count(), revenue=known["value"].sum()
    )
    larger_first = ibis.cumulative_window(order_by=ibis.desc("value"))
    return groups.mutate(
        customers_before=groups["customers"].sum().over(larger_first) - groups["customers"],
        revenue_before=groups["revenue"].sum().over(larger_first) - groups["revenue"],
    )


def _top_revenue(groups: ir.Table, top_customers: int) -> ir.FloatingScalar:
    """Revenue of the ``top_customers`` most valuable customers."""
    taken = ibis.greatest(
        0, ibis.least(top_customers - groups["customers_before"], groups["customers"])
    )
    return (groups["value"] * taken.cast("float64")).sum()


def _gini_sum(groups: ir.Table, customers: int) -> ir.FloatingScalar:
    """:math:`\\sum_i i \\, x_{(i)}` , :math:`i` the ascending rank, summed per distinct value."""
    count = groups["customers"].cast("float64")
    smaller = customers - groups["customers_before"] - groups["customers"]
    return (groups["value"] * (count * smaller + count * (count + 1) / 2)).sum()


def _customers_for(groups: ir.Table, target: float) -> ir.IntegerScalar:
    """The fewest most-valuable customers whose revenue reaches ``target``."""
    needed = ((target - groups["revenue_before"]) / groups["value"] - _ROUNDING).ceil()
    inside = ibis.least(ibis.greatest(needed, 0), groups["customers"])
    count = groups["customers_before"] + ibis.ifelse(groups["value"] > 0, inside, 0)
    reached = groups["revenue_before"] + groups["revenue"] >= target * (1 - _ROUNDING)
    return count.cast("int64").min(where=reached)


def gini(values_table: ir.Table, value_column: str = "total_spend") -> float:
    """Gini index of a value over customers, exact, with ranks computed in the engine.

    .. math:: G = \\frac{2 \\sum_{i=1}^{n} i \\, x_{(i)}}{n \\sum_{i=1}^{n} x_i} - \\frac{n+1}{n}

    with :math:`x_{(i)}` the values sorted ascending. It is 0 when all customers have the same
    value and :math:`1 - 1/n` when one customer has it all ([0, 0, 0, 1] gives 0.75); ties do
    not change it. A single customer gives 0. Customers with a missing value are left out.

    Raises
    ------
    ModelDataError
        When the column is missing, no customer has a value, a value is negative or the total
        is 0.
    """
    customers, revenue = _checked_totals(values_table, value_column)
    groups = _value_groups(values_table, value_column)
    weighted = float(groups.aggregate(weighted=_gini_sum(groups, customers)).to_pandas().iloc[0, 0])
    return 2 * weighted / (customers * revenue) - (customers + 1) / customers


def _curve_positions(customers: int, points: int) -> list[int]:
    if not isinstance(points, int) or points < 1:
        raise InvalidParameterError(f"points must be a whole number of 1 or more, not {points!r}.")
    return sorted({-(-step * customers // points) for step in range(1, points + 1)})


def _curve(
    positions: Sequence[int], revenues: Sequence[float], customers: int, revenue: float
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customers": [0, *positions],
            "share_of_customers": [0.0, *(k / customers for k in positions)],
            "share_of_revenue": [0.0, *(value / revenue for value in revenues)],
        }
    )


def lorenz_curve(
    values_table: ir.Table, value_column: str = "total_spend", points: int = 100
) -> pd.DataFrame:
    """The Pareto curve: the share of revenue made by the most valuable share of customers.

    Customers are taken from the most valuable down; point :math:`j` of ``points`` covers the
    :math:`\\lceil j n / \\text{points} \\rceil` most valuable customers (every customer when
    there are fewer customers than points), and its revenue is exact whatever the ties.

    Returns
    -------
    pandas.DataFrame
        ``customers``, ``share_of_customers`` and ``share_of_revenue`` (both cumulative), from
        (0, 0) to (1, 1).
    """
    customers, revenue = _checked_totals(values_table, value_column)
    positions = _curve_positions(customers, points)
    groups = _value_groups(values_table, value_column)
    sums = groups.aggregate(**{f"top_{k}": _top_revenue(groups, k) for k in positions}).to_pandas()
    return _curve(
        positions, [float(sums.loc[0, f"top_{k}"]) for k in positions], customers, revenue
    )


def _percent(share: float, french: bool) -> str:
    percent = share * 100
    decimals = 0 if percent >= 0.95 or percent == 0 else 1
    rounded = math.floor(percent * 10**decimals + 0.5 + _ROUNDING) / 10**decimals
    text = f"{rounded:.{decimals}f}"
    return f"{text.replace('.', ',')} %" if french else f"{text}%"


def concentration(
    values_table: ir.Table,
    value_column: str = "total_spend",
    points: int = 100,
    top: Sequence[float] = TOP_SHARES,
) -> Concentration:
    """The Lorenz curve, the Gini index, top shares and the 80 % point, in one pass of the engine.

    Statements speak of revenue; they round shares half up to whole percents (one decimal
    below 1 %) and use the actual share of customers, which differs from the one asked when
    there are few customers (with 10 customers, the "top 1%" is 1 customer, i.e. 10 %).

    Parameters
    ----------
    values_table : ibis.expr.types.Table
        One row per customer, e.g. the RFM summary.
    value_column : str, default "total_spend"
        The value whose concentration is measured. Missing values are left out.
    points : int, default 100
        Points of the Lorenz curve.
    top : sequence of float, default (0.01, 0.05, 0.10, 0.15, 0.20, 0.50)
        Shares of customers, between 0 (excluded) and 1, whose share of revenue is reported.

    Raises
    ------
    ModelDataError
        As :func:`gini`.
    InvalidParameterError
        When ``points`` or ``top`` is out of range.
    """
    if not top or any(not 0 < share <= 1 for share in top):
        raise InvalidParameterError(f"top must hold shares in (0, 1], not {list(top)!r}.")
    customers, revenue = _checked_totals(values_table, value_column)
    positions = _curve_positions(customers, points)
    top_counts = [math.ceil(share * customers - _ROUNDING) for share in top]
    groups = _value_groups(values_table, value_column)
    sums = (
        groups.aggregate(
            weighted=_gini_sum(groups, customers),
            for_target=_customers_for(groups, _TARGET * revenue),
            **{f"top_{k}": _top_revenue(groups, k) for k in {*positions, *top_counts}},
        )
        .to_pandas()
        .iloc[0]
    )
    top_shares = pd.DataFrame({"top": list(top), "customers": top_counts})
    top_shares["share_of_customers"] = top_shares["customers"] / customers
    top_shares["revenue"] = [float(sums[f"top_{k}"]) for k in top_counts]
    top_shares["share_of_revenue"] = top_shares["revenue"] / revenue
    pairs = list(zip(top_shares["share_of_customers"], top_shares["share_of_revenue"], strict=True))
    top_shares["statement_en"] = [
        f"the top {_percent(c, False)} of customers make {_percent(r, False)} of revenue"
        for c, r in pairs
    ]
    top_shares["statement_fr"] = [
        f"les {_percent(c, True)} meilleurs clients font {_percent(r, True)} du chiffre d'affaires"
        for c, r in pairs
    ]
    for_target = int(sums["for_target"])
    target_share = for_target / customers
    return Concentration(
        curve=_curve(positions, [float(sums[f"top_{k}"]) for k in positions], customers, revenue),
        gini=2 * float(sums["weighted"]) / (customers * revenue) - (customers + 1) / customers,
        customers=customers,
        revenue=revenue,
        top_shares=top_shares,
        customers_for_80_percent=for_target,
        share_of_customers_for_80_percent=target_share,
        statements_en=(
            *top_shares["statement_en"],
            f"{_percent(target_share, False)} of customers make 80% of revenue",
        ),
        statements_fr=(
            *top_shares["statement_fr"],
            f"{_percent(target_share, True)} des clients font 80 % du chiffre d'affaires",
        ),
    )
