"""The actions page: what the latest run recommends, what the guardrails blocked, and the
practices that pay now and hurt later."""

from __future__ import annotations

from collections.abc import Callable

from emptychair.actions.arbitration import workspace_catalogue
from emptychair.errors import EmptyChairError
from emptychair.report.action_findings import practices_findings
from emptychair.report.findings import Formatter, latest_run
from emptychair.web.page_model import Page, PageContext, add_missing, analysis_page, make_table


def _labels(context: PageContext) -> dict[str, str]:
    try:
        catalogue = workspace_catalogue(context.workspace)
    except EmptyChairError:
        return {}
    return {a.id: a.label.get(context.language, a.id) for a in catalogue.actions}


def actions(context: PageContext) -> Page:
    """Recommendations per action, guardrail statistics and flagged harmful practices."""
    from emptychair.actions.service import actions_summary

    words, language = context.words, context.language
    f = Formatter(language)
    page, run = analysis_page(context, "actions")
    if run is not None:
        summary = actions_summary(context.workspace, run.run_id)
        labels = {**_labels(context), "no action": words["no_action"]}
        page.notes.append(
            words["actions_run"].format(
                customers=f.number(summary.customers), day=f.day(summary.as_of)
            )
        )
        counts = summary.actions.assign(
            share=summary.actions["customers"] / max(summary.customers, 1),
            action=summary.actions["action"].map(lambda a: labels.get(a, a)),
        )
        page.tables.append(
            make_table(
                counts,
                words["recommended"],
                ["action", "customers", "share", "overridden"],
                words["columns"],
                {"customers": f.number, "share": lambda v: f.share(v, 1), "overridden": f.number},
            )
        )
        guardrails = summary.guardrails
        blocked = guardrails[guardrails["blocked_customers"] > 0].assign(
            action_id=lambda g: g["action_id"].map(lambda a: labels.get(a, a)),
            guardrail=lambda g: g["guardrail"].map(lambda k: words["guardrails"].get(k, k)),
            blocked_share=lambda g: g["blocked_customers"] / g["eligible_customers"].clip(lower=1),
        )
        page.tables.append(
            make_table(
                blocked.sort_values("blocked_customers", ascending=False),
                words["blocked"],
                [
                    "action_id",
                    "guardrail",
                    "eligible_customers",
                    "blocked_customers",
                    "blocked_share",
                ],
                words["columns"],
                {
                    "eligible_customers": f.number,
                    "blocked_customers": f.number,
                    "blocked_share": lambda v: f.share(v, 1),
                },
            )
        )
    _practices(page, context, f)
    return page


def _effect_format(f: Formatter) -> Callable[[float], str]:
    """Shares with three decimals, amounts with two."""
    return lambda v: f.number(v, 3) if abs(v) < 1 else f.number(v, 2)


def _practices(page: Page, context: PageContext, f: Formatter) -> None:
    """The stored practices run: each campaign's short-term gain against its later harm."""
    words, language = context.words, context.language
    run = latest_run(context.workspace, "practices")
    if run is None:
        add_missing(page, language, "practices")
        return
    effects = run.table("actions_practices")
    if not len(effects):
        return
    found = practices_findings(run, Formatter("fr"), Formatter("en"))
    source = run.source("actions_practices", "flagged")
    page.findings = [{"text": item.text[language], "source": item.source} for item in found] or [
        {"text": words["no_harmful"], "source": source}
    ]
    outcomes = words["practice_outcomes"]
    shown = effects.assign(
        outcome=effects["outcome"].map(lambda o: outcomes.get(o, o)),
        flagged_practice=effects["flagged"].map(lambda v: words["yes"] if v else ""),
    )
    page.tables.append(
        make_table(
            shown,
            words["practices"],
            ["practice", "outcome", "effect", "low", "high", "flagged_practice"],
            words["columns"],
            {column: _effect_format(f) for column in ("effect", "low", "high")},
        )
    )
