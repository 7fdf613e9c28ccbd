"""Acquisition cohorts (retention and revenue by periods since acquisition) and their economics.

A cohort is the set of customers acquired in the same period. Following it period after period
shows whether newer customers stay and spend better than older ones. Acquisition economics
compares, per acquisition channel, what a customer costs to acquire (CAC) with what it brings
back. Counting and summing happen in the engine; only one row per cohort and period (or per
channel and month) comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.value.features import require_columns

Period = Literal["week", "month", "quarter"]
AcquiredFrom = Literal["first_order", "created_at"]
_TRUNCATE = {"week": "W", "month": "M", "quarter": "Q"}
_UNKNOWN_CHANNEL = "unknown"
CutOff = datetime | date | str | None


def _period_number(at: ir.TimestampValue, period: str) -> ir.IntegerValue:
    """Periods since an origin, so that subtracting two gives the periods between them."""
    if period == "month":
        return at.year() * 12 + at.month() - 1
    if period == "quarter":
        return at.year() * 4 + at.quarter() - 1
    monday_day = at.truncate("W").epoch_seconds() // 86400
    return (monday_day + 3) // 7


def _period_number_of(at: pd.Timestamp, period: str) -> int:
    if period == "month":
        return at.year * 12 + at.month - 1
    if period == "quarter":
        return at.year * 4 + at.quarter - 1
    monday_day = (at.normalize() - pd.Timestamp("1970-01-01")).days - at.weekday()
    return (monday_day + 3) // 7


def _observed_orders(orders: ir.Table, cut_off: CutOff) -> tuple[ir.Table, pd.Timestamp]:
    """The orders up to the cut-off (the last order when ``cut_off`` is None) and the cut-off."""
    require_columns(orders, ["customer_id", "ordered_at", "amount"], "orders table")
    if cut_off is None:
        last = orders.aggregate(last=orders["ordered_at"].max()).to_pandas().iloc[0, 0]
        if pd.isna(last):
            raise ModelDataError("The orders table is empty; there is no cohort to follow.")
        return orders, pd.Timestamp(last)
    at = pd.Timestamp(cut_off)
    if at == at.normalize():  # a date: its whole day is observed
        at += pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
    return orders.filter(orders["ordered_at"] <= at.to_pydatetime()), at


def _acquisitions(
    orders: ir.Table,
    customers: ir.Table | None,
    acquired_from: str,
    columns: Sequence[str] = (),
) -> ir.Table:
    """``customer_id`` and ``acquired_at`` (plus ``columns`` of the customers) per customer."""
    first = orders.group_by("customer_id").aggregate(first_order_at=orders["ordered_at"].min())
    if acquired_from not in ("first_order", "created_at"):
        raise InvalidParameterError(
            f"acquired_from must be 'first_order' or 'created_at', not {acquired_from!r}."
        )
    if customers is None:
        if acquired_from == "created_at" or columns:
            raise InvalidParameterError("Pass the customers table to use created_at or channels.")
        return first.select("customer_id", acquired_at=first["first_order_at"])
    require_columns(customers, ["customer_id", "created_at", *columns], "customers table")
    people = customers.select("customer_id", "created_at", *columns)
    joined = people.left_join(first, "customer_id").select(*people.columns, "first_order_at")
    created, first_order = joined["created_at"], joined["first_order_at"]
    acquired_at = first_order
    if acquired_from == "created_at":
        acquired_at = ibis.least(created.coalesce(first_order), first_order.coalesce(created))
    return joined.select("customer_id", *columns, acquired_at=acquired_at)


def cohort_table(
    orders: ir.Table,
    customers: ir.Table | None = None,
    period: Period = "month",
    periods: int = 12,
    acquired_from: AcquiredFrom = "first_order",
    cut_off: CutOff = None,
) -> pd.DataFrame:
    """Retention and revenue of each acquisition cohort, period by period, in long form.

    A customer is acquired at its first order, or with ``acquired_from="created_at"`` at the
    earlier of ``customers.created_at`` and its first order (customers who never ordered then
    count in their cohort; an import often sets ``created_at`` after the first order, and a
    missing ``created_at`` falls back on the first order). The cohort is the calendar period of
    acquisition; period 0 is that period, period 1 the next one, and so on.

    A cell is observable when its period starts at or before the cut-off. Cells after it are
    **missing**, not 0, so recent cohorts show a shorter row (the classic triangle); the period
    holding the cut-off is observable but only partly, which ``complete`` says. Orders after
    the cut-off are left out. Amounts are summed as they are: use a single currency.

    Parameters
    ----------
    orders : ibis.expr.types.Table
        The canonical orders table.
    customers : ibis.expr.types.Table, optional
        The canonical customers table, needed with ``acquired_from="created_at"``.
    period : {"month", "quarter", "week"}, default "month"
        Length of a cohort and of a step after acquisition (weeks start on Monday).
    periods : int, default 12
        Last period after acquisition shown (cells 0 to ``periods``).
    acquired_from : {"first_order", "created_at"}, default "first_order"
    cut_off : datetime-like, optional
        End of the observation (a date includes its whole day); the last order by default.

    Returns
    -------
    pandas.DataFrame
        One row per cohort and period: ``cohort`` (start of the period), ``cohort_size``,
        ``periods_since_acquisition``, ``complete``, ``active_customers`` (customers with an
        order in that period), ``retention`` (active / size), ``revenue``,
        ``revenue_per_customer`` (revenue / size) and ``cumulative_revenue_per_customer``.
    """
    if period not in _TRUNCATE:
        raise InvalidParameterError(f"period must be week, month or quarter, not {period!r}.")
    if not isinstance(periods, int) or periods < 0:
        raise InvalidParameterError(f"periods must be a whole number, 0 or more, not {periods!r}.")
    observed, cut_at = _observed_orders(orders, cut_off)
    acquired = _acquisitions(observed, customers, acquired_from)
    acquired = acquired.filter(acquired["acquired_at"] <= cut_at.to_pydatetime())
    acquired = acquired.mutate(cohort_number=_period_number(acquired["acquired_at"], period))
    sizes = acquired.group_by("cohort_number").aggregate(
        cohort=acquired["acquired_at"].truncate(_TRUNCATE[period]).min(),
        cohort_size=acquired.count(),
    )
    bought = observed.join(acquired, "customer_id")
    bought = bought.mutate(
        periods_since_acquisition=_period_number(bought["ordered_at"], period)
        - bought["cohort_number"]
    )
    in_range = bought["periods_since_acquisition"].between(0, periods)
    activity = (
        bought.filter(in_range)
        .group_by("cohort_number", "periods_since_acquisition")
        .aggregate(active_customers=bought["customer_id"].nunique(), revenue=bought["amount"].sum())
    )
    cells = sizes.to_pandas().merge(
        pd.DataFrame({"periods_since_acquisition": range(periods + 1)}), how="cross"
    )
    cells = cells.merge(
        activity.to_pandas(), on=["cohort_number", "periods_since_acquisition"], how="left"
    )
    reached = cells["cohort_number"] + cells["periods_since_acquisition"]
    last = _period_number_of(cut_at, period)
    observable = reached <= last
    cells["complete"] = reached < last
    cells["active_customers"] = cells["active_customers"].fillna(0).astype("Int64")
    cells["revenue"] = cells["revenue"].astype("float64").fillna(0.0)
    cells.loc[~observable, "active_customers"] = pd.NA
    cells.loc[~observable, "revenue"] = float("nan")
    cells["retention"] = cells["active_customers"].astype("float64") / cells["cohort_size"]
    cells["revenue_per_customer"] = cells["revenue"] / cells["cohort_size"]
    cells = cells.sort_values(["cohort", "periods_since_acquisition"], ignore_index=True)
    cells["cumulative_revenue_per_customer"] = cells.groupby("cohort")[
        "revenue_per_customer"
    ].cumsum()
    columns = ["cohort", "cohort_size", "periods_since_acquisition", "complete"]
    columns += ["active_customers", "retention", "revenue", "revenue_per_customer"]
    return cells[[*columns, "cumulative_revenue_per_customer"]]


def cohort_triangle(cells: pd.DataFrame, value: str = "retention") -> pd.DataFrame:
    """Pivot :func:`cohort_table` to the classic triangle: a row per cohort, a column per period.

    ``value`` names the column shown (``retention``, ``cumulative_revenue_per_customer``, ...).
    Cells not yet observable stay missing.
    """
    if value not in cells.columns:
        raise InvalidParameterError(f"value must be a column of the cohort table, not {value!r}.")
    return cells.pivot(index="cohort", columns="periods_since_acquisition", values=value)


def _payback(cells: pd.DataFrame, mean_cac: float) -> tuple[float, int]:
    """First month whose cumulative margin per customer reaches ``mean_cac``; months observed."""
    horizons = cells.groupby("horizon")["customers"].first()
    months_observed = int(horizons.index.max()) + 1
    if pd.isna(mean_cac):
        return float("nan"), months_observed
    for month in range(months_observed):
        still_observed = cells[cells["horizon"] >= month]
        margin = still_observed.loc[still_observed["month"] <= month, "margin"].sum()
        if margin / horizons[horizons.index >= month].sum() >= mean_cac:
            return float(month), months_observed
    return float("nan"), months_observed


def acquisition_economics(
    orders: ir.Table,
    customers: ir.Table,
    clv: ir.Table | pd.DataFrame | None = None,
    margin_rate: float | None = None,
    acquired_from: AcquiredFrom = "created_at",
    cut_off: CutOff = None,
) -> pd.DataFrame:
    """What a customer costs and brings back, per acquisition channel.

    Definitions, per ``acquisition_channel`` (a missing channel is shown as ``"unknown"``):

    - ``customers``: customers of the channel; ``customers_with_cost``: those with a known
      ``acquisition_cost``.
    - ``mean_cac``: mean ``acquisition_cost`` over customers with a known cost; missing when
      none has one (the channel is still listed).
    - ``mean_clv``: mean CLV of the channel's customers found in ``clv``; ``clv_to_cac`` is
      ``mean_clv / mean_cac``.
    - ``payback_month``: the first month since acquisition (0 = the acquisition month, as in
      :func:`cohort_table`) at which the cumulative margin per customer reaches ``mean_cac``.
      At month :math:`m` the margin per customer is taken over customers observed for at least
      :math:`m` months (acquired at least :math:`m` months before the cut-off month), summing
      their margin of months 0 to :math:`m`. The margin of an order is ``orders.margin``, or
      ``amount * margin_rate`` when it is missing and ``margin_rate`` is given; otherwise the
      order adds nothing. Missing when never reached within the data, or without any margin.
    - ``months_observed``: months since acquisition the data covers for the channel.

    Acquisition is the earlier of ``created_at`` and the first order by default, because CAC is
    spent when the customer is acquired and customers who never ordered still cost it (see
    :func:`cohort_table` for ``acquired_from``).

    Returns
    -------
    pandas.DataFrame
        One row per channel, sorted by channel.
    """
    if margin_rate is not None and not 0 < margin_rate <= 1:
        raise InvalidParameterError(f"margin_rate must be in (0, 1], not {margin_rate!r}.")
    observed, cut_at = _observed_orders(orders, cut_off)
    columns = ("acquisition_channel", "acquisition_cost")
    people = _acquisitions(observed, customers, acquired_from, columns)
    people = people.mutate(
        acquisition_channel=people["acquisition_channel"].coalesce(_UNKNOWN_CHANNEL),
        horizon=_period_number_of(cut_at, "month") - _period_number(people["acquired_at"], "month"),
    )
    people = people.filter(people["acquired_at"].isnull() | (people["horizon"] >= 0))
    if clv is not None:
        values = ibis.memtable(clv) if isinstance(clv, pd.DataFrame) else clv
        require_columns(values, ["customer_id", "clv"], "CLV table")
        values = values.select("customer_id", "clv")
        people = people.left_join(values, "customer_id").select(*people.columns, "clv")
    metrics = {
        "customers": people.count(),
        "customers_with_cost": people["acquisition_cost"].count(),
        "mean_cac": people["acquisition_cost"].mean(),
    }
    if clv is not None:
        metrics["mean_clv"] = people["clv"].mean()
    result = people.group_by("acquisition_channel").aggregate(**metrics).to_pandas()
    result = result.sort_values("acquisition_channel", ignore_index=True)
    result["customers_with_cost"] = result["customers_with_cost"].astype("int64")
    if clv is not None:
        positive_cac = result["mean_cac"].where(result["mean_cac"] > 0)
        result["clv_to_cac"] = result["mean_clv"] / positive_cac
    has_margin = "margin" in observed.columns
    order_margin = observed["margin"] if has_margin else ibis.null("float64")
    if margin_rate is not None:
        order_margin = order_margin.coalesce(observed["amount"] * margin_rate)
    timed = people.filter(people["acquired_at"].notnull())
    sizes = timed.group_by("acquisition_channel", "horizon").aggregate(customers=timed.count())
    bought = observed.mutate(margin=order_margin).join(timed, "customer_id")
    bought = bought.mutate(
        month=_period_number(bought["ordered_at"], "month")
        - _period_number(bought["acquired_at"], "month")
    )
    margins = bought.group_by("acquisition_channel", "horizon", "month").aggregate(
        margin=bought["margin"].sum(), known=bought["margin"].count()
    )
    margin_cells = margins.to_pandas()
    any_margin = bool(margin_cells["known"].sum() > 0)
    cells = sizes.to_pandas().merge(margin_cells, on=["acquisition_channel", "horizon"], how="left")
    cells["month"] = cells["month"].fillna(0)
    cells["margin"] = cells["margin"].astype("float64").fillna(0.0)
    paybacks: list[float] = []
    observed_months: list[int | None] = []
    for channel, cac in zip(result["acquisition_channel"], result["mean_cac"], strict=True):
        channel_cells = cells[cells["acquisition_channel"] == channel]
        if channel_cells.empty:
            paybacks.append(float("nan"))
            observed_months.append(None)
            continue
        payback, months = _payback(channel_cells, cac if any_margin else float("nan"))
        paybacks.append(payback)
        observed_months.append(months)
    result["payback_month"] = pd.array(paybacks, dtype="Float64").astype("Int64")
    result["months_observed"] = pd.array(observed_months, dtype="Int64")
    return result
