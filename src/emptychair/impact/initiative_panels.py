"""The KPIs an initiative can move, and their observations around its start, in the engine.

Each KPI becomes an Ibis table with one row per observation: ``unit`` (the golden customer
id, the cluster of the interval), ``treated``, ``post``, ``period`` (whole periods since
the start, negative before it) and ``y``. Survey and contact KPIs have one observation per
answer or contact; customer KPIs one per customer and period, zeros included, for the
customers who existed before the pre-period began (a balanced panel).

KPIs (direction is the way the initiative should move them):

* ``csat``: mean CSAT score on 1–5 (up); ``ces``: mean ease score on 1–7, 7 is very easy
  (up); ``nps``: each answer counts +100 (9–10), 0 (7–8) or −100 (0–6), so the mean is the
  NPS in points (up).
* ``repeat_contact``: share of handled contacts followed by another contact for the same
  reason within 7 days, in percent (down; see :mod:`emptychair.scorecard.kpis`).
* ``complaint_rate``: share of customers who open a complaint in a period, in percent (down).
* ``purchase_rate``: share of customers who order in a period, in percent (up).
* ``revenue_per_customer``: order amount per customer and period (up), the one KPI whose
  effect is money itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.identity import golden_customers, with_golden_ids
from emptychair.scorecard.kpis import ScorecardSettings, handled_contacts
from emptychair.voice.context import feedback_in_context
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table


@dataclass(frozen=True)
class Kpi:
    """One KPI an initiative can target: where it comes from and how to say it."""

    name: str
    source: str
    direction: str
    label_en: str
    label_fr: str
    unit_en: str
    unit_fr: str


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        Kpi("csat", "feedback", "up", "the CSAT (mean score on 5)", "le CSAT (note moyenne sur 5)",
            "point", "point"),
        Kpi("nps", "feedback", "up", "the NPS", "le NPS", "point", "point"),
        Kpi("ces", "feedback", "up", "the ease score (CES, mean on 7)",
            "la facilité (CES, note moyenne sur 7)", "point", "point"),
        Kpi("repeat_contact", "contacts", "down", "the repeat-contact rate",
            "le taux de recontact", "percentage point", "point de pourcentage"),
        Kpi("complaint_rate", "customers", "down", "the share of customers who complain",
            "la part de clients qui réclament", "percentage point", "point de pourcentage"),
        Kpi("purchase_rate", "customers", "up", "the share of customers who order",
            "la part de clients qui commandent", "percentage point", "point de pourcentage"),
        Kpi("revenue_per_customer", "customers", "up", "the revenue per customer",
            "le chiffre d'affaires par client", "per customer and period",
            "par client et par période"),
    )
}  # fmt: skip
#: Customer attributes a group can be drawn on (``segment`` and ``tier`` come from the
#: latest customer-value run).
CUSTOMER_COLUMNS = ("country", "language", "acquisition_channel", "segment", "tier")
#: Attributes of the answers or contacts themselves, per KPI source.
EVENT_COLUMNS = {
    "feedback": ("channel", "touchpoint", "team"),
    "contacts": ("channel", "touchpoint", "team", "reason"),
    "customers": (),
}
_SCALES = {"csat": (1.0, 5.0), "ces": (1.0, 7.0), "nps": (0.0, 10.0)}
DAY_S = 86_400


@dataclass(frozen=True)
class Group:
    """Who is in a group: the rows whose ``column`` holds one of ``values``."""

    column: str
    values: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Group:
        """``"team=CC Lille"`` or ``"channel=web,app"``."""
        column, sep, values = text.partition("=")
        found = tuple(v.strip() for v in values.split(",") if v.strip())
        if not sep or not column.strip() or not found:
            raise InvalidParameterError(
                f"group {text!r}: write column=value (or column=value1,value2), "
                "e.g. team=CC Lille or segment=champions"
            )
        return cls(column.strip(), found)

    def __str__(self) -> str:
        return f"{self.column}={','.join(self.values)}"


def kpi(name: str) -> Kpi:
    if name not in KPIS:
        raise InvalidParameterError(f"unknown KPI {name!r}; use one of: {', '.join(KPIS)}")
    return KPIS[name]


def check_group(measure: Kpi, group: Group, role: str) -> None:
    """Raise when ``group`` cannot be drawn for ``measure``'s observations."""
    allowed = (*CUSTOMER_COLUMNS, *EVENT_COLUMNS[measure.source])
    if group.column not in allowed:
        hint = "" if measure.source != "customers" else " (it is measured per customer)"
        raise InvalidParameterError(
            f"{role} column {group.column!r} cannot group {measure.name}{hint}; "
            f"use one of: {', '.join(allowed)}"
        )


def _customer_attributes(workspace: Workspace, columns: Sequence[str]) -> ir.Table:
    customers = golden_customers(workspace)
    table = customers.select(
        "customer_id",
        "created_at",
        *[c for c in columns if c in ("country", "language", "acquisition_channel")],
    )
    if "segment" in columns or "tier" in columns:
        try:
            run = resolve_run(workspace, "value")
        except NotFoundError:
            raise ModelDataError(
                "a group drawn on segment or tier needs a customer-value run: "
                "run `emptychair value run`"
            ) from None
        values = result_table(workspace, "value_customers", run["run_id"])
        values = values.select(value_customer="customer_id", segment="segment", tier="tier")
        joined = table.left_join(values, table["customer_id"] == values["value_customer"])
        table = joined.select(*table.columns, "segment", "tier")
    return table


def _events(workspace: Workspace, measure: Kpi, columns: Sequence[str]) -> ir.Table:
    """Rows ``customer_id``, ``at``, ``y`` and the grouping ``columns`` of an event KPI."""
    event_columns = [c for c in columns if c in EVENT_COLUMNS[measure.source]]
    if measure.source == "feedback":
        feedback = feedback_in_context(workspace, event_columns)
        low, high = _SCALES[measure.name]
        scale = feedback["scale_max"].fill_null(high)
        score = feedback["score"]
        rows = feedback.filter(
            (feedback["kind"] == measure.name) & score.notnull() & (scale == high)
            & (score >= low) & (score <= high)
        )  # fmt: skip
        y = rows["score"].cast("float64")
        if measure.name == "nps":
            y = ibis.cases((rows["score"] >= 9, 100.0), (rows["score"] <= 6, -100.0), else_=0.0)
        table = rows.mutate(at=rows["received_at"], y=y)
    else:
        contacts = handled_contacts(workspace, ScorecardSettings())
        counted = contacts.filter(contacts["counted"])
        table = counted.mutate(
            at=counted["occurred_at"], y=ibis.ifelse(counted["repeated"], 100.0, 0.0)
        )
    table = table.select("customer_id", "at", "y", *event_columns)
    customer_columns = [c for c in columns if c not in event_columns]
    if customer_columns:
        attributes = _customer_attributes(workspace, customer_columns).drop("created_at")
        table = table.left_join(attributes, "customer_id").select(
            "customer_id", "at", "y", *event_columns, *customer_columns
        )
    return table


def last_event(workspace: Workspace, measure: Kpi) -> datetime | None:
    """When the data of ``measure`` ends (its latest observation)."""
    if measure.source == "customers":
        source, column = (
            ("complaints", "opened_at")
            if measure.name == "complaint_rate"
            else ("orders", "ordered_at")
        )
        value = workspace.engine.execute(workspace.table(source)[column].max())
    else:
        value = workspace.engine.execute(_events(workspace, measure, [])["at"].max())
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _period(at: ir.TimestampValue, start: datetime, period_days: int) -> ir.IntegerValue:
    seconds = at.epoch_seconds() - int(pd.Timestamp(start).timestamp())
    return (seconds / (period_days * DAY_S)).floor().cast("int64")


def _customer_panel(
    workspace: Workspace,
    measure: Kpi,
    columns: Sequence[str],
    start: datetime,
    periods: tuple[int, int],
    period_days: int,
) -> ir.Table:
    first, last = periods
    pre_start = pd.Timestamp(start) + pd.Timedelta(days=first * period_days)
    customers = _customer_attributes(workspace, columns)
    customers = customers.filter(
        customers["created_at"].isnull() | (customers["created_at"] < pre_start.to_pydatetime())
    )
    if measure.name == "complaint_rate":
        source, at, amount = "complaints", "opened_at", None
    else:
        source, at, amount = "orders", "ordered_at", "amount"
    events = with_golden_ids(workspace, workspace.table(source))
    events = events.mutate(period=_period(events[at], start, period_days))
    events = events.filter((events["period"] >= first) & (events["period"] < last))
    per_period = events.group_by(
        event_customer=events["customer_id"], event_period="period"
    ).aggregate(
        events=events.count(),
        amount=events[amount].sum() if amount else ibis.literal(0.0),
    )
    grid = customers.cross_join(ibis.memtable({"period": list(range(first, last))}))
    panel = grid.left_join(
        per_period,
        [
            grid["customer_id"] == per_period["event_customer"],
            grid["period"] == per_period["event_period"],
        ],
    )
    if measure.name == "revenue_per_customer":
        y = panel["amount"].fill_null(0.0).cast("float64")
    else:
        y = ibis.ifelse(panel["events"].fill_null(0) > 0, 100.0, 0.0)
    return panel.select("customer_id", *columns, "period", y=y)


def observations(
    workspace: Workspace,
    measure: Kpi,
    target: Group,
    comparison: Group | None,
    *,
    start: datetime,
    periods: tuple[int, int],
    period_days: int,
) -> ir.Table:
    """The observations of ``measure`` in periods ``periods[0]`` (included, negative) to
    ``periods[1]`` (excluded) around ``start``, with ``unit``, ``treated``, ``post``,
    ``period`` and ``y``; rows in neither group are left out.

    Raises
    ------
    InvalidParameterError
        When a group's column does not fit the KPI, or one of its values never occurs.
    """
    check_group(measure, target, "target")
    if comparison is not None:
        check_group(measure, comparison, "comparison")
    columns = list(dict.fromkeys([target.column, *([comparison.column] if comparison else [])]))
    if measure.source == "customers":
        table = _customer_panel(workspace, measure, columns, start, periods, period_days)
    else:
        events = _events(workspace, measure, columns)
        events = events.mutate(period=_period(events["at"], start, period_days))
        table = events.filter((events["period"] >= periods[0]) & (events["period"] < periods[1]))
    groups = [target, *([comparison] if comparison else [])]
    if measure.source == "customers":
        # the customers themselves, not their panel (one row per customer and period)
        customers = _customer_attributes(workspace, columns)
        _check_values(workspace, customers, "among the customers", groups)
    else:
        _check_values(workspace, table, f"in the {measure.name} data around the start", groups)
    treated = table[target.column].isin(target.values).fill_null(False)
    if comparison is None:
        compared = table[target.column].notnull() & ~treated
    else:
        compared = table[comparison.column].isin(comparison.values).fill_null(False) & ~treated
    kept = table.filter(treated | compared)
    return kept.select(
        unit=kept["customer_id"],
        treated=kept[target.column].isin(target.values).fill_null(False),
        post=kept["period"] >= 0,
        period=kept["period"],
        y=kept["y"].cast("float64"),
    )


def _check_values(
    workspace: Workspace, table: ir.Table, where: str, groups: Sequence[Group]
) -> None:
    for group in groups:
        found = table.select(value=table[group.column].cast("string"))
        known = workspace.to_pandas(found.filter(found["value"].notnull()).distinct())
        values = sorted(str(v) for v in known["value"])
        missing = [v for v in group.values if v not in values]
        if missing:
            shown = ", ".join(values[:20]) or "none"
            raise InvalidParameterError(
                f"{group.column} {missing[0]!r} does not occur {where}; known values: {shown}"
            )
