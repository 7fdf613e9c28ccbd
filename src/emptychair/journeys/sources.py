"""The four tables that hold what customers do, read as one stream of events.

Each row of ``interactions``, ``orders``, ``feedback`` and ``complaints`` becomes one event
with the same columns, built as an Ibis expression (it runs on DuckDB and Spark alike):

========================  ====================================================================
column                    meaning
========================  ====================================================================
``source``                the table it comes from
``source_rank``           0–3 in the order above; breaks ties between simultaneous events
``person_id``             the golden customer id, else ``visitor:`` and the anonymous visitor
``customer_id``           the golden customer id (null for anonymous visits)
``timestamp``             when it happened (``occurred_at``, ``ordered_at``, ``received_at``,
                          ``opened_at``)
``channel``               the channel; ``unknown`` when missing
``touchpoint``            the interaction's touchpoint (``interaction`` when missing),
                          ``order``, ``feedback_<kind>`` or ``complaint``
``team``                  the team that handled it (interactions and complaints)
``reason``                why the customer got in touch (a complaint's category)
``outcome``               how an interaction ended
``direction``             ``inbound`` or ``outbound`` (interactions)
``duration_s``            how long an interaction lasted, in seconds
``journey_id``            the journey recorded with the interaction, if any
``is_purchase``           an order, or an interaction whose outcome is ``purchase``
``is_complaint``          a complaint
``is_detractor``          an NPS answer of 0–6, a CSAT in the bottom 40 % of its scale, a CES
                          of 1–3
========================  ====================================================================

Customer ids are replaced by their golden id (:func:`emptychair.identity.with_golden_ids`): the
events of two linked records are one customer's.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from emptychair.identity import with_golden_ids
from emptychair.workspace import Workspace

SOURCES: tuple[str, ...] = ("interactions", "orders", "feedback", "complaints")
UNKNOWN_CHANNEL = "unknown"
VISITOR_PREFIX = "visitor:"
#: Top of the scale of each survey kind when ``scale_max`` is missing.
DEFAULT_SCALE: dict[str, float] = {"nps": 10.0, "csat": 5.0, "ces": 7.0}


def _text(value: ir.Value | None = None) -> ir.StringValue:
    return value.cast("string") if value is not None else ibis.null("string")


def _event(
    table: ir.Table,
    source: str,
    *,
    timestamp: str,
    touchpoint: ir.StringValue,
    person: ir.StringValue | None = None,
    team: ir.Value | None = None,
    reason: ir.Value | None = None,
    outcome: ir.Value | None = None,
    direction: ir.Value | None = None,
    duration_s: ir.Value | None = None,
    journey_id: ir.Value | None = None,
    is_purchase: ir.BooleanValue | bool = False,
    is_complaint: bool = False,
    is_detractor: ir.BooleanValue | bool = False,
) -> ir.Table:
    customer = table["customer_id"].cast("string")
    return table.select(
        source=ibis.literal(source),
        source_rank=ibis.literal(SOURCES.index(source), type="int8"),
        person_id=customer.coalesce(person) if person is not None else customer,
        customer_id=customer,
        timestamp=table[timestamp].cast("timestamp"),
        channel=table["channel"].cast("string").fill_null(UNKNOWN_CHANNEL),
        touchpoint=touchpoint,
        team=_text(team),
        reason=_text(reason),
        outcome=_text(outcome),
        direction=_text(direction),
        duration_s=duration_s.cast("float64") if duration_s is not None else ibis.null("float64"),
        journey_id=_text(journey_id),
        is_purchase=ibis.literal(is_purchase) if isinstance(is_purchase, bool) else is_purchase,
        is_complaint=ibis.literal(is_complaint),
        is_detractor=ibis.literal(is_detractor) if isinstance(is_detractor, bool) else is_detractor,
    )


def interaction_events(workspace: Workspace) -> ir.Table:
    """Every interaction as an event; anonymous visits keep their visitor as the person."""
    table = with_golden_ids(workspace, workspace.table("interactions"))
    visitor = ibis.literal(VISITOR_PREFIX).concat(table["visitor_id"].cast("string"))
    return _event(
        table,
        "interactions",
        timestamp="occurred_at",
        touchpoint=table["touchpoint"].cast("string").fill_null("interaction"),
        person=visitor,
        team=table["team"],
        reason=table["reason"],
        outcome=table["outcome"],
        direction=table["direction"],
        duration_s=table["duration_s"],
        journey_id=table["journey_id"],
        is_purchase=(table["outcome"] == "purchase").fill_null(False),
    )


def order_events(workspace: Workspace) -> ir.Table:
    """Every order as an ``order`` event on its channel."""
    table = with_golden_ids(workspace, workspace.table("orders"))
    return _event(
        table, "orders", timestamp="ordered_at", touchpoint=ibis.literal("order"), is_purchase=True
    )


def feedback_events(workspace: Workspace) -> ir.Table:
    """Every survey answer or review as a ``feedback_<kind>`` event, with ``is_detractor``."""
    table = with_golden_ids(workspace, workspace.table("feedback"))
    kind, score = table["kind"].cast("string"), table["score"].cast("float64")
    scale = (
        table["scale_max"]
        .cast("float64")
        .coalesce(kind.cases(*DEFAULT_SCALE.items(), else_=ibis.null("float64")))
    )
    detractor = kind.cases(
        ("nps", score <= 6), ("csat", score <= 0.4 * scale), ("ces", score <= 3), else_=False
    )
    return _event(
        table,
        "feedback",
        timestamp="received_at",
        touchpoint=ibis.literal("feedback_").concat(kind.fill_null("unknown")),
        is_detractor=detractor.fill_null(False),
    )


def complaint_events(workspace: Workspace) -> ir.Table:
    """Every complaint as a ``complaint`` event at its opening, with its category as reason."""
    table = with_golden_ids(workspace, workspace.table("complaints"))
    return _event(
        table,
        "complaints",
        timestamp="opened_at",
        touchpoint=ibis.literal("complaint"),
        team=table["team"],
        reason=table["category"],
        is_complaint=True,
    )


def workspace_events(workspace: Workspace, sources: tuple[str, ...] = SOURCES) -> ir.Table:
    """The events of the chosen ``sources`` (default: all four tables), as one table."""
    builders = {
        "interactions": interaction_events,
        "orders": order_events,
        "feedback": feedback_events,
        "complaints": complaint_events,
    }
    parts = [builders[name](workspace) for name in sources]
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
