"""Which pages the dashboard has, and the overview and scorecard pages.

Each page is built from the latest stored runs (see :mod:`emptychair.web.page_model`);
the other pages live in their own modules, one per area.
"""

from __future__ import annotations

from collections.abc import Callable

from emptychair.report.brief import build_brief
from emptychair.report.findings import Formatter
from emptychair.web.action_pages import actions
from emptychair.web.analysis_pages import journeys, value, voice
from emptychair.web.customer_pages import customers
from emptychair.web.page_model import (
    Link,
    Page,
    PageContext,
    add_missing,
    analysis_page,
    make_table,
)
from emptychair.web.simulator_page import simulator


def overview(context: PageContext) -> Page:
    """The empty chair: the board brief's findings and charts, with their sources."""
    language = context.language
    brief = build_brief(context.workspace, language)
    page = Page("overview", context.words["overview_title"])
    page.links = [
        Link(context.words["brief_print"], f"/ui/brief?lang={language}"),
        Link(context.words["brief_pdf"], f"/ui/brief?format=pdf&lang={language}"),
    ]
    page.findings = [{"text": f.text[language], "source": f.source} for f in brief.findings]
    for analysis, run_id in brief.runs.items():
        if run_id is None:
            add_missing(page, language, analysis)
    for spec in brief.charts.values():
        page.add_chart(spec, language)
    return page


def scorecard(context: PageContext) -> Page:
    """Outcomes beside productivity per team and channel, and the warnings."""
    words, language = context.words, context.language
    f = Formatter(language)
    page, run = analysis_page(context, "scorecard")
    if run is None:
        return page
    kpis = run.table("scorecard_kpis")
    share = lambda v: f.share(v)  # noqa: E731
    columns = ["group", "handled", "aht_s", "fcr", "csat", "easy", "complaints_per_1000"]
    columns.append("retention")
    for grouping in ("team", "channel"):
        rows = kpis[kpis["grouping"] == grouping].sort_values("group")
        page.tables.append(
            make_table(
                rows,
                words["by"][grouping],
                columns,
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
    source = run.source("scorecard_warnings", "q_value")
    page.findings = [{"text": text, "source": source} for text in texts] or [
        {"text": words["no_warning"], "source": run.source("scorecard_warnings", "")}
    ]
    return page


BUILDERS: dict[str, Callable[[PageContext], Page]] = {
    "overview": overview,
    "customers": customers,
    "value": value,
    "voice": voice,
    "journeys": journeys,
    "actions": actions,
    "simulator": simulator,
    "scorecard": scorecard,
}
PAGES = tuple(BUILDERS)


def build_page(context: PageContext, key: str) -> Page:
    """The content of page ``key`` for the reader of ``context``."""
    return BUILDERS[key](context)


__all__ = ["BUILDERS", "PAGES", "Page", "PageContext", "build_page"]
