"""What the driver tree is filled from: one row per customer and the count of web visitors.

The engine aggregates the orders, interactions and answers of two periods of the same
length: the **period** (by default the last 12 months up to the latest order) and the
**base period** just before it. Only these small per-customer sums come into pandas:

* ``base``: the customer ordered in the base period (the customers a retention is
  measured on); ``buyer``: ordered in the period;
* ``orders``, ``items``, ``revenue``, ``margin``: what the customer ordered in the period;
* ``funnel`` and ``visitors``: a buyer reached through the web/app funnel (a visit in the
  period whose visitor identified as the customer, e.g. at checkout) and how many visitor
  ids lead to them;
* ``score``: the customer's mean answer in the base period on a 0-1 scale (score /
  scale_max), missing without an answer;
* ``segment``, ``tier``, ``clv``: from the latest customer-value run, when there is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.identity import with_golden_ids
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table

WEB_CHANNELS = ("web", "app")
SUMMED = ("orders", "items", "revenue", "margin")
NO_VALUE_RUN = (
    "no customer-value run: no segments, and the CLV is the value times the lifetime factor "
    "of the observed retention; run `emptychair value run` for the model's CLV"
)


@dataclass(frozen=True)
class Period:
    """The period measured, ``(start, end]``, and the base period ``(base_start, start]``."""

    base_start: datetime
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


@dataclass
class Inputs:
    """Per-customer sums of a period, the visitors, and where each came from."""

    period: Period
    #: One row per customer who ordered in the base period or in the period.
    customers: pd.DataFrame
    #: Web/app visitors of the period not leading to a buyer of the period.
    other_visitors: int
    value_run: str | None
    #: Share of an order's amount that is margin, where orders carry no margin.
    margin_rate: float
    margin_source: str
    #: The value run's monthly discount rate (for the lifetime factor).
    discount_rate: float
    notes: list[str] = field(default_factory=list)

    @property
    def visitors(self) -> int:
        return self.other_visitors + int(self.customers["visitors"].sum())


def period_for(workspace: Workspace, end: date | str | None, months: int) -> Period:
    """The period of ``months`` months up to ``end`` (default: the day of the latest order)."""
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 60:
        raise InvalidParameterError(f"months must be a whole number from 1 to 60, not {months!r}")
    if workspace.count("orders") == 0:
        raise ModelDataError("the workspace has no orders: import some with `emptychair import`")
    if end is None:
        last = workspace.engine.execute(workspace.table("orders").ordered_at.max())
        stop = pd.Timestamp(last).normalize() + pd.Timedelta(days=1)
    else:
        try:
            day = date.fromisoformat(end) if isinstance(end, str) else end
        except ValueError:
            raise InvalidParameterError(f"end date {end!r}: write it as YYYY-MM-DD") from None
        stop = pd.Timestamp(day).normalize() + pd.Timedelta(days=1)
    start = stop - pd.DateOffset(months=months)
    base_start = start - pd.DateOffset(months=months)
    return Period(base_start.to_pydatetime(), start.to_pydatetime(), stop.to_pydatetime())


def _order_sums(workspace: Workspace, period: Period) -> pd.DataFrame:
    orders = with_golden_ids(workspace, workspace.table("orders"))
    orders = orders.filter(
        (orders.ordered_at >= period.base_start) & (orders.ordered_at < period.end)
    )
    now = orders.ordered_at >= period.start
    sums = orders.group_by("customer_id").aggregate(
        base=(~now).any(),
        buyer=now.any(),
        orders=now.cast("int64").sum(),
        items=ibis.ifelse(now, orders["items"].fill_null(1), 0).sum(),
        items_missing=(now & orders["items"].isnull()).cast("int64").sum(),
        revenue=ibis.ifelse(now, orders.amount, 0).sum(),
        margin=ibis.ifelse(now, orders.margin, 0).sum(),
        margin_missing=ibis.ifelse(now & orders.margin.isnull(), orders.amount, 0).sum(),
    )
    return workspace.to_pandas(sums)


def _funnel(workspace: Workspace, period: Period) -> tuple[pd.DataFrame, int]:
    """Visitor ids per customer they identified as, and the number of visitors in all."""
    visits = with_golden_ids(workspace, workspace.table("interactions"))
    visits = visits.filter(
        visits.visitor_id.notnull()
        & visits.channel.isin(WEB_CHANNELS)
        & (visits.occurred_at >= period.start)
        & (visits.occurred_at < period.end)
    )
    total = int(workspace.engine.execute(visits.visitor_id.nunique()))
    known = visits.filter(visits.customer_id.notnull())
    # A visitor that identified as several customers counts for one of them.
    per_visitor = known.group_by("visitor_id").aggregate(customer_id=known.customer_id.min())
    linked = per_visitor.group_by("customer_id").aggregate(visitors=per_visitor.count())
    return workspace.to_pandas(linked), total


def _scores(workspace: Workspace, period: Period) -> pd.DataFrame:
    feedback = with_golden_ids(workspace, workspace.table("feedback"))
    scored = feedback.filter(
        feedback.score.notnull()
        & (feedback.scale_max > 0)
        & (feedback.received_at >= period.base_start)
        & (feedback.received_at < period.start)
    )
    level = (scored.score / scored.scale_max).clip(0, 1)
    means = scored.group_by("customer_id").aggregate(score=level.mean())
    return workspace.to_pandas(means)


def _value_columns(
    workspace: Workspace,
) -> tuple[pd.DataFrame | None, str | None, dict[str, Any]]:
    try:
        run = resolve_run(workspace, "value")
    except NotFoundError:
        return None, None, {}
    table = result_table(workspace, "value_customers", str(run["run_id"]))
    frame = workspace.to_pandas(table.select("customer_id", "segment", "tier", "clv"))
    parameters = json.loads(run["parameters"] or "{}")
    return frame, str(run["run_id"]), parameters


def read_inputs(workspace: Workspace, period: Period) -> Inputs:
    """The per-customer sums of ``period`` (see the module docstring)."""
    customers = _order_sums(workspace, period)
    if not customers["buyer"].any():
        raise ModelDataError(
            f"no order from {period.label}: choose another --end (the period is "
            f"the months up to that date)"
        )
    linked, total_visitors = _funnel(workspace, period)
    customers = customers.merge(linked, on="customer_id", how="left")
    customers["visitors"] = customers["visitors"].fillna(0).astype("int64")
    customers["funnel"] = customers["buyer"] & (customers["visitors"] > 0)
    customers.loc[~customers["funnel"], "visitors"] = 0
    customers = customers.merge(_scores(workspace, period), on="customer_id", how="left")
    value, value_run, parameters = _value_columns(workspace)
    if value is not None:
        customers = customers.merge(value, on="customer_id", how="left")
    else:
        customers[["segment", "tier"]] = None
        customers["clv"] = np.nan
    notes = []
    if total_visitors == 0:
        notes.append("no web/app visitor id in the period: visitors and conversion are 0")
    missing_items = int(customers["items_missing"].sum())
    if missing_items:
        notes.append(f"{missing_items:,} orders of the period have no items: counted as one item")
    margin_rate, margin_source = _margin_rate(customers, parameters)
    unknown = customers["margin_missing"].to_numpy(float)
    if unknown.any():
        customers["margin"] = customers["margin"].fillna(0) + unknown * margin_rate
        notes.append(f"orders without a margin take a margin rate of {margin_rate:.1%}")
    customers = customers.drop(columns=["items_missing", "margin_missing"])
    for column in SUMMED:
        customers[column] = customers[column].fillna(0).astype(float)
    return Inputs(
        period=period,
        customers=customers.sort_values("customer_id").reset_index(drop=True),
        other_visitors=total_visitors - int(customers["visitors"].sum()),
        value_run=value_run,
        margin_rate=margin_rate,
        margin_source=margin_source if unknown.any() else "orders",
        discount_rate=float(parameters.get("discount_rate", 0.01)),
        notes=[*notes, *([] if value_run else [NO_VALUE_RUN])],
    )


def _margin_rate(customers: pd.DataFrame, parameters: dict[str, Any]) -> tuple[float, str]:
    """The margin rate for orders without a margin: the value run's when given there, else
    the rate of the orders that have one, else 1 (margin counted as revenue)."""
    if parameters.get("margin") is not None:
        return float(parameters["margin"]), "value run"
    known_revenue = customers["revenue"].sum() - customers["margin_missing"].sum()
    known_margin = customers["margin"].fillna(0).sum()
    if known_revenue > 0 and known_margin > 0:
        return float(min(known_margin / known_revenue, 1.0)), "orders"
    return 1.0, "revenue"


def months_between(period: Period) -> float:
    """Length of the period in months (for the lifetime factor's discounting)."""
    return (period.end - period.start) / timedelta(days=365.25 / 12)
