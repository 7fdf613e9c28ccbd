"""The comparison panel of the practice detector, built in the engine.

A *practice* is a kind of outbound action: the campaign ids that share a name once
their trailing date or number is removed (``CMP-2025-03`` and ``CMP-2025-04`` are the
practice ``CMP``), or each campaign id on its own. Its sends are grouped by week into
*waves*; a wave starts on the Monday of the week of the sends.

For each wave, every golden customer known before the wave starts and within reach of
the company's campaigns (contacted by at least one outbound campaign, of any practice, at
some time in the data) is one row of the panel, so that customers no campaign targets
(shop-only customers without a marketing file, say) are not taken as comparable. A row is
contacted by the practice that week or not, with covariates
measured at the start of the wave (orders and spend before, days since the last order,
tenure, e-mail consent, an earlier contact by the same practice in the long window) and
outcomes measured after it:

* short window ``[start, start + short)``: ``revenue_short``;
* long window ``[start + short, start + long)``: ``complaint`` (a complaint opened),
  ``unsubscribe`` (a consent withdrawn), ``dissatisfied`` (an NPS answer of 6 or less
  or a CSAT answer in the lowest two fifths of its scale), ``lapse`` (no order) and
  ``revenue_later``.

The covariates are coarsened into strata (:func:`strata`), so that contacted and
uncontacted customers are compared within the same wave and the same stratum.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from emptychair.identity import golden_customers, with_golden_ids
from emptychair.workspace import Workspace

DAY_S = 86_400
WEEK_S = 7 * DAY_S
#: 1970-01-05 was a Monday: waves start on Mondays.
MONDAY_S = 4 * DAY_S
#: Trailing part of a campaign id removed to name its practice: a separator, then a
#: date or number and whatever follows it.
SUFFIX = r"[-_ ./]*[0-9][0-9A-Za-z_ ./-]*$"
#: Binary outcomes of the long window and the one money outcome, in display order.
OUTCOMES = (
    "revenue_short",
    "complaint",
    "unsubscribe",
    "dissatisfied",
    "lapse",
    "revenue_later",
)
BINARY_OUTCOMES = ("complaint", "unsubscribe", "dissatisfied", "lapse")
STRATUM_COLUMNS = (
    "orders_band",
    "spend_band",
    "recency_band",
    "tenure_band",
    "email_consent",
    "contacted_before",
)


def practice_name(campaign_id: ir.StringValue, by: str) -> ir.StringValue:
    """The practice of a campaign id: the id itself (``by="campaign"``) or its name
    without the trailing date or number (``by="practice"``)."""
    if by == "campaign":
        return campaign_id
    stripped = campaign_id.re_replace(SUFFIX, "")
    return ibis.ifelse(stripped == "", campaign_id, stripped)


def sends(workspace: Workspace, by: str) -> ir.Table:
    """Outbound interactions with a campaign id: practice, campaign, channel, golden
    customer, time (epoch seconds) and wave start."""
    table = with_golden_ids(workspace, workspace.table("interactions"))
    table = table.filter(
        (table["direction"] == "outbound")
        & table["campaign_id"].notnull()
        & (table["campaign_id"] != "")
        & table["customer_id"].notnull()
    )
    at = table["occurred_at"].epoch_seconds()
    return table.select(
        practice=practice_name(table["campaign_id"], by),
        campaign_id=table["campaign_id"],
        channel=table["channel"].fill_null("unknown"),
        customer_id=table["customer_id"],
        at_s=at,
        wave_s=((at - MONDAY_S) // WEEK_S) * WEEK_S + MONDAY_S,
    )


def _events(workspace: Workspace) -> ir.Table:
    """Every dated event an outcome or covariate counts: kind, customer, time, amount."""
    orders = with_golden_ids(workspace, workspace.table("orders"))
    orders = orders.filter(orders["customer_id"].notnull() & orders["ordered_at"].notnull())
    complaints = with_golden_ids(workspace, workspace.table("complaints"))
    complaints = complaints.filter(
        complaints["customer_id"].notnull() & complaints["opened_at"].notnull()
    )
    feedback = with_golden_ids(workspace, workspace.table("feedback"))
    score, scale = feedback["score"].cast("float64"), feedback["scale_max"].cast("float64")
    unhappy = ((feedback["kind"] == "nps") & (score <= 6)) | (
        (feedback["kind"] == "csat") & (score <= 0.4 * scale.fill_null(5.0))
    )
    feedback = feedback.filter(feedback["customer_id"].notnull() & unhappy)
    consents = workspace.table("consents")
    before = ibis.window(
        group_by=[consents["customer_id"], consents["purpose"]],
        order_by=[consents["recorded_at"], ibis.desc(consents["granted"].cast("int8"))],
    )
    consents = consents.mutate(previous=consents["granted"].lag().over(before))
    consents = with_golden_ids(workspace, consents).filter(
        lambda t: t["customer_id"].notnull() & t["recorded_at"].notnull()
    )
    withdrawals = consents.filter(~consents["granted"].fill_null(True) & consents["previous"])
    email = consents.filter(consents["purpose"] == "email")
    no_amount = ibis.literal(0.0)

    def event(table: ir.Table, kind: ir.Value | str, at: str, amount: ir.Value) -> ir.Table:
        return table.select(
            kind=ibis.literal(kind) if isinstance(kind, str) else kind,
            customer_id=table["customer_id"],
            at_s=table[at].epoch_seconds(),
            amount=amount.cast("float64"),
        )

    email_kind = ibis.ifelse(email["granted"].fill_null(False), "email_on", "email_off")
    return ibis.union(
        event(orders, "order", "ordered_at", orders["amount"].fill_null(0.0)),
        event(complaints, "complaint", "opened_at", no_amount),
        event(feedback, "dissatisfied", "received_at", no_amount),
        event(withdrawals, "withdrawal", "recorded_at", no_amount),
        event(email, email_kind, "recorded_at", no_amount),
    )


def _people(workspace: Workspace) -> ir.Table:
    """Golden customers and when they became known (the earliest of their records)."""
    golden = golden_customers(workspace).select("customer_id")
    records = with_golden_ids(workspace, workspace.table("customers"))
    known = records.group_by("customer_id").aggregate(
        known_s=records["created_at"].epoch_seconds().min()
    )
    orders = with_golden_ids(workspace, workspace.table("orders"))
    first = orders.group_by("customer_id").aggregate(
        first_order_s=orders["ordered_at"].epoch_seconds().min()
    )
    people = golden.left_join(known, "customer_id").left_join(first, "customer_id")
    since = ibis.least(
        people["known_s"].fill_null(people["first_order_s"]),
        people["first_order_s"].fill_null(people["known_s"]),
    )
    return people.select(customer_id=people["customer_id"], since_s=since).filter(
        lambda t: t["since_s"].notnull()
    )


def panel(
    workspace: Workspace, contacts: ir.Table, waves: ir.Table, short_s: int, long_s: int
) -> ir.Table:
    """One row per practice, wave and golden customer known before the wave.

    Parameters
    ----------
    contacts
        Distinct ``(practice, wave_s, customer_id)`` of the sends of every practice.
    waves
        The ``(practice, wave_s)`` to compare (old enough for the long window).
    short_s, long_s
        End of the short and of the long window, in seconds after the wave start.
    """
    reached = contacts.select("customer_id").distinct()
    people = _people(workspace).semi_join(reached, "customer_id")
    starts = waves.select("wave_s").distinct()
    keys = starts.cross_join(people).filter(lambda t: t["since_s"] < t["wave_s"])
    events = _events(workspace)
    joined = keys.join(
        events,
        [keys["customer_id"] == events["customer_id"], events["at_s"] < keys["wave_s"] + long_s],
    )
    at, w, kind, amount = joined["at_s"], joined["wave_s"], joined["kind"], joined["amount"]
    before = at < w
    short = (at >= w) & (at < w + short_s)
    later = (at >= w + short_s) & (at < w + long_s)
    order = kind == "order"
    measured = joined.group_by([keys["wave_s"], keys["customer_id"]]).aggregate(
        orders_before=(order & before).sum(),
        spend_before=ibis.ifelse(order & before, amount, 0.0).sum(),
        last_order_s=ibis.ifelse(order & before, at, ibis.null("int64")).max(),
        revenue_short=ibis.ifelse(order & short, amount, 0.0).sum(),
        revenue_later=ibis.ifelse(order & later, amount, 0.0).sum(),
        orders_later=(order & later).sum(),
        complaint=((kind == "complaint") & later).any(),
        unsubscribe=((kind == "withdrawal") & later).any(),
        dissatisfied=((kind == "dissatisfied") & later).any(),
        email_on_s=ibis.ifelse((kind == "email_on") & (at <= w), at, ibis.null("int64")).max(),
        email_off_s=ibis.ifelse((kind == "email_off") & (at <= w), at, ibis.null("int64")).max(),
    )
    base = keys.left_join(measured, ["wave_s", "customer_id"]).select(
        keys["wave_s"],
        keys["customer_id"],
        keys["since_s"],
        *[c for c in measured.columns if c not in ("wave_s", "customer_id")],
    )
    rows = waves.select("practice", "wave_s").join(base, "wave_s")
    treated = contacts.select("practice", "wave_s", "customer_id").mutate(
        contacted=ibis.literal(True)
    )
    earlier = (
        waves.select("practice", "wave_s")
        .join(
            contacts.select("practice", "customer_id", sent_s=contacts["wave_s"]),
            "practice",
        )
        .filter(lambda t: (t["sent_s"] < t["wave_s"]) & (t["sent_s"] >= t["wave_s"] - long_s))
        .select("practice", "wave_s", "customer_id")
        .distinct()
        .mutate(contacted_before=ibis.literal(True))
    )
    rows = rows.left_join(treated, ["practice", "wave_s", "customer_id"]).select(
        *rows.columns, contacted=treated["contacted"]
    )
    rows = rows.left_join(earlier, ["practice", "wave_s", "customer_id"]).select(
        *rows.columns, contacted_before=earlier["contacted_before"]
    )
    return rows.mutate(
        contacted=rows["contacted"].fill_null(False),
        contacted_before=rows["contacted_before"].fill_null(False),
        orders_before=rows["orders_before"].fill_null(0),
        spend_before=rows["spend_before"].fill_null(0.0),
        revenue_short=rows["revenue_short"].fill_null(0.0),
        revenue_later=rows["revenue_later"].fill_null(0.0),
        complaint=rows["complaint"].fill_null(False).cast("float64"),
        unsubscribe=rows["unsubscribe"].fill_null(False).cast("float64"),
        dissatisfied=rows["dissatisfied"].fill_null(False).cast("float64"),
        lapse=(rows["orders_later"].fill_null(0) == 0).cast("float64"),
        email_consent=rows["email_on_s"].notnull()
        & (rows["email_on_s"] > rows["email_off_s"].fill_null(-1)),
    )


def strata(rows: ir.Table, spend_cuts: tuple[float, float]) -> ir.Table:
    """The panel with its coarsened covariates and a ``stratum`` key per row.

    Orders before: 0, 1, 2-3, 4 or more; spend before: terciles of the customers who
    bought (``spend_cuts``); days since the last order: under 90, 90-269, 270 or more
    (none without orders); tenure: under 180 days, 180-539, 540 or more; e-mail consent
    and an earlier contact by the practice in the long window: yes or no.
    """
    low, high = spend_cuts
    days = lambda s: (rows["wave_s"] - s).cast("float64") / DAY_S  # noqa: E731
    orders = rows["orders_before"]
    spend = rows["spend_before"]
    recency = days(rows["last_order_s"])
    tenure = days(rows["since_s"])
    banded = rows.mutate(
        orders_band=ibis.cases((orders == 0, 0), (orders == 1, 1), (orders <= 3, 2), else_=3),
        spend_band=ibis.cases((orders == 0, 0), (spend <= low, 1), (spend <= high, 2), else_=3),
        recency_band=ibis.cases(
            (rows["last_order_s"].isnull(), 0), (recency < 90, 1), (recency < 270, 2), else_=3
        ),
        tenure_band=ibis.cases((tenure < 180, 0), (tenure < 540, 1), else_=2),
    )
    key = ibis.literal("w").concat(banded["wave_s"].cast("string"))
    for column in STRATUM_COLUMNS:
        key = key.concat("|", banded[column].cast("int8").cast("string"))
    return banded.mutate(stratum=key)
