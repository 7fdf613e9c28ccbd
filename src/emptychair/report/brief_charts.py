"""The brief's charts, labelled in the reader's language (Vega-Lite specs, rendered to SVG)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from emptychair.report.findings import RunTables

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
Spec = dict[str, Any]
LABELS = {
    "pareto": {
        "fr": (
            "Concentration de la valeur",
            "part des clients (les plus précieux d'abord)",
            "part du chiffre d'affaires",
        ),
        "en": (
            "How concentrated value is",
            "share of customers (most valuable first)",
            "share of revenue",
        ),
    },
    "nps": {
        "fr": ("NPS par mois, avec son intervalle à 95 %", "mois", "NPS"),
        "en": ("NPS by month, with its 95% interval", "month", "NPS"),
    },
    "irritants": {
        "fr": ("Premiers irritants : part des verbatims", "part des verbatims", "thème"),
        "en": ("Top irritants: share of verbatims", "share of verbatims", "theme"),
    },
}
_NUMBERS = {
    "fr": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]}
}


def _spec(title: str, data: pd.DataFrame, language: str, **body: Any) -> Spec:
    values = data.replace({np.nan: None}).to_dict("records")
    spec: Spec = {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": values},
        "width": 300,
        "height": 170,
        "config": {"font": "Helvetica, Arial, sans-serif", "view": {"stroke": None}},
        **body,
    }
    if language in _NUMBERS:
        spec["config"]["locale"] = {"number": _NUMBERS[language]}
    return spec


def pareto(run: RunTables, language: str) -> Spec | None:
    curve = run.table("value_concentration")
    if curve.empty:
        return None
    title, x, y = LABELS["pareto"][language]
    return _spec(
        title,
        curve.sort_values("share_of_customers"),
        language,
        mark={"type": "area", "line": True, "opacity": 0.3, "color": "#1f5f8b"},
        encoding={
            "x": {
                "field": "share_of_customers",
                "type": "quantitative",
                "title": x,
                "axis": {"format": ".0%"},
            },
            "y": {
                "field": "share_of_revenue",
                "type": "quantitative",
                "title": y,
                "axis": {"format": ".0%"},
            },
        },
    )


def nps_trend(run: RunTables, language: str) -> Spec | None:
    scores = run.table("voice_scores")
    if scores.empty:
        return None
    monthly = scores[
        (scores["kind"] == "nps") & (scores["dimension"] == "month") & ~scores["small_group"]
    ]
    if monthly.empty:
        return None
    monthly = monthly.assign(month=pd.to_datetime(monthly["period_start"]).dt.strftime("%Y-%m-%d"))
    title, x, y = LABELS["nps"][language]
    axis_x = {
        "field": "month",
        "type": "temporal",
        "title": x,
        "axis": {"format": "%m/%Y", "tickCount": 6, "labelOverlap": True},
    }
    return _spec(
        title,
        monthly[["month", "score", "low", "high"]].sort_values("month"),
        language,
        layer=[
            {
                "mark": {"type": "area", "opacity": 0.2, "color": "#1f5f8b"},
                "encoding": {
                    "x": axis_x,
                    "y": {"field": "low", "type": "quantitative", "title": y},
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "point": True, "color": "#1f5f8b"},
                "encoding": {"x": axis_x, "y": {"field": "score", "type": "quantitative"}},
            },
        ],
    )


def irritants(run: RunTables, language: str, top: int = 6) -> Spec | None:
    table = run.table("voice_irritants")
    if table.empty:
        return None
    themes = run.table("voice_themes")
    labels = (
        dict(zip(themes["theme"], themes[f"label_{language}"], strict=True)) if len(themes) else {}
    )
    ranked = table[table["rank"].notna()].sort_values("rank").head(top)
    ranked = ranked.assign(label=ranked["theme"].map(lambda t: labels.get(t, t)))
    title, x, y = LABELS["irritants"][language]
    return _spec(
        title,
        ranked[["label", "frequency"]],
        language,
        mark={"type": "bar", "color": "#b5473a"},
        encoding={
            "y": {"field": "label", "type": "nominal", "sort": "-x", "title": y},
            "x": {
                "field": "frequency",
                "type": "quantitative",
                "title": x,
                "axis": {"format": ".0%"},
            },
        },
    )
