"""Journeys: how customers move across channels, as an event log, its variants and its graph,
where they break (frictions) and where satisfaction is won and lost."""

from emptychair.journeys.events import (
    DEFAULT_GAP_HOURS,
    DEFAULT_LEVEL,
    LEVELS,
    EventLog,
    journeys,
    workspace_event_log,
)
from emptychair.journeys.files import export_event_log, read_event_log
from emptychair.journeys.flows import first_step_flows
from emptychair.journeys.friction import (
    FrictionSettings,
    friction_summary,
    journey_frictions,
    path_frictions,
)
from emptychair.journeys.friction_groups import friction_by
from emptychair.journeys.funnels import funnel
from emptychair.journeys.paths import directly_follows, variants
from emptychair.journeys.satisfaction import satisfaction_map

__all__ = [
    "DEFAULT_GAP_HOURS",
    "DEFAULT_LEVEL",
    "LEVELS",
    "EventLog",
    "FrictionSettings",
    "directly_follows",
    "export_event_log",
    "first_step_flows",
    "friction_by",
    "friction_summary",
    "funnel",
    "journey_frictions",
    "journeys",
    "path_frictions",
    "read_event_log",
    "satisfaction_map",
    "variants",
    "workspace_event_log",
]
