"""From an irritant to retention: what fewer negative mentions of a theme are worth.

The voice run's key-driver analysis gives the theme's effect on the 0-1 score: an answer
that stops mentioning it negatively scores ``effect`` higher (its regression coefficient,
other themes held equal; averaged over the score kinds, weighted by the answers that
mention it). The link from the score to retention is measured here, on the same customers
as the tree: among the customers of the base period who answered then, the slope of
"ordered again in the period" on their mean 0-1 score (a linear probability model). The
customers who raise the theme are those the voice run counts for its value at risk: those
with a negative mention of it, here in the base period.

Halving the mentions (factor 0.5) lifts half of those customers' scores by ``effect``, so
the retention of the scope rises by

.. math::
    \\Delta r = (1 - f) \\; \\frac{n_{\\text{raised}}}{n} \\; \\text{effect} \\; \\text{slope}.

The effect's uncertainty comes from the voice run's irritant table (the interval of the
theme's score drop, read as a normal standard error); the slope's from the bootstrap of
the customers. Both are associations measured on the history, not experiments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emptychair.errors import ModelDataError, NotFoundError
from emptychair.impact.inputs import Period
from emptychair.impact.scenarios import Scenario
from emptychair.impact.tree import Array, ratio
from emptychair.voice.intervals import normal_quantile
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, stored_result

#: Fewest answering customers of the base period for a score-to-retention slope.
MIN_ANSWERING = 30


@dataclass(frozen=True)
class ThemeEffect:
    """A theme's effect on the 0-1 score, from a voice run."""

    theme: str
    effect: float
    standard_error: float
    voice_run: str
    #: Customers with a negative mention of the theme in the base period.
    raised: frozenset[str]


def theme_effect(workspace: Workspace, theme: str, period: Period) -> ThemeEffect:
    """The theme's effect and who raised it, from the latest voice run."""
    try:
        run = resolve_run(workspace, "voice")
    except NotFoundError:
        raise NotFoundError(
            "an irritant scenario needs the voice analysis: run `emptychair voice run`"
        ) from None
    run_id = str(run["run_id"])
    drivers = stored_result(workspace, "voice_drivers", run_id)
    if drivers is None:
        raise NotFoundError(
            f"voice run {run_id} has no key drivers (too few answers with a text): "
            "import more feedback and run `emptychair voice run` again"
        )
    table = workspace.to_pandas(drivers.select("kind", "driver", "effect", "mentions"))
    rows = table[(table["driver"] == theme) & table["effect"].notna()]
    if rows.empty:
        known = ", ".join(sorted(table["driver"].unique()))
        raise NotFoundError(f"no voice theme {theme!r} in voice run {run_id}; themes: {known}")
    effect = float(np.average(rows["effect"], weights=rows["mentions"].clip(lower=1)))
    return ThemeEffect(
        theme,
        effect,
        _standard_error(workspace, run_id, run["parameters"], theme),
        run_id,
        frozenset(_raised(workspace, run_id, theme, period)),
    )


def _standard_error(workspace: Workspace, run_id: str, parameters: str | None, theme: str) -> float:
    irritants = stored_result(workspace, "voice_irritants", run_id)
    if irritants is None:
        return 0.0
    table = workspace.to_pandas(irritants.filter(irritants.theme == theme))
    if table.empty or table["impact_high"].isna().all():
        return 0.0
    level = float(json.loads(parameters or "{}").get("level", 0.95))
    width = float(table["impact_high"].iloc[0] - table["impact_low"].iloc[0])
    return width / (2 * normal_quantile(level))


def _raised(workspace: Workspace, run_id: str, theme: str, period: Period) -> set[str]:
    mentions = stored_result(workspace, "voice_mentions", run_id)
    verbatims = stored_result(workspace, "voice_verbatims", run_id)
    if mentions is None or verbatims is None:
        return set()
    negative = mentions.filter((mentions.theme == theme) & (mentions.label == "negative"))
    answers = verbatims.filter(
        (verbatims.received_at >= period.base_start) & (verbatims.received_at < period.start)
    )
    who = answers.semi_join(negative, "feedback_id").select("customer_id").distinct()
    return set(workspace.to_pandas(who)["customer_id"].dropna())


def score_slope(customers: pd.DataFrame, weights: Array) -> Array:
    """Slope of retention on the 0-1 score among the base customers who answered, one per
    row of ``weights``."""
    score = customers["score"].to_numpy(float)
    answered = customers["base"].to_numpy(bool) & np.isfinite(score)
    if answered.sum() < MIN_ANSWERING:
        raise ModelDataError(
            f"only {int(answered.sum())} customers of the base period answered a survey then; "
            f"an irritant scenario needs at least {MIN_ANSWERING} to link scores to retention"
        )
    x = np.where(answered, score, 0.0)
    y = (answered & customers["buyer"].to_numpy(bool)).astype(float)
    moments = weights @ np.column_stack([answered, x, y, x * x, x * y])
    n, sx, sy, sxx, sxy = moments.T
    covariance = sxy - ratio(sx * sy, n)
    variance = sxx - ratio(sx * sx, n)
    return ratio(covariance, variance)


def retention_points(
    scenario: Scenario,
    link: ThemeEffect,
    customers: pd.DataFrame,
    in_scope: Array,
    weights: Array,
    rng: np.random.Generator,
) -> Array:
    """The change of the scope's retention (a fraction) under the scenario, per resample.

    The first row of ``weights`` is the data as they are: it gets the estimated effect; the
    others draw the effect from its normal approximation.
    """
    factor = scenario.amount if scenario.mode == "factor" else 1 + scenario.amount
    base = customers["base"].to_numpy(bool) & in_scope
    raised = base & customers["customer_id"].isin(link.raised).to_numpy(bool)
    shares = ratio(weights @ raised.astype(float), weights @ base.astype(float))
    effects = link.effect + link.standard_error * rng.standard_normal(len(weights))
    effects[0] = link.effect
    return (1 - factor) * shares * effects * score_slope(customers, weights)
