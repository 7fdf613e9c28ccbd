"""``/value``: stored customer-value runs: summary, segments, CLV distribution, customers."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import ibis
import ibis.expr.types as ir
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from emptychair.api.auth import AdminCaller, AnalystCaller, ViewerCaller
from emptychair.api.frames import page_of, records, run_table
from emptychair.api.jobs import Report
from emptychair.api.pagination import Page, PageDep, make_page
from emptychair.api.problems import PROBLEM_RESPONSES, problem_doc
from emptychair.api.routers.jobs import JobOut, start_job
from emptychair.api.routers.runs import RunInfo, RunQuery, run_list
from emptychair.errors import NotFoundError
from emptychair.identity import golden_id
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, stored_result

ANALYSIS = "value"
router = APIRouter(prefix="/value", tags=["value"], responses=PROBLEM_RESPONSES)
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)


class ValueSummary(BaseModel):
    """The headline figures of a value run."""

    run_id: str
    cutoff: str
    model: str
    months: int
    customers: int | None
    total_clv: float
    margin: float
    margin_source: str
    gini: float
    uncertain_tier_share: float
    statements_en: list[str]
    statements_fr: list[str]
    holdout: dict[str, Any] | None


class SegmentRow(BaseModel):
    """One RFM segment."""

    segment: str
    label_fr: str | None
    customers: int
    share_of_customers: float
    revenue: float
    share_of_revenue: float
    mean_time_since_last_purchase: float | None
    mean_frequency: float | None
    mean_monetary_value: float | None


class TierRow(BaseModel):
    """One CLV tier and how many customers sit in it without doubt."""

    tier: str
    customers: int
    share_of_customers: float
    clv: float
    share_of_clv: float
    uncertain_customers: int
    uncertain_share: float


class ClvDistribution(BaseModel):
    """How customer lifetime value is spread over the customers of a run."""

    run_id: str
    customers: int
    total: float
    mean: float | None
    quantiles: dict[str, float | None] = Field(description="CLV at the 10th..99th percentile.")
    histogram: list[dict[str, float]] = Field(description="Bins: lower, upper, customers.")


class CustomerValue(BaseModel):
    """One customer's scores in a value run."""

    customer_id: str
    frequency: float | None
    recency: float | None
    T: float | None
    monetary_value: float | None
    total_spend: float | None
    orders: int | None
    first_purchase_at: str | None
    last_purchase_at: str | None
    probability_alive: float | None
    expected_purchases: float | None
    expected_spend: float | None
    clv: float | None
    clv_lower: float | None
    clv_upper: float | None
    r_score: int | None
    f_score: int | None
    m_score: int | None
    rfm_cell: str | None
    segment: str | None
    tier: str | None
    tier_uncertain: bool | None


class ValueRunRequest(BaseModel):
    """What a new value run should do (every field has the CLI's default)."""

    cutoff: date | None = Field(default=None, description="Last day of history to use.")
    model: str = Field(default="bgnbd", max_length=20, description="bgnbd, mbgnbd, pnbd...")
    months: int = Field(default=12, ge=1, le=120)
    margin: float | None = Field(default=None, ge=0, le=1)
    holdout_weeks: int = Field(default=26, ge=0, le=260)


@router.get("/runs", summary="Value runs", response_model=list[RunInfo])
def value_runs(caller: ViewerCaller) -> list[RunInfo]:
    """Stored value runs, newest first."""
    return run_list(caller.workspace(), ANALYSIS)


@router.post(
    "/runs",
    summary="Start a value run",
    status_code=202,
    response_model=JobOut,
    responses=problem_doc(400, 409),
)
def start_value_run(
    caller: AdminCaller, request: Request, response: Response, settings: ValueRunRequest
) -> JobOut:
    """Score every customer in the background; follow the job at its ``url``."""
    from emptychair.value.service import ValueSettings, run_value

    chosen = ValueSettings(**settings.model_dump())

    def work(workspace: Workspace, report: Report) -> dict[str, Any]:
        run = run_value(workspace, chosen, on_step=lambda step: report(step, None))
        return {"run_id": run.run_id, "customers": run.customer_count}

    return start_job(caller, request, response, "value", work)


@router.get("/summary", summary="Value headline", response_model=ValueSummary)
def value_summary(caller: ViewerCaller, run_id: RunQuery = None) -> ValueSummary:
    """Total CLV, margin, concentration and the model check of a run."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> ValueSummary:
        run = resolve_run(workspace, ANALYSIS, chosen)
        parameters = json.loads(run["parameters"])
        summary = parameters["summary"]
        return ValueSummary(
            run_id=chosen,
            model=parameters["model"],
            months=parameters["months"],
            customers=int(run["customers"]),
            **{k: summary.get(k) for k in ValueSummary.model_fields if k in summary},
        )

    return caller.state.runs.answer(("value/summary", chosen), compute)


@router.get("/segments", summary="RFM segments", response_model=list[SegmentRow])
def value_segments(caller: ViewerCaller, run_id: RunQuery = None) -> list[SegmentRow]:
    """Customers, revenue and behaviour per RFM segment."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> list[SegmentRow]:
        table = stored_result(workspace, "value_segments", chosen)
        if table is None:
            return []
        rows = records(workspace.to_pandas(table.order_by(ibis.desc("revenue"))))
        return [SegmentRow.model_validate(row) for row in rows]

    return caller.state.runs.answer(("value/segments", chosen), compute)


@router.get("/tiers", summary="CLV tiers", response_model=list[TierRow])
def value_tiers(caller: ViewerCaller, run_id: RunQuery = None) -> list[TierRow]:
    """Customers and CLV per tier, with the share whose tier is uncertain."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> list[TierRow]:
        table = stored_result(workspace, "value_tiers", chosen)
        rows = records(workspace.to_pandas(table)) if table is not None else []
        return [TierRow.model_validate(row) for row in rows]

    return caller.state.runs.answer(("value/tiers", chosen), compute)


@router.get("/clv-distribution", summary="CLV distribution", response_model=ClvDistribution)
def clv_distribution(
    caller: ViewerCaller,
    run_id: RunQuery = None,
    bins: Annotated[int, Query(ge=2, le=100, description="Histogram bins.")] = 20,
) -> ClvDistribution:
    """Quantiles and a histogram of customer lifetime value (no customer-level rows)."""
    workspace = caller.workspace()
    chosen = caller.state.runs.run_id(workspace, ANALYSIS, run_id)

    def compute() -> ClvDistribution:
        table = stored_result(workspace, "value_customers", chosen)
        if table is None:
            raise NotFoundError(f"value run {chosen!r} stored no customers")
        return _distribution(workspace, table, chosen, bins)

    return caller.state.runs.answer(("value/clv-distribution", chosen, bins), compute)


def _distribution(workspace: Workspace, table: ir.Table, chosen: str, bins: int) -> ClvDistribution:
    """Quantiles and an equal-width histogram of the CLV of a run's customers."""
    clv = table["clv"]
    figures = {
        "customers": clv.count(),
        "total": clv.sum(),
        "mean": clv.mean(),
        "low": clv.min(),
        "high": clv.max(),
        **{f"q{q}": clv.quantile(q) for q in QUANTILES},
    }
    row = records(workspace.to_pandas(table.aggregate(**figures)))[0]
    histogram: list[dict[str, float]] = []
    if row["customers"] and row["high"] is not None and row["high"] > row["low"]:
        width = (row["high"] - row["low"]) / bins
        valued = table.filter(table["clv"].notnull())
        index = ((valued["clv"] - row["low"]) / width).floor().cast("int64").clip(upper=bins - 1)
        counts = workspace.to_pandas(valued.group_by(bin=index).aggregate(customers=valued.count()))
        by_bin = dict(zip(counts["bin"], counts["customers"], strict=True))
        histogram = [
            {
                "lower": row["low"] + i * width,
                "upper": row["low"] + (i + 1) * width,
                "customers": float(by_bin.get(i, 0)),
            }
            for i in range(bins)
        ]
    return ClvDistribution(
        run_id=chosen,
        customers=int(row["customers"] or 0),
        total=float(row["total"] or 0.0),
        mean=row["mean"],
        quantiles={f"{q:g}": row[f"q{q}"] for q in QUANTILES},
        histogram=histogram,
    )


@router.get("/customers", summary="Customers' value", response_model=Page[CustomerValue])
def value_customers(
    caller: AnalystCaller,
    request: Request,
    page: PageDep,
    run_id: RunQuery = None,
    segment: Annotated[str | None, Query(max_length=64)] = None,
    tier: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[CustomerValue]:
    """Customers' CLV with its interval, P(alive), segment and tier, highest CLV first."""
    workspace = caller.workspace()
    chosen, table = run_table(workspace, ANALYSIS, "value_customers", run_id, caller.state.runs)
    if table is None:
        raise NotFoundError(f"value run {chosen!r} stored no customers")
    if segment is not None:
        table = table.filter(table["segment"] == segment)
    if tier is not None:
        table = table.filter(table["tier"] == tier)
    rows, total = page_of(
        workspace, table, [ibis.desc("clv"), "customer_id"], page.limit, page.offset
    )
    return make_page(request, page, [CustomerValue.model_validate(r) for r in rows], total)


@router.get(
    "/customers/{customer_id}",
    summary="One customer's value",
    response_model=CustomerValue,
    responses=problem_doc(404),
)
def value_customer(
    caller: AnalystCaller,
    customer_id: Annotated[str, Path(min_length=1, max_length=200)],
    run_id: RunQuery = None,
) -> CustomerValue:
    """The customer's scores in the run (any linked source record id works)."""
    workspace = caller.workspace()
    golden = golden_id(workspace, customer_id)
    chosen, table = run_table(workspace, ANALYSIS, "value_customers", run_id, caller.state.runs)
    found = (
        workspace.to_pandas(table.filter(table["customer_id"] == golden))
        if table is not None
        else None
    )
    if found is None or found.empty:
        raise NotFoundError(
            f"customer {customer_id!r} has no score in value run {chosen!r} "
            "(no purchase before its cut-off)"
        )
    return CustomerValue.model_validate(records(found)[0])
