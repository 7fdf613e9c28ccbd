"""Plain-language findings for leadership, each traceable to the numbers behind it.

A finding is one sentence in French and in English, built from the stored result tables of the
latest runs (value, voice, journeys, scorecard, actions), with its **source**: the run id, the
result table and the columns the figures come from, so a reader can check every number. A
finding whose run or table is missing is left out, and the brief says which analyses were not
run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.errors import NotFoundError
from emptychair.report.action_findings import actions_findings, practices_findings
from emptychair.report.formatting import Formatter
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, stored_result

TOP_SHARE = 0.15
"""The share of most valuable customers whose share of revenue the brief reports."""
LOST_BELOW = 0.5
"""Customers whose probability of still being active is below this are called probably lost."""


@dataclass(frozen=True)
class Finding:
    """One finding: its sentence in each language and where its figures come from."""

    key: str
    section: str
    text: dict[str, str]
    source: str
    figures: dict[str, float] = field(default_factory=dict)


@dataclass
class RunTables:
    """The latest run of one analysis and a reader of its result tables."""

    workspace: Workspace
    analysis: str
    run_id: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        expression = self.expression(name)
        return pd.DataFrame() if expression is None else self.workspace.to_pandas(expression)

    def expression(self, name: str) -> ir.Table | None:
        """The run's rows of result table ``name`` in the engine, None when it has none."""
        return stored_result(self.workspace, name, self.run_id)

    def source(self, table: str, columns: str) -> str:
        return f"{table} ({columns}), {self.analysis} run {self.run_id}"


def latest_run(workspace: Workspace, analysis: str) -> RunTables | None:
    """The latest run of ``analysis``, or None when it was never run."""
    try:
        run = resolve_run(workspace, analysis)
    except NotFoundError:
        return None
    return RunTables(workspace, analysis, str(run["run_id"]), json.loads(run["parameters"] or "{}"))


def _both(fr: Formatter, en: Formatter, make: Callable[[Formatter], str]) -> dict[str, str]:
    return {"fr": make(fr), "en": make(en)}


def value_findings(run: RunTables, fr: Formatter, en: Formatter) -> list[Finding]:
    """Concentration of revenue, probably lost customers and the champions."""
    found: list[Finding] = []
    curve = run.table("value_concentration")
    if len(curve):
        curve = curve.sort_values("share_of_customers")
        share = float(np.interp(TOP_SHARE, curve["share_of_customers"], curve["share_of_revenue"]))
        found.append(
            Finding(
                "concentration",
                "value",
                {
                    "fr": f"Les {fr.share(TOP_SHARE)} de clients les plus précieux font "
                    f"{fr.share(share)} du chiffre d'affaires.",
                    "en": f"The most valuable {en.share(TOP_SHARE)} of customers make "
                    f"{en.share(share)} of revenue.",
                },
                run.source("value_concentration", "share_of_customers, share_of_revenue"),
                {"top_share": TOP_SHARE, "revenue_share": share},
            )
        )
    customers = run.expression("value_customers")
    if customers is not None:
        lost_rows = customers["probability_alive"] < LOST_BELOW
        totals = run.workspace.to_pandas(
            customers.aggregate(
                customers_=customers.count(),
                lost=lost_rows.sum(),
                lost_spend=ibis.ifelse(lost_rows, customers["total_spend"], 0.0).sum(),
                spend=customers["total_spend"].sum(),
                clv=customers["clv"].sum(),
            )
        ).iloc[0]
        count, share = (
            int(totals["lost"]),
            float(totals["lost"]) / max(int(totals["customers_"]), 1),
        )
        spend, total = float(totals["lost_spend"]), float(totals["spend"])
        clv = float(totals["clv"])
        months = int(run.parameters.get("months", 12))
        found.append(
            Finding(
                "probably_lost",
                "value",
                {
                    "fr": f"{fr.number(count)} clients ({fr.share(share)}) sont probablement "
                    f"perdus (probabilité d'être encore actifs sous {fr.share(LOST_BELOW)}) ; "
                    f"ils avaient dépensé {fr.money(spend)}, {fr.share(spend / total)} du total.",
                    "en": f"{en.number(count)} customers ({en.share(share)}) are probably lost "
                    f"(probability of still being active below {en.share(LOST_BELOW)}); they "
                    f"had spent {en.money(spend)}, {en.share(spend / total)} of the total.",
                },
                run.source("value_customers", "probability_alive, total_spend"),
                {"customers": count, "share": share, "spend": spend},
            )
        )
        found.append(
            Finding(
                "future_value",
                "value",
                {
                    "fr": f"La valeur attendue des clients actuels sur les {months} prochains "
                    f"mois est de {fr.money(clv)}.",
                    "en": f"Current customers are expected to bring {en.money(clv)} over the "
                    f"next {months} months.",
                },
                run.source("value_customers", "clv"),
                {"clv": clv, "months": months},
            )
        )
    return found


def voice_findings(run: RunTables, fr: Formatter, en: Formatter) -> list[Finding]:
    """The NPS with its interval, the first irritant, what customers who left said, and a new
    topic."""
    found: list[Finding] = []
    scores = run.table("voice_scores")
    overall = (
        scores[(scores["dimension"] == "all") & (scores["kind"] == "nps")]
        if len(scores)
        else scores
    )
    if len(overall):
        row = overall.iloc[0]
        found.append(
            Finding(
                "nps",
                "voice",
                _both(
                    fr,
                    en,
                    lambda f: (
                        f"NPS {f.number(row['score'], 1)} "
                        f"[{f.number(row['low'], 1)} ; {f.number(row['high'], 1)}] "
                        f"sur {f.number(row['responses'])} réponses."
                        if f.language == "fr"
                        else f"NPS {f.number(row['score'], 1)} "
                        f"[{f.number(row['low'], 1)}, {f.number(row['high'], 1)}] "
                        f"from {f.number(row['responses'])} answers."
                    ),
                ),
                run.source("voice_scores", "kind = nps, dimension = all: score, low, high"),
                {"nps": float(row["score"]), "low": float(row["low"]), "high": float(row["high"])},
            )
        )
    irritants = run.table("voice_irritants")
    themes = run.table("voice_themes")
    labels = _theme_labels(themes)
    ranked = (
        irritants[irritants["rank"].notna()].sort_values("rank") if len(irritants) else irritants
    )
    if len(ranked):
        top = ranked.iloc[0]
        theme = str(top["theme"])
        risk = top["value_at_risk"]
        at_risk = {"fr": "", "en": ""}
        if pd.notna(risk):
            at_risk = {
                "fr": f" ; {fr.money(risk)} de valeur future en jeu",
                "en": f"; {en.money(risk)} of future value at stake",
            }
        found.append(
            Finding(
                "top_irritant",
                "voice",
                {
                    "fr": f"Premier irritant : {labels['fr'].get(theme, theme)}, dans "
                    f"{fr.share(top['frequency'], 1)} des verbatims ({fr.number(top['customers'])}"
                    f" clients){at_risk['fr']}.",
                    "en": f"First irritant: {labels['en'].get(theme, theme)}, in "
                    f"{en.share(top['frequency'], 1)} of verbatims ({en.number(top['customers'])}"
                    f" customers){at_risk['en']}.",
                },
                run.source(
                    "voice_irritants", "rank = 1: theme, frequency, customers, value_at_risk"
                ),
                {"frequency": float(top["frequency"]), "value_at_risk": float(risk)},
            )
        )
    found += _lapsing_finding(run, fr, en, labels)
    emerging = run.table("voice_emerging")
    if len(emerging):
        new = emerging.sort_values("size", ascending=False).iloc[0]
        found.append(
            Finding(
                "emerging",
                "voice",
                {
                    "fr": f"Nouveau sujet dans les verbatims : « {new['label']} » "
                    f"({fr.number(new['size'])} verbatims).",
                    "en": f"New topic in verbatims: \u201c{new['label']}\u201d "
                    f"({en.number(new['size'])} verbatims).",
                },
                run.source("voice_emerging", "label, size"),
                {"size": float(new["size"])},
            )
        )
    return found


def _lapsing_finding(
    run: RunTables, fr: Formatter, en: Formatter, labels: dict[str, dict[str, str]]
) -> list[Finding]:
    """What customers who stopped buying said more than those who stayed (or that nothing
    stands out, with the closest theme)."""
    lapsing = run.table("voice_lapsing")
    if lapsing.empty:
        return []
    top = lapsing.sort_values(["q_value", "difference"], ascending=[True, False]).iloc[0]
    theme = str(top["theme"])
    values = {
        language: (
            labels[language].get(theme, theme),
            f.share(top["lapsing_share"], 1),
            f.share(top["retained_share"], 1),
        )
        for language, f in (("fr", fr), ("en", en))
    }
    if bool(top["significant"]):
        name, lapsed, stayed = values["fr"]
        french = f"Les clients partis parlaient plus de {name} : {lapsed} de leurs verbatims, "
        french += f"contre {stayed} chez ceux qui restent."
        name, lapsed, stayed = values["en"]
        english = f"Customers who left spoke more of {name}: {lapsed} of their verbatims, "
        english += f"against {stayed} for those who stay."
    else:
        name, lapsed, stayed = values["fr"]
        french = "Aucun thème n'est nettement plus cité par les clients partis (le plus proche : "
        french += f"{name}, {lapsed} contre {stayed})."
        name, lapsed, stayed = values["en"]
        english = "No theme stands out among customers who left (the closest: "
        english += f"{name}, {lapsed} against {stayed})."
    return [
        Finding(
            "lapsing",
            "voice",
            {"fr": french, "en": english},
            run.source("voice_lapsing", f"theme = {theme}: lapsing_share, retained_share, q_value"),
            {
                "lapsing_share": float(top["lapsing_share"]),
                "retained_share": float(top["retained_share"]),
                "q_value": float(top["q_value"]),
            },
        )
    ]


def _theme_labels(themes: pd.DataFrame) -> dict[str, dict[str, str]]:
    if themes.empty:
        return {"fr": {}, "en": {}}
    return {
        language: dict(zip(themes["theme"], themes[f"label_{language}"], strict=True))
        for language in ("fr", "en")
    }


def scorecard_findings(run: RunTables, fr: Formatter, en: Formatter) -> list[Finding]:
    """The scorecard's warnings, as they were stored."""
    del fr, en  # the stored warnings carry both sentences
    warnings = run.table("scorecard_warnings")
    if warnings.empty:
        return []
    warnings = warnings.sort_values("q_value")
    return [
        Finding(
            f"scorecard_{position}",
            "scorecard",
            {"fr": str(row["message_fr"]), "en": str(row["message_en"])},
            run.source("scorecard_warnings", f"group = {row['group']}, kpi = {row['kpi']}"),
            {"value": float(row["value"]), "reference": float(row["reference"])},
        )
        for position, row in enumerate(warnings.to_dict("records"))
    ]


def journeys_findings(run: RunTables, fr: Formatter, en: Formatter) -> list[Finding]:
    """The most frequent friction of the journeys."""
    friction = run.table("journeys_friction")
    if friction.empty or not {"indicator", "dimension", "share"} <= set(friction.columns):
        return []
    overall = friction[friction["dimension"] == "all"]
    if overall.empty:
        return []
    top = overall.sort_values("share", ascending=False).iloc[0]
    names = {
        "repeat_contact": ("recontacts pour la même raison", "repeat contacts for the same reason"),
        "web_to_phone": ("appels après un échec en ligne", "calls after a failure online"),
        "long_wait": ("longues attentes", "long waits"),
        "dead_end": ("parcours sans issue", "dead ends"),
        "loop": ("boucles", "loops"),
    }
    french, english = names.get(str(top["indicator"]), (top["indicator"], top["indicator"]))
    details: dict[str, Any] = {"share": float(top["share"])}
    return [
        Finding(
            "friction",
            "journeys",
            {
                "fr": f"Friction la plus fréquente : {french}, dans {fr.share(top['share'], 1)} "
                "des parcours.",
                "en": f"Most frequent friction: {english}, in {en.share(top['share'], 1)} of "
                "journeys.",
            },
            run.source(
                "journeys_friction", f"dimension = all, indicator = {top['indicator']}: share"
            ),
            details,
        )
    ]


FINDERS: dict[str, Callable[[RunTables, Formatter, Formatter], list[Finding]]] = {
    "value": value_findings,
    "voice": voice_findings,
    "journeys": journeys_findings,
    "scorecard": scorecard_findings,
    "actions": actions_findings,
    "practices": practices_findings,
}


def all_findings(workspace: Workspace) -> tuple[list[Finding], dict[str, str | None]]:
    """Every finding of the latest runs, and the run id used per analysis (None: not run)."""
    fr, en = Formatter("fr"), Formatter("en")
    found: list[Finding] = []
    runs: dict[str, str | None] = {}
    for analysis, finder in FINDERS.items():
        run = latest_run(workspace, analysis)
        runs[analysis] = run.run_id if run else None
        if run is not None:
            found += finder(run, fr, en)
    return found, runs
