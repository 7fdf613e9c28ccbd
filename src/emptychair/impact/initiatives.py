"""Initiatives: record what was changed, for whom and when, then measure what it did.

An initiative names its start (and end, if it stopped), the group it targeted (a customer
attribute or segment, or the channel, touchpoint or team of the answers or contacts), the
KPI it should move and, optionally, the group to compare with (by default everyone else
with a known value of the target's column). Initiatives are appended to the workspace table
``impact_initiatives`` with who recorded them and when; they are never updated.

:func:`measure_initiative` estimates the effect by difference-in-differences
(:mod:`emptychair.impact.did`) on the KPI's observations
(:mod:`emptychair.impact.initiative_panels`): by default as many whole periods before the
start as after it, up to the initiative's end or the end of the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.impact.did import (
    LEVEL,
    MIN_UNITS,
    DidEstimate,
    difference_in_differences,
    pre_trend_check,
)
from emptychair.impact.initiative_panels import Group, check_group, last_event, observations
from emptychair.impact.initiative_panels import kpi as kpi_definition
from emptychair.impact.initiative_verdict import InitiativeMeasurement
from emptychair.workspace import Workspace, utc_now

INITIATIVES_TABLE = "impact_initiatives"
INITIATIVES = ibis.schema(
    {
        "initiative_id": "string",
        "name": "string",
        "description": "string",
        "start_date": "date",
        "end_date": "date",
        "target": "string",
        "comparison": "string",
        "kpi": "string",
        "direction": "string",
        "recorded_by": "string",
        "recorded_at": "timestamp",
    }
)
DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class Initiative:
    """One recorded initiative (see the module's docstring)."""

    initiative_id: str
    name: str
    start: date
    target: Group
    kpi: str
    direction: str
    comparison: Group | None = None
    end: date | None = None
    description: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "initiative_id": self.initiative_id,
            "name": self.name,
            "description": self.description,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "target": str(self.target),
            "comparison": str(self.comparison) if self.comparison else "everyone else",
            "kpi": self.kpi,
            "direction": self.direction,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
        }


def _date(value: date | str | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameterError(f"{name} {value!r} is not a date: write YYYY-MM-DD") from None


def _group(value: Group | str | None) -> Group | None:
    return Group.parse(value) if isinstance(value, str) else value


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "initiative"


def record_initiative(
    workspace: Workspace,
    name: str,
    *,
    start: date | str,
    target: Group | str,
    kpi: str,
    recorded_by: str,
    comparison: Group | str | None = None,
    end: date | str | None = None,
    direction: str | None = None,
    description: str = "",
    initiative_id: str | None = None,
) -> Initiative:
    """Append an initiative to ``impact_initiatives`` and return it.

    ``target`` and ``comparison`` read ``column=value`` (``"team=CC Lille"``,
    ``"segment=at risk,can't lose them"``); ``direction`` defaults to the KPI's own
    (``up`` for satisfaction and revenue, ``down`` for repeat contacts and complaints);
    ``initiative_id`` defaults to the name in lower case with dashes.

    Raises
    ------
    InvalidParameterError
        An empty name or author, an unknown KPI, a group column that does not fit the KPI,
        a date that is not a date, an end before the start, or an id already used.
    """
    for label, value in {"name": name, "recorded by": recorded_by}.items():
        if not value or not value.strip():
            raise InvalidParameterError(f"an initiative needs a {label}; it is empty")
    measure = kpi_definition(kpi)
    target_group = _group(target)
    comparison_group = _group(comparison)
    assert target_group is not None
    check_group(measure, target_group, "target")
    if comparison_group is not None:
        check_group(measure, comparison_group, "comparison")
        if comparison_group == target_group:
            raise InvalidParameterError(f"the comparison group {comparison_group} is the target")
    start_date, end_date = _date(start, "start"), _date(end, "end")
    assert start_date is not None
    if end_date is not None and end_date <= start_date:
        raise InvalidParameterError(f"end {end_date} is not after start {start_date}")
    direction = direction or measure.direction
    if direction not in DIRECTIONS:
        raise InvalidParameterError(f"direction {direction!r}: use up or down")
    identifier = (initiative_id or _slug(name)).strip()
    if identifier in set(_stored(workspace)["initiative_id"]):
        raise InvalidParameterError(
            f"initiative id {identifier!r} is already used: choose another id or name"
        )
    initiative = Initiative(
        initiative_id=identifier,
        name=name.strip(),
        start=start_date,
        end=end_date,
        target=target_group,
        comparison=comparison_group,
        kpi=measure.name,
        direction=direction,
        description=description.strip(),
        recorded_by=recorded_by.strip(),
        recorded_at=utc_now(),
    )
    row = initiative.to_dict() | {
        "start_date": start_date,
        "end_date": end_date,
        "comparison": str(comparison_group) if comparison_group else None,
        "recorded_at": initiative.recorded_at,
    }
    engine = workspace.engine
    if not engine.has_table(INITIATIVES_TABLE):
        engine.create_table(INITIATIVES_TABLE, INITIATIVES)
    frame = pd.DataFrame([{column: row[column] for column in INITIATIVES.names}])
    engine.insert(INITIATIVES_TABLE, ibis.memtable(frame).cast(INITIATIVES))
    return initiative


def _stored(workspace: Workspace) -> pd.DataFrame:
    if not workspace.engine.has_table(INITIATIVES_TABLE):
        return pd.DataFrame(columns=list(INITIATIVES.names))
    table = workspace.table(INITIATIVES_TABLE)
    return workspace.to_pandas(table.order_by([table["start_date"], table["initiative_id"]]))


def _initiative(row: pd.Series) -> Initiative:
    def optional(value: Any) -> Any:
        return None if value is None or pd.isna(value) else value

    end = optional(row["end_date"])
    return Initiative(
        initiative_id=str(row["initiative_id"]),
        name=str(row["name"]),
        description=str(optional(row["description"]) or ""),
        start=pd.Timestamp(row["start_date"]).date(),
        end=pd.Timestamp(end).date() if end is not None else None,
        target=Group.parse(str(row["target"])),
        comparison=Group.parse(str(row["comparison"])) if optional(row["comparison"]) else None,
        kpi=str(row["kpi"]),
        direction=str(row["direction"]),
        recorded_by=str(row["recorded_by"]),
        recorded_at=pd.Timestamp(row["recorded_at"]).to_pydatetime(),
    )


def list_initiatives(workspace: Workspace) -> list[Initiative]:
    """Every recorded initiative, by start date."""
    return [_initiative(row) for _, row in _stored(workspace).iterrows()]


def get_initiative(workspace: Workspace, initiative_id: str) -> Initiative:
    """The initiative recorded under ``initiative_id``."""
    for initiative in list_initiatives(workspace):
        if initiative.initiative_id == initiative_id:
            return initiative
    known = ", ".join(i.initiative_id for i in list_initiatives(workspace)[:10]) or "none yet"
    raise NotFoundError(f"no initiative {initiative_id!r}; recorded: {known}")


def measure_initiative(
    workspace: Workspace,
    initiative: Initiative | str,
    *,
    period_days: int = 7,
    pre_periods: int | None = None,
    post_periods: int | None = None,
    level: float = LEVEL,
    min_units: int = MIN_UNITS,
) -> InitiativeMeasurement:
    """Measure an initiative (or the one recorded under that id) by difference-in-differences.

    Parameters
    ----------
    period_days : int
        Length of one period (7: weeks; 28: four weeks).
    pre_periods, post_periods : int, optional
        Whole periods before and after the start; by default every whole period up to the
        initiative's end (or the end of the KPI's data) after it, and as many before.
    level : float
        Confidence level of the intervals.
    min_units : int
        The fewest customers each group must have before and after the start.

    Raises
    ------
    NotFoundError
        When no initiative has that id.
    InvalidParameterError
        When a parameter is out of range or a group value never occurs.
    ModelDataError
        When there is no whole period of data after the start, a group is empty, or a group
        has fewer than ``min_units`` customers before or after the start.
    """
    found = get_initiative(workspace, initiative) if isinstance(initiative, str) else initiative
    if period_days < 1 or not 0 < level < 1 or min_units < 2:
        raise InvalidParameterError(
            f"period_days ({period_days}) must be 1 or more, level ({level}) between 0 and 1, "
            f"min_units ({min_units}) 2 or more"
        )
    measure = kpi_definition(found.kpi)
    start = datetime.combine(found.start, datetime.min.time())
    last = last_event(workspace, measure)
    if post_periods is None:
        if last is None or last < start:
            seen = f"the latest is {last:%Y-%m-%d}" if last else "there is none"
            raise ModelDataError(f"no {measure.name} data after the start {found.start}: {seen}")
        until = datetime.combine(found.end, datetime.min.time()) if found.end else last
        post_periods = (until - start).days // period_days
    pre_periods = post_periods if pre_periods is None else pre_periods
    if post_periods < 1 or pre_periods < 1:
        raise ModelDataError(
            f"{found.initiative_id}: fewer than one whole period of {period_days} days of "
            f"{measure.name} data {'after' if post_periods < 1 else 'before'} the start "
            f"{found.start}; wait for more data or shorten period_days"
        )
    panel = observations(
        workspace,
        measure,
        found.target,
        found.comparison,
        start=start,
        periods=(-pre_periods, post_periods),
        period_days=period_days,
    )
    estimate = difference_in_differences(panel, level=level, min_units=min_units)
    notes: list[str] = []
    placebo: DidEstimate | None = None
    if pre_periods >= 2:
        pre = panel.filter(~panel["post"])
        try:
            placebo = pre_trend_check(pre, split=pre["period"] >= -(pre_periods // 2), level=level)
        except ModelDataError as error:
            notes.append(f"pre-trends not checked: {error}")
    else:
        notes.append("pre-trends not checked: the pre-period is a single period")
    if found.target.column in ("segment", "tier"):
        notes.append(
            "segments and tiers come from the latest value run, computed after the start: "
            "customers may have moved into or out of them because of the initiative"
        )
    trend = panel.group_by(["treated", "period"]).aggregate(
        mean=panel["y"].mean(), observations=panel.count()
    )
    return InitiativeMeasurement(
        initiative=found.to_dict(),
        kpi=measure,
        period_days=period_days,
        windows=(-pre_periods, post_periods),
        level=level,
        estimate=estimate,
        pre_trend=placebo,
        trend=workspace.to_pandas(trend.order_by(["treated", "period"])),
        currency=_currency(workspace) if measure.name == "revenue_per_customer" else None,
        notes=notes,
    )


def _currency(workspace: Workspace) -> str:
    orders = workspace.table("orders")
    counts = workspace.to_pandas(orders.group_by("currency").aggregate(n=orders.count()))
    counts = counts.dropna().sort_values("n", ascending=False)
    return str(counts["currency"].iloc[0]) if not counts.empty else ""
