"""Answers in context: the team behind an answer and the customer's value segment.

Survey scores are asked "by team" and "by segment", but a feedback row carries neither.
Both are joined in the engine (the same Ibis code on DuckDB and Spark):

* ``team``: the team of the customer's last handled contact (an ``interactions`` row with a
  team) in the ``team_window_days`` before the answer; answers with no such contact have no
  team. Contacts of merged identity records count for their golden customer.
* ``segment`` and ``tier``: the customer's RFM segment and CLV tier in a customer-value run
  (the latest by default); customers outside the run have none.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from emptychair.errors import InvalidParameterError, ModelDataError, NotFoundError
from emptychair.identity import with_golden_ids
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table

CONTEXT_COLUMNS = ("team", "segment", "tier")
TEAM_WINDOW_DAYS = 7


def _with_team(workspace: Workspace, feedback: ir.Table, window_days: int) -> ir.Table:
    contacts = with_golden_ids(workspace, workspace.table("interactions"))
    contacts = contacts.filter(contacts["team"].notnull()).select(
        contact_customer=contacts["customer_id"],
        contact_at=contacts["occurred_at"],
        team=contacts["team"],
    )
    answers = feedback.mutate(_answer=ibis.row_number())
    window = ibis.interval(days=window_days)
    joined = answers.left_join(
        contacts,
        [
            answers["customer_id"] == contacts["contact_customer"],
            contacts["contact_at"] <= answers["received_at"],
            contacts["contact_at"] >= answers["received_at"] - window,
        ],
    )
    latest = ibis.window(group_by=joined["_answer"], order_by=ibis.desc(joined["contact_at"]))
    ranked = joined.mutate(_rank=ibis.row_number().over(latest))
    kept = ranked.filter(ranked["_rank"] == 0)
    return kept.select(*feedback.columns, "team")


def _with_segment(workspace: Workspace, feedback: ir.Table, value_run: str | None) -> ir.Table:
    try:
        run = resolve_run(workspace, "value", value_run)
    except NotFoundError:
        if value_run is not None:
            raise
        raise ModelDataError(
            "grouping by segment or tier needs a customer-value run: run `emptychair value run`"
        ) from None
    customers = result_table(workspace, "value_customers", run["run_id"]).select(
        value_customer="customer_id", segment="segment", tier="tier"
    )
    joined = feedback.left_join(customers, feedback["customer_id"] == customers["value_customer"])
    return joined.select(*feedback.columns, "segment", "tier")


def feedback_in_context(
    workspace: Workspace,
    columns: Sequence[str],
    *,
    value_run: str | None = None,
    team_window_days: int = TEAM_WINDOW_DAYS,
) -> ir.Table:
    """The ``feedback`` table (golden customer ids) with the context ``columns`` added.

    Parameters
    ----------
    workspace : Workspace
    columns : sequence of {"team", "segment", "tier"}
        Context to add; other names are ignored (they are feedback columns).
    value_run : str, optional
        The value run giving segments and tiers; the latest when omitted.
    team_window_days : int, default 7
        How long before an answer a contact may be to give it its team.

    Returns
    -------
    ibis.expr.types.Table
        One row per feedback row, with the asked context columns.
    """
    if team_window_days < 1:
        raise InvalidParameterError(
            f"team_window_days must be 1 day or more, not {team_window_days!r}"
        )
    feedback = with_golden_ids(workspace, workspace.table("feedback"))
    wanted = [c for c in CONTEXT_COLUMNS if c in columns]
    if "team" in wanted:
        feedback = _with_team(workspace, feedback, team_window_days)
    if "segment" in wanted or "tier" in wanted:
        feedback = _with_segment(workspace, feedback, value_run)
    return feedback
