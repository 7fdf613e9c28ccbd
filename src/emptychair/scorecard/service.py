"""The scorecard of a workspace: KPIs per team or channel, their warnings, and stored runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from emptychair.scorecard.kpis import ScorecardSettings, kpi_table
from emptychair.scorecard.warnings import WarningSettings, scorecard_warnings
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import write_results

ANALYSIS = "scorecard"


@dataclass(frozen=True)
class Scorecard:
    """KPIs per group on the whole period, the warnings, and the KPIs per period if asked."""

    by: str
    kpis: pd.DataFrame
    warnings: pd.DataFrame
    by_period: pd.DataFrame | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def scorecard(
    workspace: Workspace,
    by: str = "team",
    *,
    period: str | None = "half",
    settings: ScorecardSettings | None = None,
    warning_settings: WarningSettings | None = None,
) -> Scorecard:
    """Outcome and productivity KPIs per team (or channel), with the warnings.

    Parameters
    ----------
    workspace : Workspace
    by : {"team", "channel"}
    period : {"half", "quarter", "month"} or None, default "half"
        Periods for the trend warnings (the latest against the one before); None compares
        peers only.
    settings, warning_settings : optional
        KPI definitions (:class:`~emptychair.scorecard.kpis.ScorecardSettings`) and warning
        thresholds (:class:`~emptychair.scorecard.warnings.WarningSettings`).

    Returns
    -------
    Scorecard
    """
    chosen = (settings or ScorecardSettings()).checked()
    whole = kpi_table(workspace, by, chosen).drop(columns="period")
    by_period = kpi_table(workspace, by, chosen, period) if period else None
    peers = scorecard_warnings(whole.assign(period="all"), by, warning_settings)
    trends = (
        scorecard_warnings(
            by_period.drop(columns="channel") if by == "team" else by_period, by, warning_settings
        )
        if by_period is not None
        else peers.iloc[0:0]
    )
    found = pd.concat([peers, trends], ignore_index=True) if len(trends) else peers
    parameters = {**asdict(chosen), "agents": dict(chosen.agents), "period": period}
    return Scorecard(by, whole, found, by_period, parameters)


def run_scorecard(
    workspace: Workspace,
    *,
    period: str | None = "half",
    settings: ScorecardSettings | None = None,
    warning_settings: WarningSettings | None = None,
) -> tuple[str, dict[str, Scorecard]]:
    """Compute the scorecard by team and by channel and store it as one run.

    Result tables: ``scorecard_kpis`` (``grouping``, ``group``, the KPIs) and
    ``scorecard_warnings``. Returns the run id and the two scorecards.
    """
    started = utc_now()
    cards = {
        by: scorecard(
            workspace, by, period=period, settings=settings, warning_settings=warning_settings
        )
        for by in ("team", "channel")
    }
    kpis = pd.concat(
        [
            card.kpis.rename(columns={by: "group"})
            .drop(columns="channel", errors="ignore")
            .assign(grouping=by)
            for by, card in cards.items()
        ],
        ignore_index=True,
    )
    warnings = pd.concat(
        [card.warnings.assign(grouping=by) for by, card in cards.items()], ignore_index=True
    )
    run_id = new_batch_id()
    tables = {"scorecard_kpis": kpis}
    if not warnings.empty:
        tables["scorecard_warnings"] = warnings.astype({"group": str, "kpi": str})
    write_results(
        workspace,
        run_id,
        ANALYSIS,
        tables,
        parameters=cards["team"].settings,
        started_at=started,
        rows=int(kpis["handled"].sum()),
    )
    return run_id, cards
