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
    "restriction": (
        "parce que la personne a limité l'usage de ses données",
        "because the person restricted the use of their data",
    ),
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


#: The later harms a practice can do, in each language.
HARMS = {
    "complaint": ("réclamations", "complaints"),
    "unsubscribe": ("désabonnements", "unsubscribes"),
    "dissatisfied": ("clients mécontents", "dissatisfied answers"),
    "lapse": ("clients qui cessent d'acheter", "customers who stop buying"),
    "revenue_later": ("chiffre d'affaires perdu ensuite", "revenue lost later"),
}


def practices_findings(run: RunTables, fr: Formatter, en: Formatter) -> list[Finding]:
    """Each flagged practice: its short-term gain per contacted customer and its later harms."""
    from emptychair.report.findings import Finding

    effects = run.table("actions_practices")
    if effects.empty or "flagged" not in effects:
        return []
    found = []
    for practice, rows in effects[effects["flagged"].astype(bool)].groupby("practice"):
        rows = rows.set_index("outcome")
        if "revenue_short" not in rows.index:
            continue
        gain = float(rows["effect"].get("revenue_short", 0.0))
        harmed = [
            o for o in HARMS if o in rows.index and str(rows.loc[o].get("signal", "")) == "harm"
        ]
        harms_fr = ", ".join(HARMS[o][0] for o in harmed) or "aucun dommage chiffré"
        harms_en = ", ".join(HARMS[o][1] for o in harmed) or "no harm measured"
        found.append(
            Finding(
                f"practice_{practice}",
                "actions",
                {
                    "fr": f"La pratique {practice} rapporte tout de suite ({fr.money(gain, 2)} par "
                    f"client contacté en 30 jours) mais nuit ensuite : plus de {harms_fr}.",
                    "en": f"Practice {practice} pays now ({en.money(gain, 2)} per contacted "
                    f"customer in 30 days) but hurts later: more {harms_en}.",
                },
                run.source("actions_practices", f"practice = {practice}: effect, signal"),
                {"revenue_short": gain, "harms": float(len(harmed))},
            )
        )
    return found


__all__ = ["HARMS", "SERVING", "actions_findings", "practices_findings"]
