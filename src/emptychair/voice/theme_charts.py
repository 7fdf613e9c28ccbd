"""Vega-Lite charts of a voice run's scores, themes and irritants (plain specs, no rendering).

Like the value charts, each function takes small result frames and returns a spec with
its data inline, for reports (PNG/SVG), notebooks and pages.
"""

from __future__ import annotations

import pandas as pd

from emptychair.value.charts import Spec, _spec

SCORE_TITLES = {"nps": "NPS", "csat": "CSAT (share 4–5 on 5)", "ces": "CES (mean on 7)"}


def score_trend(scores: pd.DataFrame, kind: str) -> Spec:
    """The monthly score with its interval; small months drawn hollow."""
    monthly = scores[(scores["kind"] == kind) & (scores["dimension"] == "month")].copy()
    monthly["month"] = pd.to_datetime(monthly["period_start"]).dt.strftime("%Y-%m-01")
    monthly = monthly[["month", "score", "low", "high", "responses", "small_group"]]
    x = {"field": "month", "type": "temporal", "title": None}
    return _spec(
        f"{SCORE_TITLES[kind]} per month, with its interval",
        monthly,
        height=240,
        layer=[
            {
                "mark": {"type": "area", "opacity": 0.25},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "title": SCORE_TITLES[kind]},
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "point": {"filled": True}, "tooltip": True},
                "encoding": {"x": x, "y": {"field": "score", "type": "quantitative"}},
            },
        ],
    )


def theme_sentiment(themes: pd.DataFrame, language: str = "en") -> Spec:
    """Positive and negative mentions of each theme, side by side from a zero line."""
    label = f"label_{language}" if f"label_{language}" in themes else "theme"
    rows = []
    for record in themes.to_dict("records"):
        rows.append({"theme": record[label], "side": "negative", "mentions": -record["negative"]})
        rows.append({"theme": record[label], "side": "positive", "mentions": record["positive"]})
    frame = pd.DataFrame(rows, columns=["theme", "side", "mentions"])
    order = themes.sort_values("mentions", ascending=False)[label].tolist()
    return _spec(
        "What customers talk about, and how they feel about it",
        frame,
        height={"step": 18},
        mark={"type": "bar", "tooltip": True},
        encoding={
            "y": {"field": "theme", "type": "nominal", "sort": order, "title": None},
            "x": {"field": "mentions", "type": "quantitative", "title": "mentions"},
            "color": {
                "field": "side",
                "type": "nominal",
                "scale": {"domain": ["negative", "positive"], "range": ["#c0392b", "#27ae60"]},
                "title": None,
            },
        },
    )


def irritant_ranking(irritants: pd.DataFrame, labels: dict[str, str] | None = None) -> Spec:
    """Irritants by priority (frequency × impact), coloured by the value at risk."""
    frame = irritants[~irritants["small"].astype(bool)].copy()
    frame["theme"] = frame["theme"].map(lambda t: (labels or {}).get(t, t))
    frame = frame[["theme", "priority", "frequency", "impact", "value_at_risk", "customers"]]
    colour = (
        {"field": "value_at_risk", "type": "quantitative", "title": "value at risk"}
        if frame["value_at_risk"].notna().any()
        else {"value": "#c0392b"}
    )
    return _spec(
        "Irritants: score points lost across all answers (frequency × impact)",
        frame,
        height={"step": 18},
        mark={"type": "bar", "tooltip": True},
        encoding={
            "y": {"field": "theme", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "priority", "type": "quantitative", "title": "priority"},
            "color": colour,
        },
    )
