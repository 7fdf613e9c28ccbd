"""The value, voice and journeys pages: the stored results of each analysis's latest run.

Large result tables stay in the engine: a page reads only the rows it shows (a sample for
the CLV histogram, the top rows of a ranking, the filtered verbatims), so it renders in
well under a second whatever the number of customers.
"""

from __future__ import annotations

import ibis
import pandas as pd

from emptychair.accounts.roles import Role
from emptychair.errors import EmptyChairError
from emptychair.journeys import charts as journey_charts
from emptychair.report import brief_charts
from emptychair.report.findings import Formatter, RunTables
from emptychair.value import charts as value_charts
from emptychair.voice import charts as voice_charts
from emptychair.web.page_model import Field, Form, Page, PageContext, analysis_page, make_table

#: Customers drawn for the CLV histogram (its shape, not its sum, is what is shown).
HISTOGRAM_SAMPLE = 20_000
#: Verbatims shown at once on the voice page, newest first.
VERBATIMS_SHOWN = 50


def _interval(f: Formatter, low: float, high: float, digits: int = 1) -> str:
    separator = " ; " if f.language == "fr" else ", "
    return f"[{f.number(low, digits)}{separator}{f.number(high, digits)}]"


def value(context: PageContext) -> Page:
    """CLV distribution and intervals, segments, tiers, concentration, cohorts, CLV/CAC."""
    words, language = context.words, context.language
    f = Formatter(language)
    page, run = analysis_page(context, "value")
    if run is None:
        return page
    columns = words["columns"]
    segments = run.table("value_segments")
    label = f"label_{language}" if f"label_{language}" in segments else "segment"
    segments = segments.assign(segment=segments[label]).sort_values("revenue", ascending=False)
    page.tables.append(
        make_table(
            segments,
            words["segments"],
            ["segment", "customers", "share_of_customers", "share_of_revenue"],
            columns,
            {"customers": f.number, "share_of_customers": f.share, "share_of_revenue": f.share},
        )
    )
    tiers = run.table("value_tiers")
    if len(tiers):
        page.tables.append(
            make_table(
                tiers,
                words["tiers"],
                [
                    "tier",
                    "customers",
                    "share_of_customers",
                    "clv",
                    "share_of_clv",
                    "uncertain_share",
                ],
                columns,
                {
                    "customers": f.number,
                    "share_of_customers": f.share,
                    "clv": f.money,
                    "share_of_clv": f.share,
                    "uncertain_share": f.share,
                },
            )
        )
    acquisition = run.table("value_acquisition")
    if len(acquisition):
        page.tables.append(
            make_table(
                acquisition.sort_values("customers", ascending=False),
                words["acquisition"],
                ["acquisition_channel", "customers", "mean_cac", "mean_clv", "clv_to_cac"],
                columns,
                {
                    "customers": f.number,
                    "mean_cac": f.money,
                    "mean_clv": f.money,
                    "clv_to_cac": lambda v: f.number(v, 1),
                },
            )
        )
    page.add_chart(brief_charts.pareto(run, language), language)
    customers = run.expression("value_customers")
    if customers is not None:
        page.add_chart(value_charts.clv_distribution(_sample(context, customers)), language)
        if context.role.allows(Role.ANALYST):
            top = customers.select("customer_id", "clv", "clv_lower", "clv_upper")
            top = top.order_by(ibis.desc("clv")).limit(25)
            page.add_chart(value_charts.clv_intervals(context.workspace.to_pandas(top)), language)
    cohorts = run.table("value_cohorts")
    if len(cohorts):
        page.add_chart(value_charts.cohort_retention(cohorts), language)
    return page


def _sample(context: PageContext, customers: ibis.Table) -> pd.DataFrame:
    clv = customers.select("clv")
    count = int(context.workspace.engine.execute(clv.count()))
    if count > HISTOGRAM_SAMPLE:
        clv = clv.sample(HISTOGRAM_SAMPLE / count, seed=0)
    return context.workspace.to_pandas(clv)


def voice(context: PageContext) -> Page:
    """Scores with intervals, themes, drivers, irritants, complaints and filtered verbatims."""
    words, language = context.words, context.language
    f = Formatter(language)
    page, run = analysis_page(context, "voice")
    if run is None:
        return page
    columns = words["columns"]
    scores = run.table("voice_scores")
    dimension = context.param("by") or "channel"
    if dimension not in set(scores["dimension"]):
        dimension = "channel"
    chosen = scores[(scores["dimension"] == dimension) & ~scores["small_group"]].copy()
    chosen = chosen[chosen["period_start"].isna()] if "period_start" in chosen else chosen
    scale = chosen["kind"].map({"csat": 100.0}).fillna(1.0)
    chosen["interval"] = [
        _interval(f, low * s, high * s)
        for low, high, s in zip(chosen["low"], chosen["high"], scale, strict=True)
    ]
    chosen["score"] = chosen["score"] * scale
    chosen["kind"] = chosen["kind"].str.upper()
    dimensions = sorted(set(scores["dimension"]) - {"all", "month"})
    page.forms.append(
        Form(
            [
                Field(
                    "by",
                    words["score_by"],
                    dimension,
                    [(d, words["dimensions"].get(d, d)) for d in dimensions],
                )
            ],
            words["show"],
            words["scores"],
        )
    )
    page.tables.append(
        make_table(
            chosen.sort_values(["kind", "group_value"]),
            words["scores_by"].format(by=words["dimensions"].get(dimension, dimension)),
            ["kind", "group_value", "responses", "score", "interval"],
            {**columns, "group_value": words["dimensions"].get(dimension, dimension)},
            {"responses": f.number, "score": lambda v: f.number(v, 1)},
        )
    )
    page.add_chart(brief_charts.nps_trend(run, language), language)
    page.add_chart(brief_charts.irritants(run, language), language)
    drivers = run.table("voice_drivers")
    if len(drivers) and "nps" in set(drivers["kind"]):
        table = drivers[drivers["kind"] == "nps"]
        if (~table["small"].astype(bool) & table["performance"].notna()).any():
            page.add_chart(voice_charts.drivers_quadrant(table), language)
    themes = run.table("voice_themes")
    if len(themes):
        label = f"label_{language}" if f"label_{language}" in themes else "theme"
        page.tables.append(
            make_table(
                themes.assign(theme=themes[label]).sort_values("mentions", ascending=False),
                words["themes"],
                ["theme", "mentions", "share", "sentiment", "negative_share"],
                columns,
                {
                    "mentions": f.number,
                    "share": f.share,
                    "sentiment": lambda v: f.number(v, 2),
                    "negative_share": f.share,
                },
            )
        )
    _complaints(page, run, context, f)
    _verbatims(page, run, context, f, themes)
    return page


def _complaints(page: Page, run: RunTables, context: PageContext, f: Formatter) -> None:
    complaints = run.table("voice_complaints")
    if not len(complaints):
        return
    rows = complaints[complaints["dimension"] == "category"]
    if not len(rows):
        rows = complaints
    page.tables.append(
        make_table(
            rows.sort_values("complaints", ascending=False),
            context.words["complaints"],
            ["group_value", "complaints", "open", "days_to_close_median", "reopened_share"],
            {**context.words["columns"], "group_value": context.words["dimensions"]["category"]},
            {
                "complaints": f.number,
                "open": f.number,
                "days_to_close_median": lambda v: f.number(v, 1),
                "reopened_share": f.share,
            },
        )
    )


def _verbatims(
    page: Page, run: RunTables, context: PageContext, f: Formatter, themes: pd.DataFrame
) -> None:
    """The newest verbatims matching the filters; personal data is redacted in the run."""
    table = run.expression("voice_verbatims")
    if table is None:
        return
    words = context.words
    filters: dict[str, str] = {}
    options: dict[str, list[tuple[str, str]]] = {}
    for column in ("channel", "kind", "label"):
        known = context.workspace.to_pandas(table.select(column).distinct())[column].dropna()
        names = [(v, words["values"].get(v, v)) for v in sorted(known)]
        options[column] = [("", words["all"]), *names]
        chosen = context.param(column)
        if chosen and chosen in set(known):
            filters[column] = chosen
            table = table.filter(table[column] == chosen)
    label = f"label_{context.language}" if f"label_{context.language}" in themes else "theme"
    theme_names = dict(zip(themes["theme"], themes[label], strict=True)) if len(themes) else {}
    options["theme"] = [("", words["all"]), *sorted(theme_names.items(), key=lambda kv: kv[1])]
    theme = context.param("theme")
    if theme in theme_names:
        filters["theme"] = theme
        table = table.filter(table["themes"].split(";").contains(theme))
    page.forms.append(
        Form(
            [
                Field(name, words["filters"][name], filters.get(name, ""), choices)
                for name, choices in options.items()
            ],
            words["filter"],
            words["verbatims"],
        )
    )
    shown = table.order_by(ibis.desc("received_at")).limit(VERBATIMS_SHOWN)
    frame = context.workspace.to_pandas(
        shown.select("received_at", "channel", "kind", "score", "label", "themes", "text_redacted")
    )
    frame["themes"] = (
        frame["themes"]
        .fillna("")
        .map(lambda text: ", ".join(theme_names.get(t, t) for t in str(text).split(";") if t))
    )
    frame["label"] = frame["label"].map(lambda v: words["values"].get(v, v))
    count = int(context.workspace.engine.execute(table.count()))
    page.tables.append(
        make_table(
            frame,
            words["verbatims_found"].format(shown=f.number(len(frame)), found=f.number(count)),
            ["received_at", "channel", "kind", "score", "label", "themes", "text_redacted"],
            words["columns"],
            {"received_at": f.day, "score": lambda v: f.number(v, 0)},
        )
    )


def journeys(context: PageContext) -> Page:
    """Flow of the first steps, transitions, variants, funnels and frictions."""
    words, language = context.words, context.language
    f = Formatter(language)
    page, run = analysis_page(context, "journeys")
    if run is None:
        return page
    columns = words["columns"]
    friction = run.table("journeys_friction")
    if len(friction) and "dimension" in friction:
        overall = friction[friction["dimension"] == "all"]
        page.tables.append(
            make_table(
                overall.sort_values("share", ascending=False),
                words["friction"],
                ["indicator", "flagged", "journeys", "share"],
                columns,
                {"journeys": f.number, "flagged": f.number, "share": lambda v: f.share(v, 1)},
            )
        )
        if (friction["dimension"] == "team").any():
            page.add_chart(journey_charts.friction_by_team(friction), language)
    flows = run.table("journeys_flows")
    if len(flows):
        page.add_chart(journey_charts.first_steps_sankey(flows), language)
    graph = run.table("journeys_graph")
    if len(graph):
        page.add_chart(journey_charts.transitions_heatmap(graph), language)
    variants = run.table("journeys_variants")
    if len(variants):
        page.tables.append(
            make_table(
                variants.sort_values("journeys", ascending=False).head(10),
                words["variants"],
                ["variant", "journeys", "share", "purchase_share", "complaint_share"],
                columns,
                {
                    "journeys": f.number,
                    "share": lambda v: f.share(v, 1),
                    "purchase_share": f.share,
                    "complaint_share": f.share,
                },
            )
        )
    _funnel(page, context, f)
    return page


def _funnel(page: Page, context: PageContext, f: Formatter) -> None:
    """A funnel of the steps the reader types (computed on demand: it reads every event)."""
    from emptychair.journeys.events import workspace_event_log
    from emptychair.journeys.funnels import funnel

    words = context.words
    asked = context.param("steps")
    page.forms.append(
        Form(
            [Field("steps", words["funnel_steps"], asked, hint=words["funnel_hint"])],
            words["show"],
            words["funnel"],
        )
    )
    steps = [step.strip() for step in asked.replace("→", ",").split(",") if step.strip()]
    if not steps:
        return
    try:
        result = funnel(workspace_event_log(context.workspace), steps)
    except EmptyChairError as error:
        page.errors.append(str(error))
        return
    page.tables.append(
        make_table(
            result,
            words["funnel"],
            ["step", "activity", "journeys", "conversion_from_previous", "conversion_from_start"],
            words["columns"],
            {
                "journeys": f.number,
                "conversion_from_previous": f.share,
                "conversion_from_start": f.share,
            },
        )
    )
    page.add_chart(journey_charts.funnel_bars(result), context.language)
