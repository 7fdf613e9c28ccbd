"""The value use-case: run the whole analysis on a workspace and store it.

``run_value`` takes the ``orders`` (with the records of one person merged under their
golden customer id) and the ``customers``, builds the RFM summary in the engine, fits a
purchase model and the Gamma-Gamma spend model, scores every customer (P(alive),
expected purchases, CLV with its interval), segments them, measures concentration,
cohorts and acquisition economics, and writes it all as one run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.identity import golden_customers, with_golden_ids
from emptychair.value.cohorts import acquisition_economics, cohort_table
from emptychair.value.concentration import Concentration, concentration
from emptychair.value.features import rfm_summary
from emptychair.value.models import PURCHASE_MODELS
from emptychair.value.models.gamma_gamma import GammaGammaModel
from emptychair.value.scoring import (
    distinct_histories,
    fit_purchase_model,
    fit_spend_model,
    score_customers,
)
from emptychair.value.segments import clv_tiers, rfm_segments, segment_summary
from emptychair.value.validation import HoldoutCheck, holdout_check
from emptychair.workspace import Workspace, new_batch_id, utc_now
from emptychair.workspace.results import write_results

ANALYSIS = "value"
HOLDOUT_COLUMNS = {
    "calibration_frequency": "string",
    "customers": "int64",
    "actual": "float64",
    "predicted": "float64",
}
TRACKING_COLUMNS = {"week_ending": "timestamp", "actual": "int64", "predicted": "float64"}
Step = Callable[[str], None]


@dataclass(frozen=True)
class ValueSettings:
    """What a value run was asked to do (stored with the run)."""

    cutoff: date | None = None
    model: str = "bgnbd"
    time_unit: str = "weeks"
    months: int = 12
    discount_rate: float = 0.01
    margin: float | None = None
    level: float = 0.9
    #: Weeks held out to check the model on purchases it has not seen (0: no check).
    holdout_weeks: int = 26


@dataclass
class ValueRun:
    """Everything one value run produced."""

    run_id: str
    settings: ValueSettings
    cutoff: date
    margin: float
    margin_source: str
    #: Every customer's scores, segment and tier (an expression over the run's tables).
    customers: ir.Table
    customer_count: int
    total_clv: float
    parameters: pd.DataFrame
    diagnostics: dict[str, dict[str, Any]]
    segments: pd.DataFrame
    tiers: pd.DataFrame
    uncertain_tier_share: float
    concentration: Concentration
    cohorts: pd.DataFrame
    acquisition: pd.DataFrame
    holdout: HoldoutCheck | None


def run_value(
    workspace: Workspace, settings: ValueSettings | None = None, on_step: Step | None = None
) -> ValueRun:
    """Run the value analysis on the workspace's orders and store the results."""
    settings = settings or ValueSettings()
    step = on_step or (lambda _: None)
    if settings.model not in PURCHASE_MODELS:
        raise InvalidParameterError(
            f"unknown purchase model {settings.model!r}; use one of: {', '.join(PURCHASE_MODELS)}"
        )
    started = utc_now()
    if workspace.count("orders") == 0:
        raise ModelDataError("the workspace has no orders: import some with `emptychair import`")
    cutoff = settings.cutoff or _last_order_day(workspace)
    margin, margin_source = _margin(workspace, settings.margin)
    # One person, one customer: orders of merged records count for their golden customer.
    orders = with_golden_ids(workspace, workspace.table("orders"))

    engine = workspace.engine
    step("RFM summary")
    summary_expr = rfm_summary(orders, cutoff=cutoff, time_unit=settings.time_unit)  # type: ignore[arg-type]
    summary = engine.create_table("_value_summary", summary_expr, temp=True, overwrite=True)
    if workspace.engine.execute(summary.count()) == 0:
        first = workspace.engine.execute(orders.ordered_at.min())
        raise ModelDataError(
            f"no order on or before the cut-off {cutoff}: the first order is on "
            f"{pd.Timestamp(first).date()}; choose a later --cutoff"
        )

    step(f"fitting {settings.model} and Gamma-Gamma")
    histories = distinct_histories(summary).to_pandas()
    purchases = fit_purchase_model(summary, settings.model, histories)
    spend = fit_spend_model(summary)

    step("CLV with intervals")
    scored = score_customers(
        summary,
        purchases,
        spend,
        months=settings.months,
        discount_rate=settings.discount_rate,
        margin=margin,
        time_unit=settings.time_unit,
        level=settings.level,
        histories=histories,
    )
    scores = engine.create_table("_value_scores", scored, temp=True, overwrite=True)

    step("segments, concentration and cohorts")
    segmented = rfm_segments(summary).select(
        "customer_id", "r_score", "f_score", "m_score", "rfm_cell", "segment"
    )
    tiers = clv_tiers(scores.select("customer_id", "clv", "clv_lower", "clv_upper"))
    customers = scores.inner_join(segmented, "customer_id").inner_join(
        tiers.customers.select("customer_id", "tier", "tier_uncertain"), "customer_id"
    )
    totals = workspace.to_pandas(
        scores.aggregate(customers=scores.count(), clv=scores.clv.sum())
    ).iloc[0]
    value_concentration = concentration(summary, "total_spend")
    cohorts = cohort_table(orders, cut_off=cutoff)
    acquisition = acquisition_economics(
        orders,
        golden_customers(workspace),
        clv=scores.select("customer_id", "clv"),
        margin_rate=margin if margin_source != "orders" else None,
        cut_off=cutoff,
    )
    run = ValueRun(
        run_id=new_batch_id(),
        settings=settings,
        cutoff=cutoff,
        margin=margin,
        margin_source=margin_source,
        customers=customers,
        customer_count=int(totals["customers"]),
        total_clv=float(totals["clv"]),
        parameters=_parameters(purchases, spend, settings.model),
        diagnostics={settings.model: purchases.diagnostics_, "gammagamma": spend.diagnostics_},
        segments=segment_summary(rfm_segments(summary)),
        tiers=tiers.summary,
        uncertain_tier_share=tiers.uncertain_share,
        concentration=value_concentration,
        cohorts=cohorts,
        acquisition=acquisition,
        holdout=_holdout(workspace, orders, cutoff, settings, step),
    )
    step("storing the results")
    _store(workspace, run, started)
    for name in ("_value_scores", "_value_summary"):
        engine.drop_table(name)
    return run


def _last_order_day(workspace: Workspace) -> date:
    last = workspace.engine.execute(workspace.table("orders").ordered_at.max())
    return pd.Timestamp(last).date()


def _margin(workspace: Workspace, margin: float | None) -> tuple[float, str]:
    """The share of spend that is profit: as given, else observed in the orders' margins,
    else 1 (a revenue CLV)."""
    if margin is not None:
        return margin, "given"
    orders = workspace.table("orders")
    known = orders.filter(orders.margin.notnull() & (orders.amount > 0))
    totals = workspace.to_pandas(
        known.aggregate(margin=known.margin.sum(), amount=known.amount.sum())
    ).iloc[0]
    if pd.notna(totals["amount"]) and totals["amount"] > 0 and totals["margin"] > 0:
        return float(min(totals["margin"] / totals["amount"], 1.0)), "orders"
    return 1.0, "revenue"


def _parameters(purchases: Any, spend: GammaGammaModel, model: str) -> pd.DataFrame:
    frames = []
    for name, fitted in ((model, purchases), ("gammagamma", spend)):
        table = fitted.summary().reset_index(names="parameter")
        table.insert(0, "model", name)
        table["log_likelihood"] = fitted.log_likelihood_
        table["customers"] = fitted.n_customers_
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def _holdout(
    workspace: Workspace, orders: ir.Table, cutoff: date, settings: ValueSettings, step: Step
) -> HoldoutCheck | None:
    """The model refitted without the last ``holdout_weeks`` and checked on them, when
    the history is long enough (at least twice the holdout before it)."""
    if settings.holdout_weeks <= 0:
        return None
    holdout = timedelta(weeks=settings.holdout_weeks)
    first = pd.Timestamp(workspace.engine.execute(orders.ordered_at.min())).date()
    if cutoff - first < 3 * holdout:
        return None
    step(f"checking the model on the last {settings.holdout_weeks} weeks")
    try:
        return holdout_check(
            orders,
            calibration_end=cutoff - holdout,
            holdout_end=cutoff,
            model=settings.model,
            time_unit=settings.time_unit,
        )
    except ModelDataError:
        return None


def _store(workspace: Workspace, run: ValueRun, started: datetime) -> None:
    holdout = run.holdout
    summary = {
        "cutoff": run.cutoff.isoformat(),
        "margin": run.margin,
        "margin_source": run.margin_source,
        "gini": run.concentration.gini,
        "statements_en": list(run.concentration.statements_en),
        "statements_fr": list(run.concentration.statements_fr),
        "uncertain_tier_share": run.uncertain_tier_share,
        "total_clv": run.total_clv,
        "holdout": None
        if run.holdout is None
        else {
            "calibration_end": run.holdout.calibration_end.isoformat(),
            "customers": run.holdout.customers,
            "predicted": run.holdout.predicted,
            "actual": run.holdout.actual,
            "relative_error": run.holdout.relative_error,
        },
        "diagnostics": run.diagnostics,
    }
    parameters = {**run.settings.__dict__, "cutoff": run.cutoff.isoformat(), "summary": summary}
    customers = run.customers.mutate(
        first_purchase_at=run.customers.first_purchase_at.cast("timestamp"),
        last_purchase_at=run.customers.last_purchase_at.cast("timestamp"),
    )
    write_results(
        workspace,
        run.run_id,
        ANALYSIS,
        {
            "value_customers": customers,
            "value_parameters": run.parameters,
            "value_segments": run.segments,
            "value_tiers": run.tiers,
            "value_concentration": run.concentration.curve,
            "value_cohorts": run.cohorts,
            "value_acquisition": run.acquisition,
            "value_holdout": _or_empty(holdout.by_frequency if holdout else None, HOLDOUT_COLUMNS),
            "value_tracking": _or_empty(holdout.over_time if holdout else None, TRACKING_COLUMNS),
        },
        parameters=parameters,
        started_at=started,
        rows=run.customer_count,
    )


def _or_empty(frame: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame | ir.Table:
    """The frame, or an empty table of the same columns when there was nothing to check."""
    if frame is not None:
        return frame
    return ibis.memtable(pd.DataFrame(columns=list(columns))).cast(columns)
