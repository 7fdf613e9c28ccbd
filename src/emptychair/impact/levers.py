"""How a scenario moves the sums the driver tree is made of.

A lever changes one leaf for the customers of its scope (everyone, or a segment's); the
change is turned into extra (or fewer) buyers, orders, items, revenue and margin, added to
the totals, and the whole tree is recomputed from them. What is added behaves like the
scope's average:

* more visitors or a higher conversion bring buyers like the scope's average buyer
  (orders, items, revenue and margin per buyer);
* more orders per buyer (or per retained customer: ``frequency``) are average orders;
* more items per order sell at the scope's revenue per item, with its margin rate;
* a higher revenue per item (``price``) is margin entirely (the same items cost the same);
  a larger ``basket`` (more bought per order) keeps the margin rate;
* a higher retention (or more customers in the base) brings returning customers like the
  scope's average retained customer (everyone's when the scope has none, e.g. a segment of
  customers who all stopped buying); they are buyers too, so revenue moves with the value;
* an ``irritant`` lever is a retention change: see :mod:`emptychair.impact.voice_link`.

A share ``s`` applies the change to a share of the lever's population: for an average over
a population (items per order, retention...) the average moves by ``s`` times the change.
Every array holds one value per bootstrap resample (the first: the data as they are).
"""

from __future__ import annotations

import numpy as np

from emptychair.errors import InvalidParameterError
from emptychair.impact.scenarios import Scenario
from emptychair.impact.tree import Array, Sums, ratio

BUYER_SUMS = ("orders", "items", "revenue", "margin")
RETAINED_SUMS = ("retained_orders", "retained_items", "retained_revenue", "retained_margin")


def _scaled(scenario: Scenario, size: Array, count: Array) -> Array:
    """The change of a total whose average over ``count`` is the lever: relative changes
    scale the total ``size``, absolute ones add ``amount`` per unit of ``count``."""
    if scenario.mode == "relative":
        return scenario.share * scenario.amount * size
    if scenario.mode == "points":
        return scenario.share * scenario.amount / 100 * count
    return scenario.share * scenario.amount * count


def _new_buyers(scope: Sums, buyers: Array) -> Sums:
    return {"buyers": buyers, **{k: buyers * ratio(scope[k], scope["buyers"]) for k in BUYER_SUMS}}


def _returning(scope: Sums, retained: Array) -> Sums:
    """Extra retained customers like the scope's average one, who are buyers too."""
    per = {k: retained * ratio(scope[k], scope["retained"]) for k in RETAINED_SUMS}
    return {
        "retained": retained,
        "buyers": retained,
        **per,
        **{b: per[r] for b, r in zip(BUYER_SUMS, RETAINED_SUMS, strict=True)},
    }


def _more_orders(scope: Sums, orders: Array, retained_orders: Array) -> Sums:
    change = {k: orders * ratio(scope[k], scope["orders"]) for k in BUYER_SUMS}
    for name in RETAINED_SUMS:
        change[name] = retained_orders * ratio(scope[name], scope["retained_orders"])
    return change


def _revenue_change(scope: Sums, revenue: Array, retained_revenue: Array, all_margin: bool) -> Sums:
    if all_margin:
        margin, retained_margin = revenue, retained_revenue
    else:
        margin = revenue * ratio(scope["margin"], scope["revenue"])
        retained_margin = retained_revenue * ratio(
            scope["retained_margin"], scope["retained_revenue"]
        )
    return {
        "revenue": revenue,
        "margin": margin,
        "retained_revenue": retained_revenue,
        "retained_margin": retained_margin,
    }


def changes(
    scenario: Scenario,
    scope: Sums,
    retention_points: Array | None = None,
    returning_like: Sums | None = None,
) -> Sums:
    """What the scenario adds to each sum (see the module docstring).

    ``returning_like``: whose average retained customer the extra returning customers
    resemble (the scope's by default; everyone's when the scope has none).
    """
    s = scope
    like = s if returning_like is None else returning_like
    lever = scenario.lever
    if lever == "visitors":
        visitors = _scaled(scenario, s["visitors"], np.ones_like(s["visitors"]))
        buyers = visitors * ratio(s["funnel_buyers"], s["visitors"])
        return {"visitors": visitors, "funnel_buyers": buyers, **_new_buyers(s, buyers)}
    if lever == "conversion":
        buyers = _scaled(scenario, s["funnel_buyers"], s["visitors"])
        return {"funnel_buyers": buyers, **_new_buyers(s, buyers)}
    if lever in ("orders", "frequency"):
        retained = _scaled(scenario, s["retained_orders"], s["retained"])
        if lever == "frequency":
            # The extra orders are the retained customers': average orders of theirs.
            per = {k: retained * ratio(s[k], s["retained_orders"]) for k in RETAINED_SUMS}
            return {**per, **{b: per[r] for b, r in zip(BUYER_SUMS, RETAINED_SUMS, strict=True)}}
        return _more_orders(s, _scaled(scenario, s["orders"], s["buyers"]), retained)
    if lever == "items":
        price = ratio(s["revenue"], s["items"])
        items = _scaled(scenario, s["items"], s["orders"])
        retained_items = _scaled(scenario, s["retained_items"], s["retained_orders"])
        change = _revenue_change(s, items * price, retained_items * price, all_margin=False)
        return {"items": items, "retained_items": retained_items, **change}
    if lever in ("price", "basket"):
        count, retained_count = (
            ("items", "retained_items") if lever == "price" else ("orders", "retained_orders")
        )
        revenue = _scaled(scenario, s["revenue"], s[count])
        retained = _scaled(scenario, s["retained_revenue"], s[retained_count])
        return _revenue_change(s, revenue, retained, all_margin=lever == "price")
    if lever == "margin":
        rate = _scaled(
            scenario,
            ratio(s["retained_margin"], s["retained_revenue"]),
            np.ones_like(s["revenue"]),
        )
        return {"margin": rate * s["revenue"], "retained_margin": rate * s["retained_revenue"]}
    if lever == "customers":
        customers = _scaled(scenario, s["customers"], np.ones_like(s["customers"]))
        retained = customers * ratio(like["retained"], like["customers"])
        return {"customers": customers, **_returning(like, retained)}
    if lever == "retention":
        return _returning(like, _scaled(scenario, s["retained"], s["customers"]))
    if lever == "irritant" and retention_points is not None:
        return _returning(like, retention_points * s["customers"])
    raise InvalidParameterError(f"lever {lever!r} needs inputs that were not given")


def applied(totals: Sums, change: Sums) -> Sums:
    """The totals after the change."""
    return {k: v + change[k] if k in change else v for k, v in totals.items()}


def check_reachable(scenario: Scenario, scope: Sums, change: Sums) -> None:
    """Refuse a scenario that would push the scope outside what can exist (a rate above 100 %,
    fewer than no items...), judged on the data as they are (the first resample)."""
    after = applied({k: v[:1] for k, v in scope.items()}, {k: v[:1] for k, v in change.items()})
    where = f"scenario {scenario.label!r}"
    for name in ("visitors", "buyers", "orders", "items", "customers", "retained"):
        if after[name][0] < -1e-9:
            raise InvalidParameterError(f"{where} would leave fewer than no {name}")
    rates = {
        "conversion": ("funnel_buyers", "visitors"),
        "retention": ("retained", "customers"),
    }
    for label, (top, bottom) in rates.items():
        if after[top][0] > after[bottom][0] * (1 + 1e-9):
            rate = after[top][0] / max(after[bottom][0], 1e-300)
            raise InvalidParameterError(f"{where} would put the {label} at {rate:.1%}, above 100%")
    if scenario.lever == "margin":
        rate = ratio(after["retained_margin"], after["retained_revenue"])[0]
        if not -1 <= rate <= 1:
            raise InvalidParameterError(f"{where} would put the margin rate at {rate:.1%}")
    if scenario.lever in ("price", "basket") and after["revenue"][0] < 0:
        raise InvalidParameterError(f"{where} would make the revenue negative")
