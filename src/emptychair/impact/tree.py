"""The driver tree: from customer behaviour to money, as data.

Two branches, each an exact identity on the period's data (the product of the leaves is the
observed total, not a model of it):

.. math::
    \\text{revenue} = \\underbrace{(\\text{visitors} \\times \\text{conversion}
        + \\text{other buyers})}_{\\text{buyers}}
        \\times \\frac{\\text{orders}}{\\text{buyer}} \\times \\frac{\\text{items}}{\\text{order}}
        \\times \\frac{\\text{revenue}}{\\text{item}}

    \\text{value} = \\text{customers} \\times \\text{retention} \\times \\text{frequency}
        \\times \\text{basket} \\times \\text{margin rate}

*Customers* are those who ordered in the base period (the period of the same length just
before), *retention* the share of them who ordered again in the period, *frequency* their
orders per retained customer, *basket* their revenue per order and *margin rate* margin /
revenue: the value is the margin the returning customers brought in the period.

The customer lifetime value of those customers is :math:`\\text{value} \\times L`, with the
lifetime factor of a constant retention :math:`r` per period and a discount rate :math:`d`
per period, :math:`L = \\sum_{t \\ge 0} (r / (1 + d))^t = (1 + d) / (1 + d - r)` (Gupta &
Lehmann, 2003). When a customer-value run exists its CLV of the same customers sets the level
(the factor is rescaled so that :math:`\\text{value} \\times L` equals it) and the retention
only moves it.

Every quantity is computed from sums over customers (:func:`sums`), for one set of weights
or for many bootstrap resamples at once.

References
----------
Gupta, S., & Lehmann, D. R. (2003). Customers as assets. *Journal of Interactive
Marketing*, 17(1), 9-24.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from emptychair.impact.inputs import Inputs, months_between

Array = np.ndarray
Sums = dict[str, Array]

#: name, label, unit, formula, children (the funnel nodes only when visitors are known).
STRUCTURE: tuple[tuple[str, str, str, str | None, tuple[str, ...]], ...] = (
    ("revenue", "Revenue", "currency", "product",
     ("buyers", "orders_per_buyer", "items_per_order", "price_per_item")),
    ("buyers", "Buyers", "customers", "sum", ("funnel_buyers", "other_buyers")),
    ("funnel_buyers", "Web/app buyers", "customers", "product",
     ("visitors", "conversion")),
    ("visitors", "Web/app visitors", "visitors", None, ()),
    ("conversion", "Conversion", "rate", None, ()),
    ("other_buyers", "Other buyers", "customers", None, ()),
    ("orders_per_buyer", "Orders per buyer", "orders", None, ()),
    ("items_per_order", "Items per order", "items", None, ()),
    ("price_per_item", "Revenue per item", "currency", None, ()),
    ("clv", "CLV", "currency", "product", ("value", "lifetime_factor")),
    ("value", "Returning value", "currency", "product",
     ("customers", "retention", "frequency", "basket", "margin_rate")),
    ("customers", "Base customers", "customers", None, ()),
    ("retention", "Retention", "rate", None, ()),
    ("frequency", "Frequency", "orders", None, ()),
    ("basket", "Basket", "currency", None, ()),
    ("margin_rate", "Margin rate", "rate", None, ()),
    ("lifetime_factor", "Lifetime factor", "factor", None, ()),
)  # fmt: skip
NODES = tuple(row[0] for row in STRUCTURE)
FUNNEL = ("funnel_buyers", "visitors", "conversion")
SUM_NAMES = (
    *("visitors", "funnel_buyers", "buyers", "orders", "items", "revenue", "margin"),
    *("customers", "retained", "retained_orders", "retained_items", "retained_revenue"),
    *("retained_margin", "clv_model"),
)


def ratio(top: Array, bottom: Array) -> Array:
    """``top / bottom``, 0 where ``bottom`` is 0 (an empty scope has no average)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom != 0, top / np.where(bottom != 0, bottom, 1.0), 0.0)


def sums(
    customers: pd.DataFrame, other_visitors: Array | float, weights: Array | None = None
) -> Sums:
    """The sums the tree is made of, one value per row of ``weights`` (rows × customers)."""
    w = np.ones((1, len(customers))) if weights is None else np.atleast_2d(weights)
    buyer = customers["buyer"].to_numpy(bool)
    base = customers["base"].to_numpy(bool)
    retained = base & buyer
    amounts = customers[["orders", "items", "revenue", "margin"]].to_numpy(float)
    clv = customers["clv"].to_numpy(float)
    columns = np.column_stack(
        [
            customers["visitors"].to_numpy(float),
            customers["funnel"].to_numpy(float),
            buyer,
            amounts,
            base,
            retained,
            amounts * retained[:, None],
            np.where(base & np.isfinite(clv), clv, 0.0),
        ]
    )
    totals = w @ columns
    result = {name: totals[:, i] for i, name in enumerate(SUM_NAMES)}
    result["visitors"] = result["visitors"] + np.broadcast_to(other_visitors, totals.shape[:1])
    if not (base & np.isfinite(clv)).any():
        result["clv_model"] = np.full(totals.shape[0], np.nan)
    return result


def discount_per_period(inputs: Inputs) -> float:
    """The value run's monthly discount rate compounded over the period's length."""
    return float((1 + inputs.discount_rate) ** months_between(inputs.period) - 1)


def lifetime_factor(retention: Array, discount: float) -> Array:
    """:math:`(1 + d) / (1 + d - r)`: the discounted number of periods a customer stays."""
    return (1 + discount) / np.maximum(1 + discount - retention, 1e-9)


def calibration(totals: Sums, discount: float) -> Array:
    """How much the value run's CLV exceeds value × lifetime factor (1 without a run)."""
    values = node_values(totals, discount, np.ones_like(totals["revenue"]))
    model = totals["clv_model"]
    usable = np.isfinite(model) & (values["clv"] > 0)
    return np.where(usable, ratio(np.where(usable, model, 0.0), values["clv"]), 1.0)


def node_values(totals: Sums, discount: float, scale: Array) -> dict[str, Array]:
    """Every node's value from the sums (``scale``: see :func:`calibration`)."""
    values = {
        "visitors": totals["visitors"],
        "conversion": ratio(totals["funnel_buyers"], totals["visitors"]),
        "funnel_buyers": totals["funnel_buyers"],
        "other_buyers": totals["buyers"] - totals["funnel_buyers"],
        "buyers": totals["buyers"],
        "orders_per_buyer": ratio(totals["orders"], totals["buyers"]),
        "items_per_order": ratio(totals["items"], totals["orders"]),
        "price_per_item": ratio(totals["revenue"], totals["items"]),
        "revenue": totals["revenue"],
        "customers": totals["customers"],
        "retention": ratio(totals["retained"], totals["customers"]),
        "frequency": ratio(totals["retained_orders"], totals["retained"]),
        "basket": ratio(totals["retained_revenue"], totals["retained_orders"]),
        "margin_rate": ratio(totals["retained_margin"], totals["retained_revenue"]),
        "value": totals["retained_margin"],
    }
    values["lifetime_factor"] = lifetime_factor(values["retention"], discount) * scale
    values["clv"] = values["value"] * values["lifetime_factor"]
    return values


@dataclass(frozen=True)
class Node:
    """One quantity of the tree: its value, how it is made and where it comes from."""

    name: str
    label: str
    value: float
    unit: str
    formula: str | None
    children: tuple[str, ...]
    source: str


@dataclass
class DriverTree:
    """The filled tree of one period (and segment)."""

    nodes: dict[str, Node]
    period: str
    segment: str | None
    customers: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> float:
        return self.nodes[name].value

    def to_frame(self) -> pd.DataFrame:
        """One row per node, parents before their children."""
        parents = {c: n.name for n in self.nodes.values() for c in n.children}
        rows = [
            {
                "node": n.name,
                "label": n.label,
                "value": n.value,
                "unit": n.unit,
                "parent": parents.get(n.name),
                "formula": n.formula,
                "children": ", ".join(n.children),
                "source": n.source,
            }
            for n in self.nodes.values()
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "segment": self.segment,
            "nodes": self.to_frame().replace({np.nan: None}).to_dict("records"),
            "notes": list(self.notes),
        }


def _sources(inputs: Inputs, clv_from_model: bool) -> dict[str, str]:
    period, base = inputs.period.label, f"{inputs.period.base_start:%Y-%m-%d}"
    orders = f"orders, {period}"
    returning = f"orders of the customers who ordered from {base} to {inputs.period.start:%Y-%m-%d}"
    margin = "orders.margin" + ("" if inputs.margin_source == "orders" else ", else a rate")
    lifetime = (
        f"value run {inputs.value_run}: its CLV of these customers / value"
        if clv_from_model
        else "retention and the discount rate, (1 + d) / (1 + d - r)"
    )
    return {
        "visitors": f"interactions: distinct web/app visitor ids, {period}",
        "conversion": "interactions: visitors identified as a buyer of the period",
        "funnel_buyers": "visitors × conversion",
        "other_buyers": f"{orders}: buyers without an identified visit",
        "buyers": orders,
        "orders_per_buyer": orders,
        "items_per_order": f"{orders} (items)",
        "price_per_item": f"{orders} (amount / items)",
        "revenue": f"{orders} (amount)",
        "customers": returning,
        "retention": returning,
        "frequency": returning,
        "basket": returning,
        "margin_rate": f"{margin}, {period}",
        "value": f"{returning}: margin of the period",
        "lifetime_factor": lifetime,
        "clv": lifetime if clv_from_model else "value × lifetime factor",
    }


def build_tree(
    inputs: Inputs, customers: pd.DataFrame, segment: str | None, values: dict[str, float]
) -> DriverTree:
    """The tree of ``customers`` (all, or a segment's) with the given node values."""
    funnel = segment is None or segment == "visitors"
    clv_from_model = bool(np.isfinite(customers["clv"]).any() and inputs.value_run)
    sources = _sources(inputs, clv_from_model)
    nodes = {}
    for name, label, unit, formula, children in STRUCTURE:
        if not funnel and name in (*FUNNEL, "other_buyers"):
            continue
        if not funnel and name == "buyers":
            formula, children = None, ()
        nodes[name] = Node(name, label, float(values[name]), unit, formula, children, sources[name])
    notes = list(inputs.notes)
    if not funnel:
        notes.append("visitors are anonymous until they buy: a segment's tree starts at buyers")
    return DriverTree(nodes, inputs.period.label, segment, customers, notes)
