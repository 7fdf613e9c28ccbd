"""The journeys use-case: build a workspace's event log and store what it shows, as one run.

``run_journeys`` cuts every interaction, order, answer and complaint into journeys and stores
the most frequent variants, the directly-follows graph, and the friction indicators overall
and per channel and team of the journey's first contact, with the value at risk behind each
indicator (the lifetime value × probability alive of the customers whose journeys were
flagged, from the latest customer-value run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import NotFoundError
from emptychair.journeys.events import (
    DEFAULT_GAP_HOURS,
    DEFAULT_LEVEL,
    EventLog,
    workspace_event_log,
)
from emptychair.journeys.friction import INDICATORS, FrictionSettings, journey_frictions
from emptychair.journeys.paths import directly_follows, variants
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import resolve_run, result_table, write_results

ANALYSIS = "journeys"
Step = Callable[[str], None]


@dataclass(frozen=True)
class JourneySettings:
    """What a journeys run was asked to do (stored with the run)."""

    level: str = DEFAULT_LEVEL
    gap_hours: float = DEFAULT_GAP_HOURS
    top_variants: int = 200
    min_edge_count: int = 5
    friction: FrictionSettings = field(default_factory=FrictionSettings)


@dataclass
class JourneyRun:
    """Everything one journeys run produced."""

    run_id: str
    settings: JourneySettings
    events: int
    excluded: dict[str, int]
    tables: dict[str, pd.DataFrame]


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


def friction_by_group(joined: ir.Table) -> pd.DataFrame:
    """Friction indicators overall, per first channel and per team (long format), from
    :func:`flagged_journeys`."""
    metrics = {name: joined[name].cast("int64").sum() for name in INDICATORS}
    frames = []
    for column in (None, "channel", "team"):
        keys = [column] if column else []
        grouped = (
            joined.group_by(keys).aggregate(journeys=joined.count(), **metrics)
            if keys
            else joined.aggregate(journeys=joined.count(), **metrics)
        ).to_pandas()
        for record in grouped.to_dict("records"):
            for name in INDICATORS:
                flagged = int(record[name] or 0)
                frames.append(
                    {
                        "dimension": column or "all",
                        "group_value": "all"
                        if column is None
                        else ("(none)" if pd.isna(record[column]) else str(record[column])),
                        "indicator": name,
                        "journeys": int(record["journeys"]),
                        "flagged": flagged,
                        "share": flagged / record["journeys"] if record["journeys"] else 0.0,
                    }
                )
    return pd.DataFrame(frames)


def value_at_risk(workspace: Workspace, joined: ir.Table) -> pd.DataFrame | None:
    """Per indicator: the customers whose journeys were flagged, and Σ CLV × P(alive) over
    them (latest value run); None without a value run."""
    try:
        run = resolve_run(workspace, "value")
    except NotFoundError:
        return None
    value = result_table(workspace, "value_customers", run["run_id"])
    value = value.select(person_id="customer_id", at_risk=value["clv"] * value["probability_alive"])
    people = joined.group_by("person_id").aggregate(
        **{name: joined[name].cast("int64").max() for name in INDICATORS}
    )
    valued = people.left_join(value, "person_id")
    metrics: dict[str, Any] = {}
    for name in INDICATORS:
        hit = valued[name] == 1
        metrics[f"{name}_customers"] = hit.cast("int64").sum()
        metrics[f"{name}_value"] = valued["at_risk"].sum(where=hit)
    record = valued.aggregate(**metrics).to_pandas().iloc[0]
    return pd.DataFrame(
        [
            {
                "indicator": name,
                "customers": int(record[f"{name}_customers"] or 0),
                "value_at_risk": float(record[f"{name}_value"] or 0.0),
                "value_run": str(run["run_id"]),
            }
            for name in INDICATORS
        ]
    )


def run_journeys(
    workspace: Workspace, settings: JourneySettings | None = None, on_step: Step | None = None
) -> JourneyRun:
    """Build the event log, compute variants, graph and frictions, and store them as a run."""
    settings = settings or JourneySettings()
    step = on_step or (lambda _: None)
    started = utc_now()
    step("event log")
    log = workspace_event_log(workspace, level=settings.level, gap_hours=settings.gap_hours)
    step("variants and directly-follows graph")
    top = variants(log, top=settings.top_variants)
    top = top.assign(variant=[" → ".join(v) for v in top["variant"]])
    graph = directly_follows(log, min_count=settings.min_edge_count)
    step("friction indicators")
    # Stored once (a temporary table): the flags feed several groupings.
    joined = workspace.engine.create_table(
        "_journey_flags", flagged_journeys(log, settings.friction), temp=True, overwrite=True
    )
    friction = friction_by_group(joined)
    at_risk = value_at_risk(workspace, joined)
    tables = {
        "journeys_variants": top,
        "journeys_graph": graph,
        "journeys_friction": friction,
    }
    if at_risk is not None:
        tables["journeys_value_at_risk"] = at_risk
    run_id = new_batch_id()
    parameters: dict[str, Any] = {**asdict(settings), "excluded": log.excluded}
    step("storing the run")
    write_results(
        workspace,
        run_id,
        ANALYSIS,
        {name: table for name, table in tables.items() if not table.empty},
        parameters=parameters,
        started_at=started,
        rows=log.events,
    )
    return JourneyRun(run_id, settings, log.events, dict(log.excluded), tables)
