"""The impact use-cases: the driver tree of a workspace, and what-if scenarios on it.

``driver_tree`` fills the tree (:mod:`emptychair.impact.tree`) from the workspace's orders,
interactions and answers of a period, for everyone or one segment. ``simulate`` applies
each scenario on its own to the same data and gives the change of revenue, of the
returning customers' value and of their lifetime value, with bootstrap intervals (see
:mod:`emptychair.impact.simulation`). ``run_simulation`` stores the result as the
``impact_scenarios`` and ``impact_tree`` tables of an ``impact`` run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.impact.inputs import period_for, read_inputs
from emptychair.impact.scenarios import Scenario, as_scenarios
from emptychair.impact.simulation import Simulation, checked_settings, simulate_inputs, tree_for
from emptychair.impact.tree import DriverTree
from emptychair.impact.voice_link import ThemeEffect, theme_effect
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import write_results

ANALYSIS = "impact"


def driver_tree(
    workspace: Workspace,
    *,
    segment: str | None = None,
    end: date | str | None = None,
    months: int = 12,
) -> DriverTree:
    """The driver tree of the ``months`` up to ``end`` (default: the latest order).

    Parameters
    ----------
    workspace
        An open workspace (read only is enough).
    segment
        A customer-value segment (e.g. ``"at risk"``), ``"tier:top"``, or ``"visitors"``;
        everyone when None.
    end, months
        The period measured; the base period is the ``months`` before it.
    """
    inputs = read_inputs(workspace, period_for(workspace, end, months))
    return tree_for(inputs, segment)


def simulate(
    workspace: Workspace,
    scenarios: Iterable[Scenario | str | Mapping[str, Any]],
    *,
    end: date | str | None = None,
    months: int = 12,
    resamples: int = 200,
    level: float = 0.9,
    seed: int | None = 0,
) -> Simulation:
    """Simulate each scenario on its own and give the changes with their intervals.

    Parameters
    ----------
    workspace
        An open workspace.
    scenarios
        :class:`~emptychair.impact.scenarios.Scenario` objects, written scenarios
        (``"items+1@5% in visitors"``) or mappings (see :mod:`emptychair.impact.scenarios`).
    end, months
        The period (see :func:`driver_tree`).
    resamples, level, seed
        Bootstrap resamples of the customers, coverage of the percentile intervals, seed.

    Returns
    -------
    Simulation
        ``table`` with, per scenario, ``revenue``/``value``/``clv`` before, ``*_after``,
        ``*_change`` (after - before), ``*_change_low``/``*_change_high`` and
        ``*_change_relative``.
    """
    chosen = as_scenarios(scenarios)
    checked_settings(resamples, level)
    inputs = read_inputs(workspace, period_for(workspace, end, months))

    def link_for(theme: str) -> ThemeEffect:
        return theme_effect(workspace, theme, inputs.period)

    return simulate_inputs(
        inputs, chosen, link_for=link_for, resamples=resamples, level=level, seed=seed
    )


def run_simulation(
    workspace: Workspace,
    scenarios: Iterable[Scenario | str | Mapping[str, Any]],
    **options: Any,
) -> tuple[str, Simulation]:
    """Simulate (see :func:`simulate`) and store the result as an ``impact`` run: the
    ``impact_scenarios`` table (one row per scenario) and ``impact_tree`` (the nodes)."""
    started = utc_now()
    result = simulate(workspace, scenarios, **options)
    run_id = new_batch_id()
    parameters = {
        "scenarios": list(result.table["scenario"]),
        "period": result.tree.period,
        "resamples": result.resamples,
        "level": result.level,
        **{k: str(v) for k, v in options.items() if k in ("end", "months", "seed")},
    }
    write_results(
        workspace,
        run_id,
        ANALYSIS,
        {
            "impact_scenarios": _typed(result.table),
            "impact_tree": _typed(result.tree.to_frame()),
        },
        parameters=parameters,
        started_at=started,
        rows=len(result.table),
    )
    return run_id, result


def _typed(frame: pd.DataFrame) -> ir.Table:
    """The frame with text columns typed as text even when a run leaves them all empty
    (a run without segments must not fix the column's type for the next one)."""
    types = {
        column: "float64" if pd.api.types.is_numeric_dtype(frame[column]) else "string"
        for column in frame.columns
    }
    return ibis.memtable(frame).cast(types)
