"""Scenarios on the driver tree's inputs: the changes, with their bootstrap intervals.

Each scenario is applied on its own to the same data. Customers are resampled with Poisson
weights (with their orders, visits and answers), and the anonymous visitors with them,
``resamples`` times; each resample is a new data set on which the whole tree, and the
scenario, are computed again. The intervals are percentiles of the resampled changes.

What a scenario acts on is a given of the company, not an estimate: "2 more points of
retention" are 2 % of *these* base customers, "one more item in 5 % of the orders" is
about *these* orders. So in each resample the scope is rescaled to the observed size of the
lever's population (:data:`POPULATION`); what varies is what the change is worth (the
average buyer, order, item or returning customer, the conversion, the score-to-retention
slope). The intervals are those of these estimates, not a forecast of next year's counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.impact.inputs import Inputs
from emptychair.impact.levers import applied, changes, check_reachable
from emptychair.impact.scenarios import VISITORS_SEGMENT, Scenario, as_scenarios, describe
from emptychair.impact.tree import (
    NODES,
    DriverTree,
    build_tree,
    calibration,
    discount_per_period,
    node_values,
    sums,
)
from emptychair.impact.voice_link import ThemeEffect, retention_points, score_slope
from emptychair.voice.intervals import checked_level

OUTCOMES = ("revenue", "value", "clv")
#: What each lever acts on: the count held at its observed value in every resample.
POPULATION = {
    "visitors": "visitors",
    "conversion": "visitors",
    "orders": "buyers",
    "items": "orders",
    "price": "items",
    "basket": "orders",
    "customers": "customers",
    "retention": "customers",
    "irritant": "customers",
    "frequency": "retained",
    "margin": "retained",
}
#: Levers that bring back customers, who buy like the scope's average returning customer.
RETURNING_LEVERS = ("retention", "irritant", "customers")


def segment_mask(inputs: Inputs, segment: str | None) -> np.ndarray:
    """Which customers a segment holds: a value segment, ``tier:NAME``, or ``visitors``."""
    customers = inputs.customers
    if segment is None:
        return np.ones(len(customers), bool)
    wanted = segment.strip().lower()
    if wanted == VISITORS_SEGMENT:
        funnel = customers["funnel"].to_numpy(bool)
        if not funnel.any():
            raise ModelDataError(
                "no buyer of the period came through an identified web/app visit: the "
                "interactions need a visitor_id, and a customer_id once the visitor logs in"
            )
        return funnel
    if inputs.value_run is None:
        raise NotFoundError(
            f"segment {segment!r}: segments come from the customer-value analysis; "
            "run `emptychair value run` first"
        )
    column, name = (
        ("tier", wanted[5:].strip()) if wanted.startswith("tier:") else ("segment", wanted)
    )
    labels = customers[column].astype("string").str.lower()
    mask = (labels == name).fillna(False).to_numpy(bool)
    if not mask.any():
        known = sorted(customers[column].dropna().unique())
        listed = ", ".join(known) if column == "segment" else ", ".join(f"tier:{t}" for t in known)
        raise InvalidParameterError(
            f"no customer in segment {segment!r} in the period; segments: {listed}, or visitors"
        )
    return mask


def _visitors_for(inputs: Inputs, segment: str | None) -> int:
    """Anonymous visitors belong to everyone and to the visitors' funnel, not to a segment."""
    if segment is None or segment.strip().lower() == VISITORS_SEGMENT:
        return inputs.other_visitors
    return 0


def tree_for(inputs: Inputs, segment: str | None) -> DriverTree:
    mask = segment_mask(inputs, segment)
    totals = sums(inputs.customers, _visitors_for(inputs, segment), mask[None, :].astype(float))
    discount = discount_per_period(inputs)
    # The value run sets the level of the CLV for everyone; a segment keeps that factor.
    scale = calibration(sums(inputs.customers, inputs.other_visitors), discount)
    values = node_values(totals, discount, scale)
    return build_tree(
        inputs, inputs.customers[mask], segment, {k: float(v[0]) for k, v in values.items()}
    )


@dataclass
class Simulation:
    """Scenarios simulated on one period's driver tree."""

    tree: DriverTree
    #: One row per scenario: the outcomes before and after, their change and its interval.
    table: pd.DataFrame
    #: Per scenario (its label): the change of every node of the tree.
    node_changes: dict[str, dict[str, float]]
    resamples: int
    level: float
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.tree.period,
            "resamples": self.resamples,
            "level": self.level,
            "scenarios": self.table.replace({np.nan: None}).to_dict("records"),
            "node_changes": self.node_changes,
            "tree": self.tree.to_dict(),
            "notes": self.notes,
        }


def checked_settings(resamples: int, level: float) -> float:
    if not isinstance(resamples, int) or isinstance(resamples, bool) or not 0 <= resamples <= 5000:
        raise InvalidParameterError(
            f"resamples must be a whole number from 0 to 5000: {resamples!r}"
        )
    return checked_level(level)


def simulate_inputs(
    inputs: Inputs,
    scenarios: Iterable[Scenario | str | Mapping[str, Any]],
    *,
    link_for: Callable[[str], ThemeEffect] | None = None,
    resamples: int = 200,
    level: float = 0.9,
    seed: int | None = 0,
) -> Simulation:
    """:func:`simulate` on inputs already read (``link_for`` gives an irritant's theme
    effect, see :func:`emptychair.impact.voice_link.theme_effect`)."""
    chosen = as_scenarios(scenarios)
    level = checked_settings(resamples, level)
    customers = inputs.customers
    rng = np.random.default_rng(seed)
    weights = np.vstack(
        [np.ones(len(customers)), rng.poisson(1.0, (resamples, len(customers)))]
    ).astype(float)
    visitors = np.concatenate(
        [[inputs.other_visitors], rng.poisson(inputs.other_visitors, resamples)]
    )
    totals = sums(customers, visitors, weights)
    discount = discount_per_period(inputs)
    scale = calibration(totals, discount)
    before = node_values(totals, discount, scale)
    rows: list[dict[str, Any]] = []
    node_changes: dict[str, dict[str, float]] = {}
    for scenario in chosen:
        mask = segment_mask(inputs, scenario.segment)
        scope_visitors = visitors if _visitors_for(inputs, scenario.segment) else 0 * visitors
        scope = sums(customers, scope_visitors, weights * mask)
        _check_scope(scenario, scope)
        scope = _held(scope, POPULATION[scenario.lever])
        points, notes = None, []
        if scenario.lever == "irritant":
            if link_for is None:
                raise InvalidParameterError(
                    f"scenario {scenario.label!r} needs the voice run's theme effects"
                )
            link = link_for(str(scenario.theme))
            points, note = _irritant_points(link, inputs, scenario, mask, weights, rng)
            notes.append(note)
        if scenario.lever in ("visitors", "conversion"):
            notes.append(
                "the new buyers are not customers of the base period: the returning "
                "customers' value and CLV do not move"
            )
        like = None
        if scope["retained"][0] <= 0 and scenario.lever in RETURNING_LEVERS:
            like = totals
            notes.append(
                "no customer of the segment ordered again in the period: the extra returning "
                "customers buy like the average returning customer of everyone"
            )
        change = changes(scenario, scope, points, like)
        check_reachable(scenario, scope, change)
        after = node_values(applied(totals, change), discount, scale)
        label = scenario.label
        if label in node_changes:  # the same scenario twice: keep both apart
            label = f"{label} ({len(rows) + 1})"
        row = _row(scenario, before, after, level)
        rows.append(row | {"scenario": label, "notes": "; ".join(notes)})
        node_changes[label] = {n: float(after[n][0] - before[n][0]) for n in NODES}
    return Simulation(
        tree=tree_for(inputs, None),
        table=pd.DataFrame(rows),
        node_changes=node_changes,
        resamples=resamples,
        level=level,
        notes=list(inputs.notes),
    )


def _irritant_points(
    link: ThemeEffect,
    inputs: Inputs,
    scenario: Scenario,
    mask: np.ndarray,
    weights: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, str]:
    """The retention change of an irritant scenario, and how it was reached."""
    customers = inputs.customers
    raised = int((customers["base"] & mask & customers["customer_id"].isin(link.raised)).sum())
    if raised == 0:
        who = f"of segment {scenario.segment!r} " if scenario.segment else ""
        raise ModelDataError(
            f"scenario {scenario.label!r}: no customer {who}of the base period raised "
            f"{scenario.theme!r} negatively then, so it changes nothing"
        )
    points = retention_points(scenario, link, customers, mask, weights, rng)
    slope = score_slope(customers, weights[:1])[0]
    note = (
        f"{scenario.theme}: raised by {raised:,} customers of the base period; a negative "
        f"mention lowers the 0-1 score by {link.effect:.3f} (voice run {link.voice_run}); "
        f"each +0.1 of score goes with {slope * 10:+.2f} pt of retention; so retention "
        f"{points[0] * 100:+.3f} pt"
    )
    return points, note


def _check_scope(scenario: Scenario, scope: dict[str, np.ndarray]) -> None:
    population = POPULATION[scenario.lever]
    if scope[population][0] <= 0:
        where = f"segment {scenario.segment!r}" if scenario.segment else "the workspace"
        what = population.replace("retained", "retained customers")
        raise ModelDataError(
            f"scenario {scenario.label!r}: {where} has no {what} in the period, so the lever "
            "has nothing to act on"
        )


def _held(scope: dict[str, np.ndarray], population: str) -> dict[str, np.ndarray]:
    """Every resample of the scope rescaled to the observed size of ``population`` (the
    averages, ratios of sums, do not change)."""
    count = scope[population]
    factor = np.divide(count[0], count, out=np.ones_like(count), where=count > 0)
    return {name: values * factor for name, values in scope.items()}


def _row(
    scenario: Scenario, before: dict[str, np.ndarray], after: dict[str, np.ndarray], level: float
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scenario": scenario.label,
        "lever": scenario.lever if scenario.lever != "irritant" else f"irritant:{scenario.theme}",
        "change": describe(scenario),
        "share": scenario.share,
        "segment": scenario.segment,
    }
    tail = 100 * (1 - level) / 2
    for outcome in OUTCOMES:
        delta = after[outcome] - before[outcome]
        low, high = (
            np.percentile(delta[1:], [tail, 100 - tail]) if len(delta) > 1 else (np.nan, np.nan)
        )
        base = float(before[outcome][0])
        row |= {
            outcome: base,
            f"{outcome}_after": float(after[outcome][0]),
            f"{outcome}_change": float(delta[0]),
            f"{outcome}_change_low": float(low),
            f"{outcome}_change_high": float(high),
            f"{outcome}_change_relative": float(delta[0] / base) if base else np.nan,
        }
    return row
