"""Friction indicators by group, and the value at risk behind them.

Each journey is flagged once (:func:`flagged_journeys`); the flags are then counted

* overall (``all``);
* per **channel** of the journey's first event;
* per **team** of its first handled step (``(none)`` when no team handled it);
* per **touchpoint**: every step (at the log's level) the journey passes through, a journey
  counting once in each of its touchpoints, so these groups overlap;
* per **segment** of the customer in the latest customer-value run (``(none)`` for anonymous
  visitors and customers outside the run; left out without a value run).

The value at risk of an indicator is Σ CLV × P(alive) over the customers with at least one
flagged journey (latest customer-value run).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.journeys.events import (
    DEFAULT_GAP_HOURS,
    DEFAULT_LEVEL,
    EventLog,
    workspace_event_log,
)
from emptychair.journeys.friction import INDICATORS, FrictionSettings, journey_frictions
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table

DIMENSIONS: tuple[str, ...] = ("all", "channel", "team", "touchpoint", "segment")
NONE = "(none)"
FRICTION_COLUMNS = ("dimension", "group_value", "indicator", "journeys", "flagged", "share")


def _first_steps(log: EventLog) -> ir.Table:
    """Per journey: the channel of its first event and the team of its first handled step."""
    table = log.table
    first = ibis.window(group_by="journey", order_by=[table[c] for c in log.order])
    ranked = table.mutate(_step=ibis.row_number().over(first))
    starts = ranked.filter(ranked["_step"] == 0).select("journey", "channel", "person_id")
    handled = table.filter(table["team"].notnull())
    team_window = ibis.window(group_by="journey", order_by=[handled[c] for c in log.order])
    teams = handled.mutate(_step=ibis.row_number().over(team_window))
    teams = teams.filter(teams["_step"] == 0).select("journey", "team")
    return starts.left_join(teams, "journey").select("journey", "channel", "team", "person_id")


def flagged_journeys(log: EventLog, settings: FrictionSettings) -> ir.Table:
    """One row per journey: its friction flags, first channel, team and person."""
    return journey_frictions(log, settings).inner_join(_first_steps(log), "journey")


def value_segments(workspace: Workspace) -> ir.Table | None:
    """``person_id`` → ``segment``, ``at_risk`` (CLV × P(alive)) and ``value_run`` of the
    latest customer-value run; None without one."""
    try:
        run = resolve_run(workspace, "value")
    except NotFoundError:
        return None
    value = result_table(workspace, "value_customers", run["run_id"])
    return value.select(
        person_id="customer_id",
        segment=value["segment"].cast("string"),
        at_risk=value["clv"] * value["probability_alive"],
        value_run=ibis.literal(str(run["run_id"])),
    )


def _grouped(joined: ir.Table, column: str | None) -> pd.DataFrame:
    metrics = {name: joined[name].cast("int64").sum() for name in INDICATORS}
    if column is None:
        return joined.aggregate(journeys=joined.count(), **metrics).to_pandas()
    return joined.group_by(column).aggregate(journeys=joined.count(), **metrics).to_pandas()


def friction_by_group(
    joined: ir.Table,
    log: EventLog,
    segments: ir.Table | None = None,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> pd.DataFrame:
    """Friction indicators overall and per channel, team, touchpoint and segment (long
    format: ``dimension``, ``group_value``, ``indicator``, ``journeys``, ``flagged``,
    ``share``), from :func:`flagged_journeys`.

    Parameters
    ----------
    joined
        The flags of :func:`flagged_journeys` (best stored once: they feed every group).
    log
        The event log they come from (for the touchpoints each journey passes through).
    segments
        :func:`value_segments`; the segment dimension is left out when None.
    dimensions
        The dimensions to compute (default: all of :data:`DIMENSIONS`).
    """
    frames = []
    parts: list[tuple[str, ir.Table, str | None]] = [
        ("all", joined, None),
        ("channel", joined, "channel"),
        ("team", joined, "team"),
    ]
    visited = log.table.select("journey", touchpoint=log.table["activity"]).distinct()
    parts.append(("touchpoint", joined.join(visited, "journey"), "touchpoint"))
    if segments is not None:
        with_segment = joined.left_join(
            segments.select("person_id", "segment"), "person_id"
        ).select(*joined.columns, "segment")
        parts.append(("segment", with_segment, "segment"))
    for dimension, table, column in parts:
        if dimension not in dimensions:
            continue
        for record in _grouped(table, column).to_dict("records"):
            group = (
                "all"
                if column is None
                else NONE
                if pd.isna(record[column])
                else str(record[column])
            )
            for name in INDICATORS:
                flagged = int(record[name] or 0)
                total = int(record["journeys"])
                frames.append(
                    {
                        "dimension": dimension,
                        "group_value": group,
                        "indicator": name,
                        "journeys": total,
                        "flagged": flagged,
                        "share": flagged / total if total else 0.0,
                    }
                )
    frame = pd.DataFrame(frames, columns=list(FRICTION_COLUMNS))
    # the same groups in the same order on every engine
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    frame = frame.assign(_d=frame["dimension"].map(order))
    return frame.sort_values(["_d", "group_value", "indicator"], ignore_index=True).drop(
        columns="_d"
    )


def value_at_risk(joined: ir.Table, segments: ir.Table | None) -> pd.DataFrame | None:
    """Per indicator: the customers whose journeys were flagged, and Σ CLV × P(alive) over
    them (:func:`value_segments`); None without a value run."""
    if segments is None:
        return None
    people = joined.group_by("person_id").aggregate(
        **{name: joined[name].cast("int64").max() for name in INDICATORS}
    )
    valued = people.left_join(segments, "person_id")
    metrics: dict[str, Any] = {}
    for name in INDICATORS:
        hit = valued[name] == 1
        metrics[f"{name}_customers"] = hit.cast("int64").sum()
        metrics[f"{name}_value"] = valued["at_risk"].sum(where=hit)
    record = valued.aggregate(**metrics).to_pandas().iloc[0]
    run = segments.select("value_run").limit(1).to_pandas()
    value_run = str(run["value_run"].iloc[0]) if len(run) else ""
    return pd.DataFrame(
        [
            {
                "indicator": name,
                "customers": int(record[f"{name}_customers"] or 0),
                "value_at_risk": float(record[f"{name}_value"] or 0.0),
                "value_run": value_run,
            }
            for name in INDICATORS
        ]
    )


def friction_by(
    workspace: Workspace,
    by: str,
    settings: FrictionSettings | None = None,
    *,
    level: str = DEFAULT_LEVEL,
    gap_hours: float = DEFAULT_GAP_HOURS,
) -> tuple[EventLog, pd.DataFrame]:
    """The friction indicators of a workspace's journeys per group of one dimension.

    Parameters
    ----------
    workspace : Workspace
    by : {"channel", "team", "touchpoint", "segment"}
        The dimension (see the module's docstring); ``segment`` needs a customer-value run.
    settings : FrictionSettings, optional
        What counts as friction.
    level, gap_hours
        As in :func:`~emptychair.journeys.workspace_event_log`.

    Returns
    -------
    tuple of (EventLog, pandas.DataFrame)
        The log, and the rows of :func:`friction_by_group` for that dimension.
    """
    if by not in DIMENSIONS[1:]:
        raise InvalidParameterError(f"by {by!r}: choose among {', '.join(DIMENSIONS[1:])}")
    log = workspace_event_log(workspace, level=level, gap_hours=gap_hours)
    segments = value_segments(workspace) if by == "segment" else None
    if by == "segment" and segments is None:
        raise ModelDataError(
            "friction by segment needs a customer-value run: run `emptychair value run`"
        )
    joined = flagged_journeys(log, settings or FrictionSettings())
    return log, friction_by_group(joined, log, segments, dimensions=(by,))
