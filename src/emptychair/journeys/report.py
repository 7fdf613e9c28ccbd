"""Read a stored journeys run back, and draw its charts.

What ``emptychair journeys report`` shows: the numbers come from the stored run, never
recomputed; only a funnel, which a run does not store, is computed when asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from emptychair.chart_files import write_charts
from emptychair.journeys import charts
from emptychair.journeys.service import ANALYSIS, RESULT_TABLES
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table


@dataclass
class JourneysReport:
    """One stored journeys run: its settings and result tables (empty when not stored)."""

    run_id: str
    settings: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: An optional funnel (:func:`emptychair.journeys.funnels.funnel`) to draw with the run.
    funnel: pd.DataFrame | None = None

    def headline(self) -> dict[str, Any]:
        """The figures a reader wants first: journeys, the top variant, each friction."""
        variants = self.tables["journeys_variants"]
        friction = self.tables["journeys_friction"]
        overall = friction[friction["dimension"] == "all"]
        headline: dict[str, Any] = {"run": self.run_id}
        if len(overall):
            headline["journeys"] = int(overall["journeys"].iloc[0])
        if len(variants):
            top = variants.iloc[0]
            headline["most frequent variant"] = f"{top['variant']} ({top['share']:.1%})"
        at_risk = self.tables["journeys_value_at_risk"]
        values = (
            dict(zip(at_risk["indicator"], at_risk["value_at_risk"], strict=True))
            if len(at_risk)
            else {}
        )
        for row in overall.to_dict("records"):
            text = f"{row['share']:.1%} of journeys"
            if row["indicator"] in values:
                text += f", value at risk {values[row['indicator']]:,.0f}"
            headline[row["indicator"]] = text
        return headline

    def charts(self) -> dict[str, charts.Spec]:
        """Vega-Lite specs of the run's charts, by file stem."""
        tables = self.tables
        specs: dict[str, charts.Spec] = {}
        if len(tables["journeys_graph"]):
            specs["journeys_graph"] = charts.transitions_heatmap(tables["journeys_graph"])
        if len(tables["journeys_flows"]):
            specs["journeys_sankey"] = charts.first_steps_sankey(tables["journeys_flows"])
        friction = tables["journeys_friction"]
        if len(friction) and (friction["dimension"] == "team").any():
            specs["journeys_friction_by_team"] = charts.friction_by_team(friction)
        satisfaction = tables["journeys_satisfaction"]
        for kind in ("csat", "nps"):
            rows = satisfaction[satisfaction["kind"] == kind] if len(satisfaction) else satisfaction
            if len(rows) and (~rows["small_group"].astype(bool)).any():
                specs[f"journeys_{kind}_by_touchpoint"] = charts.satisfaction_by_touchpoint(
                    satisfaction, kind
                )
        if self.funnel is not None and len(self.funnel):
            specs["journeys_funnel"] = charts.funnel_bars(self.funnel)
        return specs


def journeys_report(workspace: Workspace, run_id: str | None = None) -> JourneysReport:
    """The stored journeys run ``run_id`` (default: the latest)."""
    run = resolve_run(workspace, ANALYSIS, run_id)
    tables = {}
    for name in RESULT_TABLES:
        if workspace.engine.has_table(name):
            tables[name] = workspace.to_pandas(result_table(workspace, name, run["run_id"]))
        else:
            tables[name] = pd.DataFrame()
    if len(tables["journeys_variants"]):
        tables["journeys_variants"] = tables["journeys_variants"].sort_values(
            ["journeys", "variant"], ascending=[False, True], ignore_index=True
        )
    return JourneysReport(str(run["run_id"]), json.loads(run["parameters"]), tables)


def save_charts(report: JourneysReport, folder: Path, fmt: str = "png") -> list[Path]:
    """Render the run's charts into ``folder`` as PNG, SVG or Vega-Lite JSON files."""
    return write_charts(report.charts(), folder, fmt)
