"""RFM summaries of the orders, as Ibis expressions that run in the engine.

The summary has one row per customer with the sufficient statistics of the purchase and
spend models. Purchases are grouped by calendar day: two orders on the same day count
as one purchase occasion (this is how the models were published and how ``lifetimes``
works; it shortens the smallest gaps between purchases, which biases the rate scale
``alpha`` slightly upwards when customers buy often).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Literal

import ibis
import ibis.expr.types as ir

from emptychair.errors import InvalidParameterError, ModelDataError

TimeUnit = Literal["days", "weeks"]
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}
#: Mean length of a month, in days.
DAYS_PER_MONTH = 365.25 / 12

SUMMARY_COLUMNS = (
    "customer_id",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "total_spend",
    "orders",
    "first_purchase_at",
    "last_purchase_at",
)


@ibis.udf.agg.builtin
def min_by(value: float, key: date) -> float:  # type: ignore[empty-body]
    """The value on the row with the smallest key: a plain aggregate in DuckDB and Spark
    (Ibis' ``argmin`` sorts each group on DuckDB, which costs a quarter more here)."""


def require_columns(table: ir.Table, columns: Sequence[str], what: str) -> None:
    """Raise :class:`ModelDataError` naming the columns ``table`` lacks."""
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise ModelDataError(
            f"The {what} has no column {', '.join(repr(name) for name in missing)}; "
            f"it has {', '.join(table.columns)}."
        )


def unit_days(time_unit: str) -> float:
    """Days in one time unit; a clear error for an unknown unit."""
    try:
        return DAYS_PER_UNIT[time_unit]
    except KeyError:
        raise InvalidParameterError(
            f"time unit {time_unit!r} is not supported; use one of: {', '.join(DAYS_PER_UNIT)}"
        ) from None


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def purchase_days(
    orders: ir.Table, *, start: date | None = None, end: date | None = None
) -> ir.Table:
    """One row per customer and purchase day, with the day's amount and order count.

    ``start`` and ``end`` (both included) limit the days kept.
    """
    days = orders.mutate(day=orders.ordered_at.date().epoch_days())
    if start is not None:
        days = days.filter(days.day >= ibis.date(start).epoch_days())
    if end is not None:
        days = days.filter(days.day <= ibis.date(end).epoch_days())
    return days.group_by("customer_id", "day").aggregate(
        amount=days.amount.sum(), orders=days.count()
    )


def rfm_summary(
    orders: ir.Table,
    *,
    cutoff: date | datetime | None = None,
    time_unit: TimeUnit = "weeks",
) -> ir.Table:
    """Per-customer recency, frequency and monetary value at a cut-off date.

    Parameters
    ----------
    orders : ibis Table
        The ``orders`` table (``customer_id``, ``ordered_at``, ``amount``).
    cutoff : date or datetime, optional
        End of the observation (included). Orders after it are ignored. Default: the day
        of the last order.
    time_unit : {"weeks", "days"}
        Unit of ``recency`` and ``T``.

    Returns
    -------
    ibis Table
        ``customer_id``; ``frequency``: repeat purchase days (purchase days - 1);
        ``recency``: time from the first to the last purchase day; ``T``: time from the
        first purchase day to the cut-off; ``monetary_value``: mean amount of the repeat
        purchase days (0 without repeat purchase); ``total_spend``; ``orders``;
        ``first_purchase_at`` and ``last_purchase_at`` (dates).
    """
    per_unit = unit_days(time_unit)
    end = None if cutoff is None else _day(cutoff)
    days = _purchase_dates(orders, end)
    end_day = days.day.max().as_scalar() if end is None else ibis.date(end)
    per_customer = days.group_by("customer_id").aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        purchase_days=days.count(),
        total_spend=days.amount.sum(),
        first_amount=min_by(days.amount, days.day),
        orders=days.orders.sum(),
    )
    frequency = per_customer.purchase_days - 1
    first_day, last_day = per_customer.first_day, per_customer.last_day
    return per_customer.select(
        customer_id=per_customer.customer_id,
        frequency=frequency.cast("int64"),
        recency=(last_day.delta(first_day, unit="day") / per_unit).cast("float64"),
        T=(end_day.delta(first_day, unit="day") / per_unit).cast("float64"),
        monetary_value=ibis.ifelse(
            frequency > 0,
            (per_customer.total_spend - per_customer.first_amount) / frequency,
            0.0,
        ).cast("float64"),
        total_spend=per_customer.total_spend.cast("float64"),
        orders=per_customer.orders.cast("int64"),
        first_purchase_at=first_day.cast("date"),
        last_purchase_at=last_day.cast("date"),
    )


def _purchase_dates(orders: ir.Table, end: date | None) -> ir.Table:
    """One row per customer and purchase day (a date), with the day's amount and orders.

    The day is grouped on as a date and turned into numbers only once per customer. The
    cut-off on naive timestamps is a comparison of the column itself, which the engine
    can push down into a Parquet scan."""
    column = orders.ordered_at
    if end is not None:
        if column.type().is_timestamp() and column.type().timezone is None:
            orders = orders.filter(
                column < ibis.timestamp(datetime.combine(end + timedelta(days=1), time()))
            )
        else:
            orders = orders.filter(column.date() <= ibis.date(end))
    days = orders.select("customer_id", "amount", day=orders.ordered_at.date())
    return days.group_by("customer_id", "day").aggregate(
        amount=days.amount.sum(), orders=days.count()
    )


def calibration_holdout(
    orders: ir.Table,
    *,
    calibration_end: date | datetime,
    holdout_end: date | datetime,
    time_unit: TimeUnit = "weeks",
) -> ir.Table:
    """Split the orders at ``calibration_end`` to test a model on later purchases.

    Customers whose first purchase is in the calibration period get the RFM summary at
    ``calibration_end`` (columns ``frequency``, ``recency``, ``T``, ``monetary_value``...)
    and, for the holdout period (``calibration_end``, ``holdout_end``], the number of
    purchase days ``frequency_holdout``, their mean amount ``monetary_value_holdout``
    and the holdout length ``duration_holdout`` in the time unit.
    """
    calibration_day, holdout_day = _day(calibration_end), _day(holdout_end)
    if holdout_day <= calibration_day:
        raise InvalidParameterError(
            f"holdout_end ({holdout_day}) must be after calibration_end ({calibration_day})"
        )
    per_unit = unit_days(time_unit)
    calibration = rfm_summary(orders, cutoff=calibration_day, time_unit=time_unit)
    later = purchase_days(orders, start=calibration_day + timedelta(days=1), end=holdout_day)
    holdout = later.group_by("customer_id").aggregate(
        frequency_holdout=later.count(), spend_holdout=later.amount.sum()
    )
    joined = calibration.left_join(holdout, "customer_id").drop("customer_id_right")
    count = joined.frequency_holdout.fill_null(0)
    return joined.mutate(
        frequency_holdout=count.cast("int64"),
        monetary_value_holdout=ibis.ifelse(count > 0, joined.spend_holdout / count, 0.0).cast(
            "float64"
        ),
        duration_holdout=ibis.literal((holdout_day - calibration_day).days / per_unit),
    ).drop("spend_holdout")
