"""Vega-Lite charts of the journeys (plain specs with their data inline, no rendering here).

* :func:`transitions_heatmap`: the directly-follows graph as a matrix, step before × step
  after, coloured by the number of transitions;
* :func:`first_steps_sankey`: the flows of the first steps. Vega-Lite has no Sankey mark:
  the layout (node positions, link bands and their curves) is computed here and drawn with
  ``rect`` (nodes), ``area`` (links) and ``text`` marks;
* :func:`funnel_bars`: journeys reaching each step of a funnel, with the conversion;
* :func:`friction_by_team`: the share of journeys with each friction, per team;
* :func:`satisfaction_by_touchpoint`: a score per touchpoint with its interval.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from emptychair.journeys.flows import END
from emptychair.value.charts import SCHEMA, Spec, _spec

NODE_WIDTH = 0.06
CURVE_POINTS = 24
SCORE_TITLES = {
    "nps": "NPS (points)",
    "csat": "CSAT (share of the top two points)",
    "ces": "CES (mean, 1–7, higher is easier)",
    "sentiment": "verbatim sentiment (−1 to 1)",
}


def transitions_heatmap(graph: pd.DataFrame, top: int = 15) -> Spec:
    """Which step follows which: the ``top`` busiest steps, transitions as colour and text.

    ``graph`` is :func:`~emptychair.journeys.directly_follows` (or the stored
    ``journeys_graph``).
    """
    weight = (
        pd.concat(
            [
                graph.groupby("source")["transitions"].sum(),
                graph.groupby("target")["transitions"].sum(),
            ]
        )
        .groupby(level=0)
        .sum()
    )
    busiest = list(weight.sort_values(ascending=False).index[:top])
    frame = graph[graph["source"].isin(busiest) & graph["target"].isin(busiest)]
    frame = frame[["source", "target", "transitions", "median_s"]].assign(
        median_h=(frame["median_s"] / 3600).round(2)
    )
    axis = {"type": "nominal", "sort": busiest}
    colour = {
        "field": "transitions",
        "type": "quantitative",
        "scale": {"scheme": "blues", "type": "log"},
        "title": "transitions",
    }
    return _spec(
        "Which step follows which: transitions between the busiest steps",
        frame,
        height=22 * len(busiest),
        width=22 * len(busiest),
        encoding={
            "x": {**axis, "field": "target", "title": "step after", "axis": {"labelAngle": -45}},
            "y": {**axis, "field": "source", "title": "step before"},
        },
        layer=[
            {
                "mark": {"type": "rect", "tooltip": True},
                "encoding": {"color": colour},
            },
            {
                "mark": {"type": "text", "fontSize": 8},
                "encoding": {
                    "text": {"field": "transitions", "type": "quantitative", "format": ",d"},
                    "color": {
                        "condition": {
                            "test": f"datum.transitions > {_dark_threshold(frame)}",
                            "value": "white",
                        },
                        "value": "black",
                    },
                },
            },
        ],
    )


def _dark_threshold(frame: pd.DataFrame) -> float:
    values = frame["transitions"].to_numpy(dtype=float)
    if not len(values):
        return 0.0
    # on a log colour scale, the upper third of the range is dark
    low, high = np.log(max(values.min(), 1)), np.log(max(values.max(), 1))
    return float(np.exp(low + 2 * (high - low) / 3))


Link = tuple[int, str, str, int]


def _links(flows: pd.DataFrame) -> list[Link]:
    """``(step, source, target, journeys)`` of each row of a flows table."""
    return list(
        zip(
            flows["step"].astype(int).tolist(),
            flows["source"].astype(str).tolist(),
            flows["target"].astype(str).tolist(),
            flows["journeys"].astype(int).tolist(),
            strict=True,
        )
    )


def _node_positions(
    links: list[Link], padding: float
) -> tuple[list[dict[str, Any]], dict[tuple[int, str], float], float]:
    """Nodes stacked per column, largest first: their rows, their tops, and the height."""
    size: dict[tuple[int, str], int] = defaultdict(int)
    last = max((step for step, *_ in links), default=0)
    for step, source, target, journeys in links:
        size[(step - 1, source)] += journeys
        if step == last and target != END:
            size[(last, target)] += journeys
    nodes: list[dict[str, Any]] = []
    position: dict[tuple[int, str], float] = {}
    top = 0.0
    for column in sorted({column for column, _ in size}):
        ranked = sorted(
            ((name, n) for (c, name), n in size.items() if c == column), key=lambda x: (-x[1], x[0])
        )
        y = 0.0
        for name, n in ranked:
            position[(column, name)] = y
            nodes.append({"column": column, "activity": name, "y0": y, "y1": y + n, "journeys": n})
            y += n + padding
        top = max(top, y - padding)
    return nodes, position, top


def _sankey_layout(flows: pd.DataFrame, padding: float) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """Nodes (column, activity, y0, y1, journeys) and link curves of a Sankey."""
    links = _links(flows)
    nodes, position, top = _node_positions(links, padding)
    drawn = sorted(
        (link for link in links if link[2] != END),
        key=lambda link: (link[0], position[(link[0] - 1, link[1])], position[(link[0], link[2])]),
    )
    out_used: dict[tuple[int, str], float] = defaultdict(float)
    in_used: dict[tuple[int, str], float] = defaultdict(float)
    curves = []
    t = np.linspace(0.0, 1.0, CURVE_POINTS)
    ease = 3 * t**2 - 2 * t**3
    for number, (step, source_name, target_name, journeys) in enumerate(drawn):
        source, target = (step - 1, source_name), (step, target_name)
        start = position[source] + out_used[source]
        end = position[target] + in_used[target]
        out_used[source] += journeys
        in_used[target] += journeys
        x0, x1 = source[0] + NODE_WIDTH, target[0]
        for ti, ei in zip(t.tolist(), ease.tolist(), strict=True):
            y = start + (end - start) * ei
            curves.append(
                {
                    "link": number,
                    "x": x0 + (x1 - x0) * ti,
                    "y": y,
                    "y2": y + journeys,
                    "source": source_name,
                    "target": target_name,
                    "journeys": journeys,
                }
            )
    return pd.DataFrame(nodes), pd.DataFrame(curves), top


def first_steps_sankey(flows: pd.DataFrame, title: str | None = None) -> Spec:
    """A Sankey diagram of the first steps of the journeys.

    ``flows`` is :func:`~emptychair.journeys.flows.first_step_flows` (or the stored
    ``journeys_flows``). Each column is a step (1st, 2nd, ...); a node's height is the
    number of journeys at that step with that activity; a band joins two nodes with the
    journeys that went from one to the other. Journeys that stop are not drawn further.
    """
    total = float(flows.loc[flows["step"] == 1, "journeys"].sum()) if len(flows) else 0.0
    nodes, curves, top = _sankey_layout(flows, padding=max(total * 0.02, 1.0))
    labelled = nodes[nodes["journeys"] >= 0.015 * max(total, 1.0)] if len(nodes) else nodes
    labelled = labelled.assign(
        label=[
            f"{a} ({n:,})" for a, n in zip(labelled["activity"], labelled["journeys"], strict=True)
        ]
        if len(labelled)
        else [],
        x=labelled["column"] + NODE_WIDTH + 0.02 if len(labelled) else [],
        y=(labelled["y0"] + labelled["y1"]) / 2 if len(labelled) else [],
    )
    columns = int(nodes["column"].max()) + 1 if len(nodes) else 1
    x = {"type": "quantitative", "axis": None, "scale": {"domain": [0, columns - 1 + 0.9]}}
    y = {"type": "quantitative", "axis": None, "scale": {"domain": [0, top], "reverse": True}}
    colour = {"type": "nominal", "legend": None, "scale": {"scheme": "tableau20"}}

    def values(frame: pd.DataFrame) -> dict[str, Any]:
        return {"values": frame.replace({np.nan: None}).to_dict("records")}

    return {
        "$schema": SCHEMA,
        "title": title or f"How journeys begin: their first {columns} steps",
        "width": 200 * columns,
        "height": 420,
        "view": {"stroke": None},
        "layer": [
            {
                "data": values(curves),
                "mark": {"type": "area", "opacity": 0.35, "interpolate": "linear", "tooltip": True},
                "encoding": {
                    "x": {**x, "field": "x"},
                    "y": {**y, "field": "y"},
                    "y2": {"field": "y2"},
                    "detail": {"field": "link", "type": "nominal"},
                    "color": {**colour, "field": "source"},
                    "tooltip": [
                        {"field": "source"},
                        {"field": "target"},
                        {"field": "journeys", "format": ","},
                    ],
                },
            },
            {
                "data": values(nodes),
                "mark": {"type": "rect", "tooltip": True},
                "encoding": {
                    "x": {**x, "field": "column"},
                    "x2": {"field": "x_end"},
                    "y": {**y, "field": "y0"},
                    "y2": {"field": "y1"},
                    "color": {**colour, "field": "activity"},
                },
                "transform": [{"calculate": f"datum.column + {NODE_WIDTH}", "as": "x_end"}],
            },
            {
                "data": values(labelled),
                "mark": {"type": "text", "align": "left", "fontSize": 9},
                "encoding": {
                    "x": {**x, "field": "x"},
                    "y": {**y, "field": "y"},
                    "text": {"field": "label"},
                },
            },
        ],
    }


def funnel_bars(funnel: pd.DataFrame, title: str | None = None) -> Spec:
    """Journeys reaching each step of a funnel, labelled with the conversion from the start.

    ``funnel`` is :func:`~emptychair.journeys.funnels.funnel` without ``by``.
    """
    frame = funnel[["step", "activity", "journeys", "conversion_from_start", "dropped"]].copy()
    frame["label"] = [
        f"{n:,} ({c:.0%})"
        for n, c in zip(frame["journeys"], frame["conversion_from_start"], strict=True)
    ]
    frame["name"] = [f"{s}. {a}" for s, a in zip(frame["step"], frame["activity"], strict=True)]
    y = {"field": "name", "type": "nominal", "sort": list(frame["name"]), "title": None}
    x = {"field": "journeys", "type": "quantitative", "title": "journeys reaching the step"}
    return _spec(
        title or "Funnel: journeys reaching each step (share of those that started)",
        frame,
        height=40 * len(frame),
        layer=[
            {
                "mark": {"type": "bar", "tooltip": True, "color": "#4c78a8"},
                "encoding": {"x": x, "y": y},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4},
                "encoding": {"x": x, "y": y, "text": {"field": "label"}},
            },
        ],
    )


def friction_by_team(friction: pd.DataFrame) -> Spec:
    """Share of journeys with each friction, per team of the journey's first handled step.

    ``friction`` is the stored ``journeys_friction`` (its ``team`` rows are drawn; journeys
    no team handled are left out).
    """
    frame = friction[(friction["dimension"] == "team") & (friction["group_value"] != "(none)")]
    frame = frame[["group_value", "indicator", "share", "flagged", "journeys"]].rename(
        columns={"group_value": "team"}
    )
    return _spec(
        "Frictions by team of the journey's first handled step (share of its journeys)",
        frame,
        height=260,
        width=120,
        mark={"type": "bar", "tooltip": True},
        encoding={
            "column": {"field": "indicator", "type": "nominal", "title": None},
            "x": {"field": "team", "type": "nominal", "title": None, "axis": {"labelAngle": -45}},
            "y": {
                "field": "share",
                "type": "quantitative",
                "title": "share of journeys",
                "axis": {"format": "%"},
            },
            "color": {"field": "team", "type": "nominal", "legend": None},
        },
    )


def satisfaction_by_touchpoint(
    satisfaction: pd.DataFrame, kind: str = "csat", dimension: str = "touchpoint", top: int = 20
) -> Spec:
    """One score per touchpoint (or variant), with its interval; small groups left out.

    ``satisfaction`` is :func:`~emptychair.journeys.satisfaction.satisfaction_map` (or the
    stored ``journeys_satisfaction``).
    """
    rows = satisfaction[
        (satisfaction["dimension"] == dimension)
        & (satisfaction["kind"] == kind)
        & ~satisfaction["small_group"].astype(bool)
    ]
    frame = rows.nlargest(top, "responses")[["group_value", "responses", "score", "low", "high"]]
    y = {
        "field": "group_value",
        "type": "nominal",
        "sort": {"field": "score", "order": "descending"},
        "title": None,
    }
    x = {"field": "score", "type": "quantitative", "title": SCORE_TITLES.get(kind, kind)}
    return _spec(
        f"{SCORE_TITLES.get(kind, kind)} by {dimension}, with its 95 % interval",
        frame,
        height=22 * max(len(frame), 1),
        layer=[
            {
                "mark": "rule",
                "encoding": {"y": y, "x": {**x, "field": "low"}, "x2": {"field": "high"}},
            },
            {
                "mark": {"type": "point", "filled": True, "tooltip": True},
                "encoding": {"y": y, "x": x},
            },
        ],
    )
