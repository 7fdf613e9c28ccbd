"""Chart labels in the reader's language.

The analyses draw their charts with English titles (they also go to files and notebooks);
the dashboard shows them in French by replacing each title, axis title and legend title it
knows, and by writing numbers the French way. Titles that carry a number are matched by a
pattern; a title it does not know stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

#: English chart words and their French translations.
FRENCH: dict[str, str] = {
    "Customer lifetime value: how many customers at each level": (
        "Valeur vie client : combien de clients à chaque niveau"
    ),
    "CLV (the last bar holds the top 1 %)": "valeur vie (la dernière barre regroupe le top 1 %)",
    "customers": "clients",
    "CLV": "valeur vie",
    "RFM segments: share of customers and of revenue": (
        "Segments RFM : part des clients et du chiffre d'affaires"
    ),
    "Retention by acquisition cohort (share of the cohort buying in each month)": (
        "Rétention par cohorte d'acquisition (part de la cohorte qui achète chaque mois)"
    ),
    "months since acquisition": "mois depuis l'acquisition",
    "cohort": "cohorte",
    "retention": "rétention",
    "share of customers, most valuable first": "part des clients, les plus précieux d'abord",
    "share of revenue": "part du chiffre d'affaires",
    "share": "part",
    "measure": "mesure",
    "segment": "segment",
    "Which step follows which: transitions between the busiest steps": (
        "Quelle étape suit laquelle : transitions entre les étapes les plus fréquentes"
    ),
    "step before": "étape précédente",
    "step after": "étape suivante",
    "transitions": "transitions",
    "Funnel: journeys reaching each step (share of those that started)": (
        "Entonnoir : parcours atteignant chaque étape (part de ceux qui ont commencé)"
    ),
    "journeys reaching the step": "parcours atteignant l'étape",
    "Frictions by team of the journey's first handled step (share of its journeys)": (
        "Frictions par équipe de la première étape traitée (part de ses parcours)"
    ),
    "share of journeys": "part des parcours",
    "journeys": "parcours",
    "indicator": "indicateur",
    "team": "équipe",
    "importance (relative weight: part of R²)": "importance (poids relatif : part du R²)",
    "performance (mean score, 0–1, of the answers that mention it)": (
        "performance (score moyen, 0–1, des réponses qui le citent)"
    ),
    "theme": "thème",
    "week": "semaine",
    "score": "score",
    "Driver tree": "Arbre de valeur",
    "Effect of the initiative": "Effet de l'initiative",
}
#: Titles that hold a number or a name: (pattern, French template).
FRENCH_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^How journeys begin: their first (\d+) steps$"),
        "Comment commencent les parcours : leurs {0} premières étapes",
    ),
    (
        re.compile(r"^Top (\d+) customers by CLV, with the interval of each estimate$"),
        "Les {0} clients de plus grande valeur, avec l'intervalle de chaque estimation",
    ),
]
NUMBERS = {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]}
_TITLED = ("title", "text")


def french(text: str) -> str:
    """The French words for an English chart label (the label itself when unknown)."""
    if text in FRENCH:
        return FRENCH[text]
    for pattern, template in FRENCH_PATTERNS:
        found = pattern.match(text)
        if found:
            return template.format(*found.groups())
    return text


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "data":
                out[key] = value  # the data's values are not labels
            elif key in _TITLED and isinstance(value, str):
                out[key] = french(value)
            elif key in _TITLED and isinstance(value, dict) and isinstance(value.get("text"), str):
                out[key] = {**value, "text": french(value["text"])}
            else:
                out[key] = _walk(value)
        return out
    if isinstance(node, list):
        return [_walk(item) for item in node]
    return node


def translate_spec(spec: dict[str, Any], language: str) -> dict[str, Any]:
    """A Vega-Lite spec with its labels and number format in ``language``."""
    if language != "fr":
        return spec
    translated: dict[str, Any] = _walk(spec)
    config = dict(translated.get("config") or {})
    config["locale"] = {**(config.get("locale") or {}), "number": NUMBERS}
    translated["config"] = config
    return translated
