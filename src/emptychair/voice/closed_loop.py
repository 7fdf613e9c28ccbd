"""The closed loop: customers who told us they are unhappy and heard nothing back.

Two kinds of case are listed, once ``days`` have passed without a follow-up contact:

* ``detractor``: an NPS answer of 0–6, a CSAT answer in the bottom 40 % of its scale (1–2 on
  5) or a CES answer of 1–3 on 7 (see :func:`emptychair.voice.complaints.survey_answers`);
* ``unresolved_complaint``: a complaint still open or acknowledged at ``as_of`` (see
  :func:`emptychair.voice.complaints.complaint_states`).

A follow-up contact is any ``interactions`` row of the same person (golden customer id), on
any channel, after the answer or the opening of the complaint and at most ``days`` later. The
list holds identifiers, dates, scores and categories only: no name, e-mail or phone.
"""

from __future__ import annotations

from datetime import date, datetime

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.identity import with_golden_ids
from emptychair.voice.complaints import (
    DAY_S,
    complaint_states,
    moment_seconds,
    resolved_as_of,
    seconds,
    survey_answers,
)
from emptychair.workspace import Workspace

CASE_COLUMNS: tuple[str, ...] = (
    "priority",
    "case_kind",
    "case_id",
    "customer_id",
    "at",
    "days_waiting",
    "survey",
    "score",
    "scale_max",
    "category",
    "severity",
    "channel",
)


def _without_follow_up(workspace: Workspace, cases: ir.Table, days: int) -> ir.Table:
    """The cases with no interaction of their customer in the ``days`` after them."""
    interactions = with_golden_ids(workspace, workspace.table("interactions"))
    contacts = interactions.filter(interactions["customer_id"].notnull()).select(
        contact_customer=interactions["customer_id"],
        contact_s=seconds(interactions["occurred_at"]),
    )
    return cases.anti_join(
        contacts,
        [
            cases["customer_id"] == contacts["contact_customer"],
            contacts["contact_s"] > cases["at_s"],
            contacts["contact_s"] <= cases["at_s"] + days * DAY_S,
        ],
    )


def _detractors(
    workspace: Workspace, as_of: pd.Timestamp, due_s: ir.IntegerValue, since_s: ir.IntegerValue
) -> ir.Table:
    answers = survey_answers(workspace, as_of)
    answers = answers.filter(
        answers["detractor"]
        & answers["customer_id"].notnull()
        & (answers["received_s"] <= due_s)
        & (answers["received_s"] >= since_s)
    )
    return answers.select(
        case_kind=ibis.literal("detractor"),
        case_id=answers["feedback_id"],
        customer_id=answers["customer_id"],
        at=answers["received_at"],
        at_s=answers["received_s"],
        survey=answers["kind"],
        score=answers["score"],
        scale_max=answers["scale_max"],
        category=ibis.null("string"),
        severity=ibis.null("string"),
        channel=answers["channel"],
    )


def _unresolved(workspace: Workspace, as_of: pd.Timestamp, due_s: ir.IntegerValue) -> ir.Table:
    states = complaint_states(workspace, as_of)
    states = states.filter(
        (states["state"] != "closed")
        & states["customer_id"].notnull()
        & (states["opened_s"] <= due_s)
    )
    return states.select(
        case_kind=ibis.literal("unresolved_complaint"),
        case_id=states["complaint_id"],
        customer_id=states["customer_id"],
        at=states["opened_at"],
        at_s=states["opened_s"],
        survey=ibis.null("string"),
        score=ibis.null("float64"),
        scale_max=ibis.null("float64"),
        category=states["category"],
        severity=states["severity"],
        channel=states["channel"],
    )


def closed_loop(
    workspace: Workspace,
    *,
    days: int = 7,
    as_of: date | datetime | str | None = None,
    detractor_window_days: int = 90,
) -> pd.DataFrame:
    """The customers to call back: detractors and unresolved complaints with no follow-up
    contact within ``days``, most urgent first.

    Order (``priority``): 1 = unresolved complaints of severity ``critical`` or ``high``;
    2 = detractors; 3 = other unresolved complaints (``medium``, ``low`` or no severity). Within
    a priority, the case that has waited longest comes first (then by case id), so the list reads
    as a queue.

    Parameters
    ----------
    workspace : Workspace
        Reads ``feedback``, ``complaints`` and ``interactions``.
    days : int, default 7
        How long a case may wait for a follow-up contact; younger cases are not listed yet.
    as_of : date, datetime or str, optional
        The moment the list is drawn up at (a bare date means the end of that day). Default:
        the latest timestamp in complaints, feedback and interactions.
    detractor_window_days : int, default 90
        Detractors older than this are no longer listed (an unresolved complaint is listed
        however old it is).

    Returns
    -------
    pandas.DataFrame
        One row per case, columns :data:`CASE_COLUMNS`: ``priority``, ``case_kind``
        (``detractor`` or ``unresolved_complaint``), ``case_id`` (``feedback_id`` or
        ``complaint_id``), ``customer_id`` (the golden id), ``at`` (answer received or
        complaint opened), ``days_waiting`` (from ``at`` to ``as_of``), ``survey``, ``score``
        and ``scale_max`` (detractors), ``category`` and ``severity`` (complaints), ``channel``.

    Raises
    ------
    InvalidParameterError
        When ``days`` or ``detractor_window_days`` is not a positive whole number.
    ModelDataError
        When the workspace holds no data at all and ``as_of`` is not given.
    """
    for name, value in {"days": days, "detractor_window_days": detractor_window_days}.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidParameterError(
                f"{name} must be a whole number of days ≥ 1, not {value!r}."
            )
    moment = resolved_as_of(workspace, as_of)
    now = moment_seconds(moment)
    due_s = now - days * DAY_S
    cases = ibis.union(
        _detractors(workspace, moment, due_s, now - detractor_window_days * DAY_S),
        _unresolved(workspace, moment, due_s),
    )
    cases = _without_follow_up(workspace, cases, days)
    severity = cases["severity"].fill_null("")
    priority = ibis.cases(
        (cases["case_kind"] == "detractor", 2),
        (severity.isin(["critical", "high"]), 1),
        else_=3,
    )
    cases = cases.mutate(
        priority=priority, days_waiting=(now - cases["at_s"]).cast("float64") / DAY_S
    )
    ordered = cases.order_by(["priority", ibis.desc("days_waiting"), "case_id"])
    frame = ordered.select(*CASE_COLUMNS).to_pandas()
    return frame.astype({"priority": "int64", "days_waiting": "float64"}).reset_index(drop=True)
