"""Journeys: how customers move across channels, as an event log, its variants and its graph."""

from emptychair.journeys.events import (
    DEFAULT_GAP_HOURS,
    DEFAULT_LEVEL,
    LEVELS,
    EventLog,
    journeys,
    workspace_event_log,
)
from emptychair.journeys.files import export_event_log, read_event_log
from emptychair.journeys.friction import FrictionSettings, friction_summary, journey_frictions
from emptychair.journeys.paths import directly_follows, variants

__all__ = [
    "DEFAULT_GAP_HOURS",
    "DEFAULT_LEVEL",
    "LEVELS",
    "EventLog",
    "FrictionSettings",
    "directly_follows",
    "export_event_log",
    "friction_summary",
    "journey_frictions",
    "journeys",
    "read_event_log",
    "variants",
    "workspace_event_log",
]
