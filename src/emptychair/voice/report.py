"""Read a stored voice run back, and draw its charts.

What ``emptychair voice report`` shows, and later the dashboard: the numbers come from the
stored run, never recomputed, so every surface agrees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from emptychair.chart_files import write_charts
from emptychair.voice import charts, theme_charts
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, stored_result

ANALYSIS = "voice"
#: Result tables of a run; those a run could not compute (no value run, no complaints) are
#: empty in its report.
RESULT_TABLES = (
    *("scores", "verbatims", "mentions", "themes", "emerging", "irritants", "lapsing"),
    "drivers",
    *("weekly", "alerts", "complaints", "closed_loop", "sentiment_models"),
)


@dataclass
class VoiceReport:
    """One stored voice run: its settings and result tables."""

    run_id: str
    started_at: pd.Timestamp
    settings: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def headline(self) -> dict[str, Any]:
        """The figures a reader wants first."""
        scores = self.tables["scores"]
        overall = scores[scores["dimension"] == "all"]
        verbatims = self.tables["verbatims"]
        irritants = self.tables["irritants"]
        ranked = irritants[irritants["rank"].notna()].sort_values("rank")
        headline: dict[str, Any] = {"run": self.run_id, "answers with text": len(verbatims)}
        for row in overall.to_dict("records"):
            unit = 100 if row["kind"] == "csat" else 1
            headline[f"{row['kind'].upper()} ({row['responses']:,} answers)"] = (
                f"{row['score'] * unit:.1f} [{row['low'] * unit:.1f}, {row['high'] * unit:.1f}]"
            )
        if len(verbatims):
            labels = verbatims["label"].value_counts(normalize=True)
            headline["negative verbatims"] = f"{labels.get('negative', 0.0):.1%}"
        if len(ranked):
            top = ranked.iloc[0]
            text = f"{top['theme']} ({top['frequency']:.1%} of verbatims, −{top['impact']:.2f})"
            if pd.notna(top["value_at_risk"]):
                text += f", value at risk {top['value_at_risk']:,.0f}"
            headline["top irritant"] = text
        drivers = self.tables["drivers"]
        if len(drivers):
            first = drivers[drivers["rank"] == 1]
            for row in first.to_dict("records"):
                headline[f"first driver of {row['kind'].upper()}"] = (
                    f"{row['driver']} ({row['share']:.0%} of the explained variance; "
                    f"mean score {row['performance']:.2f} on 0–1 where it is mentioned)"
                )
        headline["alerts raised"] = len(self.tables["alerts"])
        complaints = self.tables["complaints"]
        if len(complaints):
            totals = complaints[complaints["dimension"] == "all"].iloc[0]
            headline["complaints (open)"] = f"{totals['complaints']:,} ({totals['open']:,})"
            headline["customers to call back"] = len(self.tables["closed_loop"])
        headline["value run"] = self.settings.get("value_run") or "none (no value at risk)"
        return headline

    def theme_labels(self, language: str = "en") -> dict[str, str]:
        themes = self.tables["themes"]
        return dict(zip(themes["theme"], themes[f"label_{language}"], strict=True))

    def charts(self) -> dict[str, theme_charts.Spec]:
        """Vega-Lite specs of the run's charts, by file stem."""
        tables = self.tables
        specs: dict[str, theme_charts.Spec] = {}
        for kind in tables["scores"]["kind"].drop_duplicates():
            specs[f"{kind}_trend"] = theme_charts.score_trend(tables["scores"], kind)
        if len(tables["themes"]):
            specs["themes"] = theme_charts.theme_sentiment(tables["themes"])
        if len(tables["irritants"]):
            specs["irritants"] = theme_charts.irritant_ranking(
                tables["irritants"], self.theme_labels()
            )
        drivers = tables["drivers"]
        for kind in drivers["kind"].drop_duplicates() if len(drivers) else []:
            of_kind = drivers[drivers["kind"] == kind].drop(columns="kind")
            if of_kind["rank"].notna().any():
                specs[f"{kind}_drivers"] = charts.drivers_quadrant(
                    of_kind, title=f"What moves {kind.upper()}: importance × performance"
                )
        if len(tables["weekly"]) and tables["weekly"]["tested"].any():
            specs["alerts"] = charts.alerts_chart(tables["weekly"])
        return specs


def _table(workspace: Workspace, name: str, run_id: str) -> pd.DataFrame:
    stored = stored_result(workspace, name, run_id)
    return pd.DataFrame() if stored is None else workspace.to_pandas(stored)


def voice_report(workspace: Workspace, run_id: str | None = None) -> VoiceReport:
    """The stored voice run ``run_id`` (default: the latest)."""
    run = resolve_run(workspace, ANALYSIS, run_id)
    tables = {name: _table(workspace, f"voice_{name}", run["run_id"]) for name in RESULT_TABLES}
    if len(tables["irritants"]):
        tables["irritants"] = tables["irritants"].sort_values(
            ["rank", "negative_mentions"], ascending=[True, False], ignore_index=True
        )
    if len(tables["themes"]):
        tables["themes"] = tables["themes"].sort_values("mentions", ascending=False)
    if len(tables["scores"]):
        tables["scores"] = tables["scores"].sort_values(
            ["kind", "dimension", "group_value", "period_start"], ignore_index=True
        )
    for name in ("irritants", "drivers"):
        if "rank" in tables[name]:
            tables[name]["rank"] = tables[name]["rank"].astype("Int64")
    settings = json.loads(run["parameters"])
    return VoiceReport(run["run_id"], run["started_at"], settings, tables)


def save_charts(report: VoiceReport, folder: Path, fmt: str = "png") -> list[Path]:
    """Render the run's charts into ``folder`` as PNG, SVG or Vega-Lite JSON files."""
    return write_charts(report.charts(), folder, fmt)
