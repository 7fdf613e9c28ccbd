"""The actions page: what the latest run recommends, what the guardrails blocked, and the
practices that pay now and hurt later."""

from __future__ import annotations

import pandas as pd

from emptychair.actions.arbitration import workspace_catalogue
from emptychair.errors import EmptyChairError
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


def _practices(page: Page, context: PageContext, f: Formatter) -> None:
    """The stored practices run: each campaign's short-term gain against its later harm."""
    words = context.words
    run = latest_run(context.workspace, "practices")
    if run is None:
        add_missing(page, context.language, "practices")
        return
    effects = run.table("actions_practices")
    if not len(effects):
        return
    flagged = effects[effects["flagged"].astype(bool)] if "flagged" in effects else effects.iloc[:0]
    names = sorted(set(flagged["practice"])) if "practice" in flagged else []
    source = run.source("actions_practices", "flagged")
    page.findings = [
        {"text": words["harmful"].format(practice=name), "source": source} for name in names
    ] or [{"text": words["no_harmful"], "source": source}]
    shown = [c for c in ("practice", "outcome", "effect", "low", "high", "flagged") if c in effects]
    effects = effects.assign(
        flagged=effects.get("flagged", pd.Series(False, index=effects.index)).map(
            lambda v: words["yes"] if v else ""
        )
    )
    page.tables.append(
        make_table(
            effects,
            words["practices"],
            shown,
            words["columns"],
            {c: (lambda v: f.number(v, 2)) for c in ("effect", "low", "high")},
        )
    )
