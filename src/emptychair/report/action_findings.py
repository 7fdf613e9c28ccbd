"""What the latest customer-first decisions do: the brief's and the overview's actions finding.

One sentence from the stored ``actions`` run: how many customers get an action, how many of
those actions serve the customer (service recovery, advice, thanks) rather than sell, and what
the guardrails held back (offers without consent, to customers with an open complaint or a
recent bad score). The figures are the counts of ``actions_decisions`` and
``actions_guardrails``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emptychair.report.formatting import Formatter

if TYPE_CHECKING:
    from emptychair.report.findings import Finding, RunTables

#: Action kinds that serve the customer rather than sell.
SERVING = ("service_recovery", "advice", "thanks")
GUARDRAILS = {
    "consent": ("faute de consentement", "for lack of consent"),
    "open_complaint": ("à cause d'une réclamation en cours", "because of an open complaint"),
    "recent_detractor": ("après une mauvaise note récente", "after a recent bad score"),
    "contact_pressure": ("pour ne pas trop solliciter", "to avoid too many contacts"),
    "quiet_period": ("pendant une période de calme", "during a quiet period"),
}


def actions_findings(run: RunTables, fr: Formatter, en: Formatter) -> list[Finding]:
    """Customers with an action, the share that serves them, and what guardrails held back."""
    from emptychair.report.findings import Finding

    decisions = run.expression("actions_decisions")
    if decisions is None:
        return []
    kind = decisions["action_kind"].fill_null("no_action")
    counts = run.workspace.to_pandas(
        decisions.group_by(kind=kind).aggregate(customers=decisions.count())
    )
    total = int(counts["customers"].sum())
    acting = counts[counts["kind"] != "no_action"]
    chosen = int(acting["customers"].sum())
    if total == 0 or chosen == 0:
        return []
    serving = int(acting.loc[acting["kind"].isin(SERVING), "customers"].sum())
    guardrails = run.table("actions_guardrails")
    blocked = (
        guardrails.groupby("guardrail")["blocked_customers"].sum().sort_values(ascending=False)
        if len(guardrails)
        else None
    )
    held_fr = held_en = ""
    figures = {"customers": float(total), "with_action": float(chosen), "serving": float(serving)}
    if blocked is not None and blocked.iloc[0] > 0:
        top = str(blocked.index[0])
        french, english = GUARDRAILS.get(top, (top, top))
        figures["blocked_" + top] = float(blocked.iloc[0])
        held_fr = (
            f" Les garde-fous ont retenu {fr.number(blocked.iloc[0])} actions, d'abord {french}."
        )
        held_en = (
            f" The guardrails held back {en.number(blocked.iloc[0])} actions, mostly {english}."
        )
    share = serving / chosen
    return [
        Finding(
            "actions",
            "actions",
            {
                "fr": f"{fr.number(chosen)} clients sur {fr.number(total)} ont une action à "
                f"mener ; {fr.share(share)} d'entre elles servent le client (réparer, conseiller, "
                f"remercier) avant de vendre.{held_fr}",
                "en": f"{en.number(chosen)} of {en.number(total)} customers have an action to "
                f"take; {en.share(share)} of them serve the customer (put right, advise, thank) "
                f"before selling.{held_en}",
            },
            run.source("actions_decisions", "action_kind")
            + "; actions_guardrails (blocked_customers)",
            figures,
        )
    ]


__all__ = ["SERVING", "actions_findings"]
