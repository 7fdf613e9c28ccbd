"""What each dashboard page shows, read from the latest stored runs (aggregates only).

A page is a title, sections of formatted tables, charts (Vega-Lite specs embedded in the page)
and the analyses that were not run. Nothing is computed here that the library does not already
store: a number on a page is the number of the run's result table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from emptychair.report import brief_charts
from emptychair.report.brief import COMMANDS, build_brief
from emptychair.report.findings import Formatter, RunTables, latest_run
from emptychair.web.i18n import WORDS
from emptychair.workspace import Workspace

PAGES = ("overview", "value", "voice", "journeys", "scorecard")


@dataclass
class Table:
    """A formatted table: a title, column labels and rows of text."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Page:
    """One page's content in one language."""

    key: str
    title: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def add_chart(self, spec: dict[str, Any] | None) -> None:
        if spec is not None:
            spec = {**spec, "width": "container"}
            self.charts.append(json.dumps(spec, ensure_ascii=False, default=str))


def _table(
    frame: pd.DataFrame,
    title: str,
    columns: Sequence[str],
    words: dict[str, str],
    formats: dict[str, Callable[[Any], str]],
) -> Table:
    rows = [
        [formats.get(column, str)(row[column]) for column in columns]
        for row in frame.to_dict("records")
    ]
    return Table(title, [words.get(column, column) for column in columns], rows)


def _missing(page: Page, language: str, analysis: str) -> None:
    page.missing.append(WORDS[language]["not_run"].format(command=COMMANDS[analysis]))


def overview(workspace: Workspace, language: str) -> Page:
    """The empty chair: the board brief's findings and charts, with their sources."""
    brief = build_brief(workspace, language)
    page = Page("overview", WORDS[language]["overview_title"])
    page.findings = [{"text": f.text[language], "source": f.source} for f in brief.findings]
    for analysis, run_id in brief.runs.items():
        if run_id is None:
            _missing(page, language, analysis)
    for spec in brief.charts.values():
        page.add_chart(spec)
    return page


def value(workspace: Workspace, language: str) -> Page:
    """Segments with their share of customers and revenue, and the concentration curve."""
    words, f = WORDS[language], Formatter(language)
    page = Page("value", words["nav"]["value"])
    run = latest_run(workspace, "value")
    if run is None:
        _missing(page, language, "value")
        return page
    segments = run.table("value_segments")
    label = f"label_{language}" if f"label_{language}" in segments else "segment"
    segments = segments.assign(segment=segments[label]).sort_values("revenue", ascending=False)
    page.tables.append(
        _table(
            segments,
            words["segments"],
            ["segment", "customers", "share_of_customers", "share_of_revenue"],
            words["columns"],
            {"customers": f.number, "share_of_customers": f.share, "share_of_revenue": f.share},
        )
    )
    page.add_chart(brief_charts.pareto(run, language))
    return page


def voice(workspace: Workspace, language: str) -> Page:
    """Scores by channel with their intervals, and the top irritants."""
    words, f = WORDS[language], Formatter(language)
    page = Page("voice", words["nav"]["voice"])
    run = latest_run(workspace, "voice")
    if run is None:
        _missing(page, language, "voice")
        return page
    scores = run.table("voice_scores")
    by_channel = scores[(scores["dimension"] == "channel") & ~scores["small_group"]].copy()
    scale = by_channel["kind"].map({"csat": 100.0}).fillna(1.0)
    by_channel["interval"] = [
        f"[{f.number(low * s, 1)} ; {f.number(high * s, 1)}]"
        if language == "fr"
        else f"[{f.number(low * s, 1)}, {f.number(high * s, 1)}]"
        for low, high, s in zip(by_channel["low"], by_channel["high"], scale, strict=True)
    ]
    by_channel["score"] = by_channel["score"] * scale
    by_channel["kind"] = by_channel["kind"].str.upper()
    page.tables.append(
        _table(
            by_channel.sort_values(["kind", "group_value"]),
            words["scores"],
            ["kind", "group_value", "responses", "score", "interval"],
            words["columns"],
            {"responses": f.number, "score": lambda v: f.number(v, 1)},
        )
    )
    page.add_chart(brief_charts.nps_trend(run, language))
    page.add_chart(brief_charts.irritants(run, language))
    return page


def journeys(workspace: Workspace, language: str) -> Page:
    """Friction indicators over all journeys, and the most frequent journeys."""
    words, f = WORDS[language], Formatter(language)
    page = Page("journeys", words["nav"]["journeys"])
    run = latest_run(workspace, "journeys")
    if run is None:
        _missing(page, language, "journeys")
        return page
    friction = run.table("journeys_friction")
    if len(friction) and "dimension" in friction:
        overall = friction[friction["dimension"] == "all"]
        page.tables.append(
            _table(
                overall.sort_values("share", ascending=False),
                words["friction"],
                ["indicator", "flagged", "journeys", "share"],
                words["columns"],
                {"journeys": f.number, "flagged": f.number, "share": lambda v: f.share(v, 1)},
            )
        )
    variants = run.table("journeys_variants")
    if len(variants):
        page.tables.append(
            _table(
                variants.sort_values("journeys", ascending=False).head(10),
                words["variants"],
                ["variant", "journeys", "share"],
                words["columns"],
                {"journeys": f.number, "share": lambda v: f.share(v, 1)},
            )
        )
    return page


def scorecard(workspace: Workspace, language: str) -> Page:
    """Outcomes beside productivity per team, and the warnings."""
    words, f = WORDS[language], Formatter(language)
    page = Page("scorecard", words["nav"]["scorecard"])
    run = latest_run(workspace, "scorecard")
    if run is None:
        _missing(page, language, "scorecard")
        return page
    kpis = run.table("scorecard_kpis")
    share = lambda v: f.share(v)  # noqa: E731
    for grouping in ("team", "channel"):
        rows = kpis[kpis["grouping"] == grouping].sort_values("group")
        page.tables.append(
            _table(
                rows,
                words["by"][grouping],
                [
                    "group",
                    "handled",
                    "aht_s",
                    "fcr",
                    "csat",
                    "easy",
                    "complaints_per_1000",
                    "retention",
                ],
                words["columns"],
                {
                    "handled": f.number,
                    "aht_s": f.number,
                    "fcr": share,
                    "csat": share,
                    "easy": share,
                    "complaints_per_1000": lambda v: f.number(v, 1),
                    "retention": share,
                },
            )
        )
    warnings = run.table("scorecard_warnings")
    texts = warnings[f"message_{language}"].tolist() if len(warnings) else []
    page.findings = [
        {"text": text, "source": run.source("scorecard_warnings", "q_value")} for text in texts
    ]
    if not texts:
        page.findings = [
            {"text": words["no_warning"], "source": run.source("scorecard_warnings", "")}
        ]
    return page


BUILDERS: dict[str, Callable[[Workspace, str], Page]] = {
    "overview": overview,
    "value": value,
    "voice": voice,
    "journeys": journeys,
    "scorecard": scorecard,
}


def build_page(workspace: Workspace, key: str, language: str) -> Page:
    """The content of page ``key`` in ``language``."""
    return BUILDERS[key](workspace, language)


__all__ = ["BUILDERS", "PAGES", "Page", "RunTables", "Table", "build_page"]
