"""Read a stored value run back, and draw its charts.

What ``emptychair value report`` shows, and later the dashboard: the numbers come from
the stored run, never recomputed, so every surface agrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from emptychair.chart_files import write_charts
from emptychair.value import charts
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table

ANALYSIS = "value"
RESULT_TABLES = (
    "customers",
    "parameters",
    "segments",
    "tiers",
    "concentration",
    "cohorts",
    "acquisition",
    "holdout",
    "tracking",
)


@dataclass
class ValueReport:
    """One stored value run: its settings, headline figures and result tables."""

    run_id: str
    started_at: pd.Timestamp
    settings: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def headline(self) -> dict[str, Any]:
        customers = self.tables["customers"]
        return {
            "run": self.run_id,
            "cut-off": self.summary["cutoff"],
            "model": self.settings["model"],
            "customers": len(customers),
            f"CLV over {self.settings['months']} months (total)": self.summary["total_clv"],
            "margin used": f"{self.summary['margin']:.1%} ({self.summary['margin_source']})",
            "mean P(alive)": float(customers["probability_alive"].mean()),
            "customers whose CLV tier is uncertain": f"{self.summary['uncertain_tier_share']:.1%}",
            "Gini of revenue": self.summary["gini"],
            "model check on held-out weeks": _holdout_text(self.summary.get("holdout")),
        }

    def charts(self) -> dict[str, charts.Spec]:
        """Vega-Lite specs of the run's charts, by file stem."""
        tables = self.tables
        return {
            "clv_distribution": charts.clv_distribution(tables["customers"]),
            "clv_top_customers": charts.clv_intervals(tables["customers"]),
            "pareto_curve": charts.lorenz_curve(tables["concentration"]),
            "segments": charts.segments(tables["segments"]),
            "cohort_retention": charts.cohort_retention(tables["cohorts"]),
            **(
                {
                    "model_check": charts.tracking(
                        tables["tracking"], self.summary["holdout"]["calibration_end"]
                    )
                }
                if not tables["tracking"].empty
                else {}
            ),
        }


def _holdout_text(holdout: dict[str, Any] | None) -> str:
    if not holdout:
        return "not run (history too short)"
    return (
        f"{holdout['predicted']:,.0f} repeat purchases predicted, {holdout['actual']:,.0f} "
        f"made ({holdout['relative_error']:+.1%})"
    )


def value_report(workspace: Workspace, run_id: str | None = None) -> ValueReport:
    """The stored value run ``run_id`` (default: the latest)."""
    run = resolve_run(workspace, ANALYSIS, run_id)
    parameters = json.loads(run["parameters"])
    summary = parameters.pop("summary")
    tables = {
        name: workspace.to_pandas(result_table(workspace, f"value_{name}", run["run_id"]))
        for name in RESULT_TABLES
    }
    tables["customers"] = tables["customers"].sort_values("customer_id", ignore_index=True)
    tables["tracking"] = tables["tracking"].sort_values("week_ending", ignore_index=True)
    tables["cohorts"] = tables["cohorts"].sort_values(
        ["cohort", "periods_since_acquisition"], ignore_index=True
    )
    return ValueReport(run["run_id"], run["started_at"], parameters, summary, tables)


def save_charts(report: ValueReport, folder: Path, fmt: str = "png") -> list[Path]:
    """Render the run's charts into ``folder`` as PNG, SVG or Vega-Lite JSON files."""
    return write_charts(report.charts(), folder, fmt)
