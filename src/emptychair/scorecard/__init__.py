"""Customer-orientation scorecard: outcome KPIs beside productivity KPIs, per team and channel."""

from emptychair.scorecard.kpis import GROUPINGS, ScorecardSettings, handled_contacts, kpi_table
from emptychair.scorecard.service import Scorecard, run_scorecard, scorecard
from emptychair.scorecard.warnings import WarningSettings, scorecard_warnings

__all__ = [
    "GROUPINGS",
    "Scorecard",
    "ScorecardSettings",
    "WarningSettings",
    "handled_contacts",
    "kpi_table",
    "run_scorecard",
    "scorecard",
    "scorecard_warnings",
]
