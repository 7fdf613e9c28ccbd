"""The driver tree as a Vega-Lite chart: boxes for the nodes, lines for the formulas.

Plain specifications (dicts, data inline), like the other charts of the library: they render
in a notebook or a page, and to PNG/SVG/HTML offline through ``vl-convert``
(:func:`save`). With a scenario's node changes, each box also shows the change and is
coloured by its sign.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emptychair.chart_files import write_charts
from emptychair.errors import InvalidParameterError
from emptychair.impact.tree import DriverTree
from emptychair.value.charts import SCHEMA, Spec

FORMATS = ("html", "png", "svg", "json")
_BOX_WIDTH, _BOX_HEIGHT, _ROW_HEIGHT = 0.9, 0.62, 1.0


def _layout(tree: DriverTree) -> dict[str, tuple[float, int]]:
    """A tidy layout: leaves side by side in order, each parent above the middle of its
    children, one row per depth."""
    children = {
        name: [c for c in node.children if c in tree.nodes] for name, node in tree.nodes.items()
    }
    parents = {c for kids in children.values() for c in kids}
    place: dict[str, tuple[float, int]] = {}
    next_leaf = [0.0]

    def visit(name: str, depth: int) -> float:
        kids = children[name]
        if not kids:
            x = next_leaf[0]
            next_leaf[0] += 1
        else:
            xs = [visit(kid, depth + 1) for kid in kids]
            x = (min(xs) + max(xs)) / 2
        place[name] = (x, depth)
        return x

    for root in (n for n in tree.nodes if n not in parents):
        visit(root, 0)
        next_leaf[0] += 0.5
    return place


def shown(value: float, unit: str, signed: bool = False) -> str:
    """A value for people: rates in %, changes of rates in points, small changes with
    three significant digits rather than rounded to zero."""
    sign = "+" if signed else ""
    if unit == "rate" and not signed:
        return f"{value:.1%}"
    number, suffix = (value * 100, " pt") if unit == "rate" else (value, "")
    if abs(number) >= 1000:
        return f"{number:{sign},.0f}{suffix}"
    if abs(number) >= 1 or (unit == "currency" and not signed):
        return f"{number:{sign},.2f}{suffix}"
    return f"{number:{sign},.3g}{suffix}"


def _moved(change: float | None, value: float) -> bool:
    """A change larger than the rounding noise of the computation."""
    return change is not None and abs(change) > 1e-9 * max(abs(value), 1.0)


def tree_chart(
    tree: DriverTree, changes: Mapping[str, float] | None = None, title: str | None = None
) -> Spec:
    """The tree, with each node's value (and its change under a scenario, when given)."""
    place = _layout(tree)
    rows, edges = [], []
    for name, node in tree.nodes.items():
        x, depth = place[name]
        change = None if changes is None else float(changes.get(name, 0.0))
        moved = _moved(change, node.value)
        rows.append(
            {
                "node": name,
                "label": node.label,
                "value": shown(node.value, node.unit),
                "change": shown(change, node.unit, signed=True) if moved and change else "",
                "direction": "none"
                if not moved or not change
                else ("up" if change > 0 else "down"),
                "source": node.source,
                "x": x - _BOX_WIDTH / 2,
                "x2": x + _BOX_WIDTH / 2,
                "xc": x,
                "y": depth * _ROW_HEIGHT,
                "y2": depth * _ROW_HEIGHT + _BOX_HEIGHT,
                "formula": node.formula or "",
            }
        )
        for child in node.children:
            if child in place:
                edges.append(
                    {
                        "x": x,
                        "y": depth * _ROW_HEIGHT + _BOX_HEIGHT,
                        "x2": place[child][0],
                        "y2": place[child][1] * _ROW_HEIGHT,
                    }
                )
    width = max(p[0] for p in place.values()) + 1
    depth = max(p[1] for p in place.values()) + 1
    x_scale: Spec = {"domain": [-0.6, width - 0.4]}
    y_scale: Spec = {"domain": [-0.2, depth * _ROW_HEIGHT], "reverse": True}
    plain: Spec = {"axis": None, "title": None}
    x_axis: Spec = {"type": "quantitative", "scale": x_scale, **plain}
    y_axis: Spec = {"type": "quantitative", "scale": y_scale, **plain}
    colours = {"domain": ["none", "up", "down"], "range": ["#eef2f7", "#c9ead2", "#f6cfcf"]}

    def text(field: str, offset: float, **mark: Any) -> Spec:
        return {
            "data": {"values": rows},
            "transform": [{"calculate": f"datum.y + {offset}", "as": "ty"}],
            "mark": {"type": "text", "baseline": "middle", "fontSize": 10, **mark},
            "encoding": {
                "x": {"field": "xc", **x_axis},
                "y": {"field": "ty", **y_axis},
                "text": {"field": field},
            },
        }

    return {
        "$schema": SCHEMA,
        "title": title
        or f"Driver tree, {tree.period}" + (f", {tree.segment}" if tree.segment else ""),
        "width": int(95 * width),
        "height": int(95 * depth),
        "layer": [
            {
                "data": {"values": edges},
                "mark": {"type": "rule", "color": "#8a94a6"},
                "encoding": {
                    "x": {"field": "x", **x_axis},
                    "y": {"field": "y", **y_axis},
                    "x2": {"field": "x2"},
                    "y2": {"field": "y2"},
                },
            },
            {
                "data": {"values": rows},
                "mark": {"type": "rect", "stroke": "#5b6b82", "cornerRadius": 3, "tooltip": True},
                "encoding": {
                    "x": {"field": "x", **x_axis},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", **y_axis},
                    "y2": {"field": "y2"},
                    "color": {
                        "field": "direction",
                        "type": "nominal",
                        "scale": colours,
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "label"},
                        {"field": "value"},
                        {"field": "change"},
                        {"field": "formula"},
                        {"field": "source"},
                    ],
                },
            },
            text("label", 0.14, fontWeight="bold", limit=88),
            text("value", 0.32),
            text("change", 0.5, color="#3a3f4b"),
        ],
    }


def save(spec: Spec, path: str | Path) -> Path:
    """Write the chart to ``path``: HTML (the spec with Vega-Embed, offline when
    ``vl-convert`` can bundle it), PNG, SVG or the JSON spec, by the file's extension."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidParameterError(f"chart file {str(target)!r}: use .html, .png, .svg or .json")
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        import vl_convert

        target.write_text(vl_convert.vegalite_to_html(spec, bundle=True), encoding="utf-8")
        return target
    return write_charts({target.stem: spec}, target.parent, fmt)[0]


def chart_data(spec: Spec) -> pd.DataFrame:
    """The node rows of a tree chart (for tests and tables)."""
    return pd.DataFrame(spec["layer"][1]["data"]["values"])
