"""Vega-Lite charts of a value run: plain specifications (dicts), no rendering here.

Each function takes the small result frames of a run and returns a Vega-Lite spec with
its data inline, so the same chart renders in a report (PNG/SVG via ``vl-convert``), a
notebook or a web page.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
Spec = dict[str, Any]


def _spec(title: str, data: pd.DataFrame, **body: Any) -> Spec:
    values = data.replace({np.nan: None}).to_dict("records")
    return {"$schema": SCHEMA, "title": title, "data": {"values": values}, "width": 520, **body}


def clv_distribution(customers: pd.DataFrame, bins: int = 40) -> Spec:
    """Histogram of CLV; the top 1 % share the last bar so the bulk stays readable."""
    clv = customers["clv"].to_numpy(dtype=float)
    top = float(np.quantile(clv, 0.99)) if len(clv) else 0.0
    edges = np.linspace(0.0, max(top, 1e-9), bins + 1)
    counts, _ = np.histogram(np.clip(clv, 0, top), bins=edges)
    frame = pd.DataFrame({"from": edges[:-1], "to": edges[1:], "customers": counts})
    return _spec(
        "Customer lifetime value: how many customers at each level",
        frame,
        height=260,
        mark={"type": "bar", "tooltip": True},
        encoding={
            "x": {
                "field": "from",
                "type": "quantitative",
                "bin": {"binned": True},
                "title": "CLV (the last bar holds the top 1 %)",
            },
            "x2": {"field": "to"},
            "y": {"field": "customers", "type": "quantitative", "title": "customers"},
        },
    )


def clv_intervals(customers: pd.DataFrame, top: int = 25) -> Spec:
    """The most valuable customers with the interval of their CLV."""
    frame = customers.nlargest(top, "clv")[["customer_id", "clv", "clv_lower", "clv_upper"]]
    axis = {
        "field": "customer_id",
        "type": "nominal",
        "sort": {"field": "clv", "order": "descending"},
        "title": None,
    }
    return _spec(
        f"Top {len(frame)} customers by CLV, with the interval of each estimate",
        frame,
        height=14 * len(frame),
        layer=[
            {
                "mark": "rule",
                "encoding": {
                    "y": axis,
                    "x": {"field": "clv_lower", "type": "quantitative", "title": "CLV"},
                    "x2": {"field": "clv_upper"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "tooltip": True},
                "encoding": {"y": axis, "x": {"field": "clv", "type": "quantitative"}},
            },
        ],
    )


def lorenz_curve(curve: pd.DataFrame) -> Spec:
    """Share of revenue made by the most valuable share of customers."""
    diagonal = pd.DataFrame({"share_of_customers": [0.0, 1.0], "share_of_revenue": [0.0, 1.0]})
    x = {
        "field": "share_of_customers",
        "type": "quantitative",
        "axis": {"format": "%"},
        "title": "share of customers, most valuable first",
    }
    y = {
        "field": "share_of_revenue",
        "type": "quantitative",
        "axis": {"format": "%"},
        "title": "share of revenue",
    }
    spec = _spec("Concentration of revenue (Pareto curve)", curve, height=320)
    spec["layer"] = [
        {"mark": {"type": "line", "tooltip": True}, "encoding": {"x": x, "y": y}},
        {
            "data": {"values": diagonal.to_dict("records")},
            "mark": {"type": "line", "strokeDash": [4, 4], "color": "gray"},
            "encoding": {"x": x, "y": y},
        },
    ]
    return spec


def segments(summary: pd.DataFrame) -> Spec:
    """Customers and revenue of each RFM segment, side by side."""
    long = summary.melt(
        id_vars="segment",
        value_vars=["share_of_customers", "share_of_revenue"],
        var_name="measure",
        value_name="share",
    )
    long["measure"] = long["measure"].str.replace("share_of_", "", regex=False)
    return _spec(
        "RFM segments: share of customers and of revenue",
        long,
        height=300,
        mark={"type": "bar", "tooltip": True},
        encoding={
            "y": {
                "field": "segment",
                "type": "nominal",
                "sort": list(summary["segment"]),
                "title": None,
            },
            "x": {"field": "share", "type": "quantitative", "axis": {"format": "%"}},
            "yOffset": {"field": "measure"},
            "color": {"field": "measure", "type": "nominal", "title": None},
        },
    )


def cohort_retention(cohorts: pd.DataFrame) -> Spec:
    """Retention of each monthly acquisition cohort, month after month."""
    frame = cohorts[["cohort", "periods_since_acquisition", "retention"]].dropna()
    frame = frame.assign(cohort=pd.to_datetime(frame["cohort"]).dt.strftime("%Y-%m"))
    return _spec(
        "Retention by acquisition cohort (share of the cohort buying in each month)",
        frame,
        height=max(200, 12 * frame["cohort"].nunique()),
        mark={"type": "rect", "tooltip": True},
        encoding={
            "x": {
                "field": "periods_since_acquisition",
                "type": "ordinal",
                "title": "months since acquisition",
            },
            "y": {"field": "cohort", "type": "ordinal", "title": "cohort"},
            "color": {
                "field": "retention",
                "type": "quantitative",
                "title": "retention",
                "legend": {"format": "%"},
            },
        },
    )


def tracking(weeks: pd.DataFrame, calibration_end: str) -> Spec:
    """Cumulative repeat purchases, actual and predicted, week by week; the model was
    fitted without the weeks right of the dashed line."""
    long = weeks.melt(
        id_vars="week_ending",
        value_vars=["actual", "predicted"],
        var_name="series",
        value_name="repeat purchases",
    )
    long["week_ending"] = pd.to_datetime(long["week_ending"]).dt.strftime("%Y-%m-%d")
    spec = _spec("Model check: cumulative repeat purchases, actual and predicted", long, height=300)
    spec["layer"] = [
        {
            "mark": {"type": "line", "tooltip": True},
            "encoding": {
                "x": {"field": "week_ending", "type": "temporal", "title": None},
                "y": {"field": "repeat purchases", "type": "quantitative"},
                "color": {"field": "series", "type": "nominal", "title": None},
            },
        },
        {
            "data": {"values": [{"calibration_end": calibration_end}]},
            "mark": {"type": "rule", "strokeDash": [4, 4], "color": "gray"},
            "encoding": {"x": {"field": "calibration_end", "type": "temporal"}},
        },
    ]
    return spec
