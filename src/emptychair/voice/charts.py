"""Vega-Lite charts of key drivers and weekly alerts (plain specs, no rendering).

Like the value charts, each function takes small result frames and returns a spec with
its data inline, for reports (PNG/SVG via ``vl-convert``), notebooks and pages.
"""

from __future__ import annotations

import pandas as pd

from emptychair.value.charts import Spec, _spec
from emptychair.voice.drivers import QUADRANTS, quadrant_thresholds

QUADRANT_COLOURS = {
    "fix first": "#d62728",
    "keep": "#2ca02c",
    "monitor": "#ff7f0e",
    "low priority": "#7f7f7f",
}


def drivers_quadrant(
    table: pd.DataFrame,
    title: str = "What moves the score: importance and performance of each driver",
) -> Spec:
    """Importance × performance of the ranked drivers, with their intervals and the quadrants.

    ``table`` is :attr:`DriverAnalysis.table <emptychair.voice.drivers.DriverAnalysis>`;
    drivers flagged ``small`` are left out. The dashed rules are the means that split the
    quadrants (:func:`~emptychair.voice.drivers.quadrant_thresholds`); the bars are the
    bootstrap intervals of the weights.
    """
    importance, performance = quadrant_thresholds(table)
    columns = ["driver", "weight", "low", "high", "share", "effect", "mentions", "performance"]
    frame = table.loc[~table["small"].astype(bool), [*columns, "quadrant"]]
    frame = frame.loc[frame["performance"].notna()]
    x = {
        "field": "weight",
        "type": "quantitative",
        "title": "importance (relative weight: part of R²)",
    }
    y = {
        "field": "performance",
        "type": "quantitative",
        "title": "performance (mean score, 0–1, of the answers that mention it)",
        "scale": {"zero": False},
    }
    colour = {
        "field": "quadrant",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(QUADRANTS.values()), "range": list(QUADRANT_COLOURS.values())},
    }
    layers: list[Spec] = [
        {
            "mark": {"type": "rule", "opacity": 0.5},
            "encoding": {"x": {**x, "field": "low"}, "x2": {"field": "high"}, "y": y},
        },
        {
            "mark": {"type": "point", "filled": True, "size": 70, "tooltip": True},
            "encoding": {"x": x, "y": y, "color": colour},
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 6, "dy": -6, "fontSize": 10},
            "encoding": {"x": x, "y": y, "text": {"field": "driver"}},
        },
        {
            "mark": {"type": "rule", "strokeDash": [4, 4], "color": "gray"},
            "encoding": {"x": {"datum": importance}},
        },
        {
            "mark": {"type": "rule", "strokeDash": [4, 4], "color": "gray"},
            "encoding": {"y": {"datum": performance}},
        },
    ]
    return _spec(title, frame, height=360, layer=layers)


def alerts_chart(tests: pd.DataFrame, metric: str | None = None) -> Spec:
    """One metric week by week, the weeks whose change raised an alert marked in red.

    ``tests`` is the table of :func:`~emptychair.voice.alerts.weekly_tests`; ``metric``
    defaults to the most significant alert's metric (or the first metric when none is raised).
    """
    if metric is None:
        raised = tests.loc[tests["raised"].astype(bool)].sort_values("q_value")
        metric = str((raised if len(raised) else tests)["metric"].iloc[0])
    frame = tests.loc[tests["metric"] == metric, ["week", "current", "responses", "raised"]]
    frame = frame.assign(
        week=pd.to_datetime(frame["week"]).dt.strftime("%Y-%m-%d"),
        alert=frame["raised"].map({True: "significant change", False: "no alert"}),
    ).drop(columns="raised")
    x = {"field": "week", "type": "temporal", "title": "week (starting Monday)"}
    y = {"field": "current", "type": "quantitative", "title": metric, "scale": {"zero": False}}
    return _spec(
        f"{metric} week by week; a red point is a significant change from the week before",
        frame,
        height=240,
        layer=[
            {"mark": {"type": "line", "color": "gray"}, "encoding": {"x": x, "y": y}},
            {
                "mark": {"type": "point", "filled": True, "size": 60, "tooltip": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "alert",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": ["no alert", "significant change"],
                            "range": ["#7f7f7f", "#d62728"],
                        },
                    },
                },
            },
        ],
    )
