"""The journeys use-case: build a workspace's event log and store what it shows, as one run.

``run_journeys`` cuts every interaction, order, answer and complaint into journeys and stores
the most frequent variants, the directly-follows graph, the flows of the first steps (for a
Sankey), the friction indicators overall and per channel, team, touchpoint and segment with
the value at risk behind each indicator (the lifetime value × probability alive of the
customers whose journeys were flagged, from the latest customer-value run), and the
satisfaction per touchpoint and per variant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from emptychair.journeys.events import (
    DEFAULT_GAP_HOURS,
    DEFAULT_LEVEL,
    workspace_event_log,
)
from emptychair.journeys.flows import first_step_flows
from emptychair.journeys.friction import FrictionSettings
from emptychair.journeys.friction_groups import (
    flagged_journeys,
    friction_by_group,
    value_at_risk,
    value_segments,
)
from emptychair.journeys.paths import directly_follows, variants
from emptychair.journeys.satisfaction import satisfaction_map
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import write_results

ANALYSIS = "journeys"
Step = Callable[[str], None]
#: Result tables of a run (those a run could not compute are left out of it).
RESULT_TABLES: tuple[str, ...] = (
    *("journeys_variants", "journeys_graph", "journeys_flows", "journeys_friction"),
    *("journeys_value_at_risk", "journeys_satisfaction"),
)


@dataclass(frozen=True)
class JourneySettings:
    """What a journeys run was asked to do (stored with the run)."""

    level: str = DEFAULT_LEVEL
    gap_hours: float = DEFAULT_GAP_HOURS
    top_variants: int = 200
    min_edge_count: int = 5
    flow_steps: int = 5
    min_responses: int = 30
    friction: FrictionSettings = field(default_factory=FrictionSettings)


@dataclass
class JourneyRun:
    """Everything one journeys run produced."""

    run_id: str
    settings: JourneySettings
    events: int
    excluded: dict[str, int]
    tables: dict[str, pd.DataFrame]


def run_journeys(
    workspace: Workspace, settings: JourneySettings | None = None, on_step: Step | None = None
) -> JourneyRun:
    """Build the event log, compute variants, graph, flows, frictions and satisfaction, and
    store them as one run (see the module's docstring for the tables).

    Parameters
    ----------
    workspace : Workspace
        An open, writable workspace.
    settings : JourneySettings, optional
        What to compute; the defaults when omitted.
    on_step : callable, optional
        Called with the name of each step as it starts (for progress displays).

    Returns
    -------
    JourneyRun
        The run id, the settings, the events kept and left out, and the result tables.
    """
    settings = settings or JourneySettings()
    step = on_step or (lambda _: None)
    started = utc_now()
    step("event log")
    log = workspace_event_log(workspace, level=settings.level, gap_hours=settings.gap_hours)
    step("variants and directly-follows graph")
    top = variants(log, top=settings.top_variants)
    top = top.assign(variant=[" → ".join(v) for v in top["variant"]])
    graph = directly_follows(log, min_count=settings.min_edge_count)
    flows = first_step_flows(log, steps=settings.flow_steps)
    step("friction indicators")
    # Stored once (a temporary table): the flags feed several groupings.
    joined = workspace.engine.create_table(
        "_journey_flags", flagged_journeys(log, settings.friction), temp=True, overwrite=True
    )
    segments = value_segments(workspace)
    friction = friction_by_group(joined, log, segments)
    at_risk = value_at_risk(joined, segments)
    step("satisfaction per touchpoint and variant")
    satisfaction = satisfaction_map(workspace, log, min_responses=settings.min_responses)
    tables = {
        "journeys_variants": top,
        "journeys_graph": graph,
        "journeys_flows": flows,
        "journeys_friction": friction,
        "journeys_satisfaction": satisfaction,
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
