"""The scorecard's KPIs per team or channel, computed in the engine.

Outcome KPIs say what the customer got; productivity KPIs say what the contact cost. Every
count comes from the canonical tables (golden customer ids, so one person's records count as
one customer), and only one row per group and period comes back.

A **handled contact** is an inbound ``interactions`` row with a ``team`` whose touchpoint is
not a wait (``queue`` by default): a call, a chat, an e-mail answered by the team.

Outcomes
    * **first-contact resolution** (``fcr``): the share of handled contacts *not* followed by
      another inbound contact of the same customer for the same ``reason`` within
      ``repeat_days`` (7). A transfer to another team counts as not resolved at first contact.
      Only contacts at least ``repeat_days`` before the last recorded contact are counted, so
      the latest ones are not called resolved for lack of time.
    * **CSAT** and **effort** (CES): the survey answers given within 7 days of a contact with
      the team (:func:`emptychair.voice.context.feedback_in_context`): the share of satisfied
      answers (4–5 on 5) and the share of easy answers (5–7 on 7).
    * **complaint rate**: complaints handled by the team per 1,000 handled contacts, and the
      median days from opening to closing of its closed complaints.
    * **retention of handled customers**: the share of handled contacts after which the
      customer ordered again within ``retention_days`` (90); only contacts at least that long
      before the last recorded order count.

Productivity
    * **handled contacts**, **average handle time** (``aht_s``, mean ``duration_s``) and the
      contacts per agent when the team sizes are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from emptychair.errors import InvalidParameterError
from emptychair.identity import with_golden_ids
from emptychair.voice.context import feedback_in_context
from emptychair.workspace import Workspace

GROUPINGS = ("team", "channel")
"""What a scorecard can compare."""
DAY_S = 86_400


@dataclass(frozen=True)
class ScorecardSettings:
    """Definitions behind the KPIs (see the module's docstring)."""

    repeat_days: int = 7
    retention_days: int = 90
    wait_touchpoints: tuple[str, ...] = ("queue",)
    agents: Mapping[str, int] = field(default_factory=dict)
    """Agents per team, for contacts per agent (optional)."""

    def checked(self) -> ScorecardSettings:
        for name in ("repeat_days", "retention_days"):
            if getattr(self, name) < 1:
                raise InvalidParameterError(
                    f"{name} must be 1 day or more, not {getattr(self, name)}"
                )
        for team, count in self.agents.items():
            if not isinstance(count, int) or count < 1:
                raise InvalidParameterError(
                    f"agents for team {team!r} must be a whole number of 1 or more, not {count!r}"
                )
        return self


def _checked_grouping(by: str) -> str:
    if by not in GROUPINGS:
        raise InvalidParameterError(
            f"by {by!r} is not supported; use one of: {', '.join(GROUPINGS)}"
        )
    return by


def _period(column: ir.TimestampValue, period: str | None) -> ir.Value:
    if period is None:
        return ibis.literal("all")
    if period not in ("month", "quarter", "half"):
        raise InvalidParameterError(
            f"period {period!r} is not supported; use None, 'month', 'quarter' or 'half'"
        )
    if period == "half":
        month = column.month()
        return column.year().cast("string") + ibis.ifelse(month <= 6, "-H1", "-H2")
    return column.truncate("M" if period == "month" else "Q").cast("date").cast("string")


def handled_contacts(workspace: Workspace, settings: ScorecardSettings) -> ir.Table:
    """Every handled contact, with ``repeated`` (another contact for the same reason followed
    within ``repeat_days``), ``counted`` (old enough to tell), ``retained`` and
    ``retention_known``."""
    table = with_golden_ids(workspace, workspace.table("interactions"))
    inbound = table.filter(table["direction"].fill_null("inbound") != "outbound")
    assisted = inbound.filter(inbound["team"].notnull())
    by_reason = ibis.window(
        group_by=[assisted["customer_id"], assisted["reason"]], order_by=assisted["occurred_at"]
    )
    waits = list(settings.wait_touchpoints)
    # The next row of the same customer and reason, a wait or a handled contact, starts the
    # next request: a call after a wait is the same request, but the wait comes first.
    marked = assisted.mutate(
        _next_at=assisted["occurred_at"].lead().over(by_reason),
        _is_wait=assisted["touchpoint"].isin(waits).fill_null(False),
    )
    handled = marked.filter(~marked["_is_wait"])
    last_contact = inbound["occurred_at"].max().as_scalar()
    seconds_to_next = handled["_next_at"].epoch_seconds() - handled["occurred_at"].epoch_seconds()
    repeat_s = settings.repeat_days * DAY_S
    contacts = handled.mutate(
        repeated=(seconds_to_next <= repeat_s).fill_null(False),
        counted=(last_contact.epoch_seconds() - handled["occurred_at"].epoch_seconds()) >= repeat_s,
    ).drop("_next_at", "_is_wait")
    return _with_retention(workspace, contacts, settings)


def _with_retention(
    workspace: Workspace, contacts: ir.Table, settings: ScorecardSettings
) -> ir.Table:
    orders = with_golden_ids(workspace, workspace.table("orders")).select(
        order_customer="customer_id", ordered_at="ordered_at"
    )
    last_order = orders["ordered_at"].max().as_scalar()
    window = ibis.interval(days=settings.retention_days)
    keyed = contacts.mutate(_contact=ibis.row_number())
    joined = keyed.left_join(
        orders,
        [
            keyed["customer_id"] == orders["order_customer"],
            orders["ordered_at"] > keyed["occurred_at"],
            orders["ordered_at"] <= keyed["occurred_at"] + window,
        ],
    )
    per_contact = joined.group_by(*keyed.columns).aggregate(
        _orders_after=joined["order_customer"].count()
    )
    return per_contact.mutate(
        retained=per_contact["_orders_after"] > 0,
        retention_known=per_contact["occurred_at"] + window <= last_order,
    ).drop("_orders_after", "_contact")


def contact_kpis(
    workspace: Workspace, by: str, settings: ScorecardSettings, period: str | None = None
) -> pd.DataFrame:
    """Handled contacts, handle time, first-contact resolution and retention per group."""
    contacts = handled_contacts(workspace, settings)
    contacts = contacts.mutate(period=_period(contacts["occurred_at"], period))
    keys = [_checked_grouping(by), "period"]
    table = contacts.group_by(keys).aggregate(
        handled=contacts.count(),
        aht_s=contacts["duration_s"].mean(),
        fcr_n=contacts["counted"].sum(),
        fcr_resolved=(contacts["counted"] & ~contacts["repeated"]).sum(),
        retention_n=contacts["retention_known"].sum(),
        retained=(contacts["retention_known"] & contacts["retained"]).sum(),
    )
    return workspace.to_pandas(table)


def complaint_kpis(workspace: Workspace, by: str, period: str | None = None) -> pd.DataFrame:
    """Complaints per group and the median days to close them."""
    complaints = workspace.table("complaints")
    complaints = complaints.filter(complaints[_checked_grouping(by)].notnull())
    days = (
        complaints["closed_at"].epoch_seconds() - complaints["opened_at"].epoch_seconds()
    ) / DAY_S
    complaints = complaints.mutate(period=_period(complaints["opened_at"], period), _days=days)
    table = complaints.group_by([by, "period"]).aggregate(
        complaints=complaints.count(),
        resolution_days=complaints["_days"].median(),
    )
    return workspace.to_pandas(table)


def survey_kpis(workspace: Workspace, by: str, period: str | None = None) -> pd.DataFrame:
    """Satisfied (CSAT 4–5 on 5) and easy (CES 5–7 on 7) answers per group."""
    feedback = (
        feedback_in_context(workspace, ["team"]) if by == "team" else workspace.table("feedback")
    )
    feedback = feedback.filter(feedback[_checked_grouping(by)].notnull())
    csat = (feedback["kind"] == "csat") & (feedback["scale_max"].fill_null(5.0) == 5)
    ces = (feedback["kind"] == "ces") & (feedback["scale_max"].fill_null(7.0) == 7)
    rows = feedback.mutate(
        period=_period(feedback["received_at"], period),
        _csat=csat & feedback["score"].notnull(),
        _ces=ces & feedback["score"].notnull(),
    )
    table = rows.group_by([by, "period"]).aggregate(
        csat_n=rows["_csat"].sum(),
        csat_satisfied=(rows["_csat"] & (rows["score"] >= 4)).sum(),
        ces_n=rows["_ces"].sum(),
        ces_easy=(rows["_ces"] & (rows["score"] >= 5)).sum(),
    )
    return workspace.to_pandas(table)


def kpi_table(
    workspace: Workspace,
    by: str = "team",
    settings: ScorecardSettings | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """All the KPIs of each group (and period): counts, then the rates they give.

    Returns
    -------
    pandas.DataFrame
        One row per ``by`` value and ``period`` ("all" without a period): ``handled``,
        ``aht_s``, ``contacts_per_agent`` (teams with a size), ``fcr`` (``fcr_resolved`` /
        ``fcr_n``), ``csat`` (``csat_satisfied`` / ``csat_n``), ``easy`` (``ces_easy`` /
        ``ces_n``), ``complaints_per_1000``, ``resolution_days``, ``retention``
        (``retained`` / ``retention_n``).
    """
    chosen = (settings or ScorecardSettings()).checked()
    keys = [_checked_grouping(by), "period"]
    frame = contact_kpis(workspace, by, chosen, period)
    for extra in (complaint_kpis(workspace, by, period), survey_kpis(workspace, by, period)):
        frame = frame.merge(extra, on=keys, how="left")
    counts = ["complaints", "csat_n", "csat_satisfied", "ces_n", "ces_easy"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    for column in ("handled", "fcr_n", "fcr_resolved", "retention_n", "retained"):
        frame[column] = frame[column].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["fcr"] = frame["fcr_resolved"] / frame["fcr_n"].where(frame["fcr_n"] > 0)
        frame["csat"] = frame["csat_satisfied"] / frame["csat_n"].where(frame["csat_n"] > 0)
        frame["easy"] = frame["ces_easy"] / frame["ces_n"].where(frame["ces_n"] > 0)
        frame["retention"] = frame["retained"] / frame["retention_n"].where(
            frame["retention_n"] > 0
        )
        frame["complaints_per_1000"] = 1000 * frame["complaints"] / frame["handled"]
    if by == "team":
        agents = frame["team"].map(dict(chosen.agents))
        frame["contacts_per_agent"] = frame["handled"] / agents
    else:
        frame["contacts_per_agent"] = np.nan
    channel = _team_channels(workspace) if by == "team" else None
    if channel is not None:
        frame.insert(1, "channel", frame["team"].map(channel))
    return frame.sort_values(keys).reset_index(drop=True)


def _team_channels(workspace: Workspace) -> dict[str, str]:
    """The channel on which each team handles most contacts."""
    table = workspace.table("interactions")
    table = table.filter(table["team"].notnull())
    counts = workspace.to_pandas(table.group_by(["team", "channel"]).aggregate(n=table.count()))
    top = counts.sort_values(["team", "n"], ascending=[True, False]).drop_duplicates("team")
    return dict(zip(top["team"], top["channel"], strict=True))
