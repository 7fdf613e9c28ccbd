"""One row per customer with what the action rules and guardrails read, in the engine.

The features come from the canonical tables, read at the moment ``as_of`` (nothing
recorded later is known), and from the latest value and voice runs:

* ``customers`` (golden customers: one row per person): ``tenure_days``;
* the value run (``value_customers``): ``clv``, ``p_alive``, ``segment``, ``tier``,
  ``orders``, ``total_spend``, ``days_since_last_purchase``;
* ``feedback`` (NPS and CSAT answers read as the voice analysis reads them):
  ``last_nps``, ``days_since_last_nps``, ``last_csat`` (0–1 of its scale),
  ``detractor_followed_up``;
* the voice run (``voice_verbatims``): ``negative_themes``, the themes the customer
  spoke of negatively in the ``themes_days`` before ``as_of``;
* ``complaints``: ``open_complaints`` (open or acknowledged at ``as_of``);
* ``interactions``: ``recent_outbound_contacts`` (in the ``period_days`` before
  ``as_of``) and ``days_since_last_contact`` (the last outbound one);
* the consent registry (:mod:`emptychair.privacy.consent`): ``consent_email``,
  ``consent_sms``... the latest decision per purpose at ``as_of`` (on a tie, a
  withdrawal wins), held back by a withdrawal recorded since; no decision means no
  consent.

A missing run leaves its features NULL, so the rules that read them are not met, and
:attr:`CustomerFeatures.warnings` names the run to make.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import NotFoundError
from emptychair.identity import golden_customers, with_golden_ids
from emptychair.privacy.consent import decisions as consent_decisions
from emptychair.schema import get_table
from emptychair.voice.complaints import DAY_S, complaint_states, moment_seconds, survey_answers
from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run, result_table

PURPOSES: tuple[str, ...] = get_table("consents").column("purpose").allowed or ()

#: Every feature a rule may read: its type (see :data:`emptychair.actions.rules.FEATURE_TYPES`)
#: and what it means.
FEATURES: dict[str, tuple[str, str]] = {
    "tenure_days": ("number", "days since the customer record was created"),
    "clv": ("number", "customer lifetime value from the value run"),
    "p_alive": ("number", "probability the customer is still active (value run)"),
    "segment": ("text", "RFM segment (value run), e.g. champions, at risk"),
    "tier": ("text", "CLV tier (value run): top, high, medium, low"),
    "orders": ("number", "orders placed (value run)"),
    "total_spend": ("number", "total spent (value run)"),
    "days_since_last_purchase": ("number", "days since the last order (value run)"),
    "last_nps": ("number", "score of the latest NPS answer (0-10)"),
    "days_since_last_nps": ("number", "days since the latest NPS answer"),
    "last_csat": ("number", "latest CSAT answer as a share of its scale (0-1)"),
    "detractor_followed_up": (
        "boolean",
        "a personal outbound contact or a closed complaint since the latest NPS answer",
    ),
    "negative_themes": ("text_list", "themes spoken of negatively recently (voice run)"),
    "open_complaints": ("number", "complaints open or acknowledged, not closed"),
    "recent_outbound_contacts": ("number", "outbound contacts in the pressure period"),
    "days_since_last_contact": ("number", "days since the last outbound contact"),
    **{f"consent_{p}": ("boolean", f"current consent for {p}") for p in PURPOSES},
    "restricted": ("boolean", "the person restricted the processing of their data (now)"),
    "objects_to_marketing": ("boolean", "the person objects to direct marketing (now)"),
}
FEATURE_TYPES: dict[str, str] = {name: kind for name, (kind, _) in FEATURES.items()}
_VALUE_FEATURES = ("clv", "p_alive", "segment", "tier", "orders", "total_spend",
                   "days_since_last_purchase")  # fmt: skip
_IBIS_TYPES = {"number": "float64", "text": "string", "boolean": "boolean"}


@dataclass(frozen=True)
class FeatureWindows:
    """The periods the features look back over, in days."""

    #: Outbound contacts counted in ``recent_outbound_contacts``.
    period_days: int = 30
    #: Verbatims whose negative themes count in ``negative_themes``.
    themes_days: int = 365


@dataclass
class CustomerFeatures:
    """The feature table and where it came from."""

    table: ir.Table
    as_of: pd.Timestamp
    value_run: str | None
    voice_run: str | None
    warnings: list[str] = field(default_factory=list)


def _latest_run(workspace: Workspace, analysis: str, run_id: str | None) -> str | None:
    try:
        return str(resolve_run(workspace, analysis, run_id)["run_id"])
    except NotFoundError:
        if run_id is not None:
            raise
        return None


def _days(later: ir.IntegerValue, earlier: ir.IntegerValue) -> ir.FloatingValue:
    return (later - earlier).cast("float64") / DAY_S


def _value_features(workspace: Workspace, run_id: str | None, now: ir.IntegerValue) -> ir.Table:
    if run_id is None:
        empty = {n: _IBIS_TYPES[FEATURE_TYPES[n]] for n in _VALUE_FEATURES}
        return ibis.memtable(pd.DataFrame({"customer_id": pd.Series(dtype="string")})).mutate(
            **{n: ibis.null(t) for n, t in empty.items()}
        )
    scores = result_table(workspace, "value_customers", run_id)
    return scores.select(
        customer_id=scores["customer_id"],
        clv=scores["clv"].cast("float64"),
        p_alive=scores["probability_alive"].cast("float64"),
        segment=scores["segment"],
        tier=scores["tier"],
        orders=scores["orders"].cast("float64"),
        total_spend=scores["total_spend"].cast("float64"),
        days_since_last_purchase=_days(now, scores["last_purchase_at"].epoch_seconds()),
    )


def _survey_features(workspace: Workspace, as_of: pd.Timestamp) -> ir.Table:
    answers = survey_answers(workspace, as_of)
    answers = answers.filter(answers["customer_id"].notnull())
    newest = ibis.window(
        group_by=[answers["customer_id"], answers["kind"]],
        order_by=[ibis.desc(answers["received_s"]), ibis.desc(answers["feedback_id"])],
    )
    latest = answers.mutate(rank=ibis.row_number().over(newest))
    latest = latest.filter((latest["rank"] == 0) & latest["kind"].isin(["nps", "csat"]))
    nps = latest["kind"] == "nps"
    per_customer = latest.group_by("customer_id").aggregate(
        last_nps=latest["score"].max(where=nps),
        last_nps_s=latest["received_s"].max(where=nps),
        last_csat=latest["satisfaction"].max(where=latest["kind"] == "csat"),
    )
    now = moment_seconds(as_of)
    follow_ups = _follow_up_moments(workspace, now)
    answered = per_customer.left_join(follow_ups, "customer_id")
    followed = (answered["follow_up_s"] > answered["last_nps_s"]).fill_null(False)
    per_answer = answered.group_by(
        [
            answered["customer_id"],
            answered["last_nps"],
            answered["last_nps_s"],
            answered["last_csat"],
        ]
    ).aggregate(detractor_followed_up=followed.any())
    return per_answer.select(
        "customer_id",
        "last_nps",
        days_since_last_nps=_days(now, per_answer["last_nps_s"]),
        last_csat=per_answer["last_csat"],
        detractor_followed_up=ibis.ifelse(
            per_answer["last_nps_s"].notnull(), per_answer["detractor_followed_up"], None
        ),
    )


def _follow_up_moments(workspace: Workspace, now: ir.IntegerValue) -> ir.Table:
    """When each customer was personally contacted or had a complaint closed (up to now)."""
    interactions = with_golden_ids(workspace, workspace.table("interactions"))
    personal = interactions.filter(
        (interactions["direction"] == "outbound")
        & interactions["campaign_id"].isnull()
        & interactions["customer_id"].notnull()
    )
    contacts = personal.select(
        customer_id=personal["customer_id"], follow_up_s=personal["occurred_at"].epoch_seconds()
    )
    complaints = with_golden_ids(workspace, workspace.table("complaints"))
    complaints = complaints.filter(complaints["closed_at"].notnull())
    closures = complaints.select(
        customer_id=complaints["customer_id"],
        follow_up_s=complaints["closed_at"].epoch_seconds(),
    )
    moments = ibis.union(contacts, closures)
    return moments.filter(moments["follow_up_s"] <= now)


def _theme_features(
    workspace: Workspace, run_id: str | None, now: ir.IntegerValue, days: int
) -> ir.Table:
    if run_id is None:
        return ibis.memtable(pd.DataFrame({"customer_id": pd.Series(dtype="string")})).mutate(
            negative_themes=ibis.null("array<string>")
        )
    verbatims = with_golden_ids(workspace, result_table(workspace, "voice_verbatims", run_id))
    received = verbatims["received_at"].epoch_seconds()
    recent = verbatims.filter((received <= now) & (received > now - days * DAY_S))
    themes = recent.select(
        customer_id=recent["customer_id"],
        theme=recent["negative_themes"].fill_null("").split(";").unnest(),
    )
    themes = themes.filter(themes["theme"] != "")
    return themes.group_by("customer_id").aggregate(
        negative_themes=themes["theme"].collect(distinct=True, order_by=themes["theme"])
    )


def _complaint_features(workspace: Workspace, as_of: pd.Timestamp) -> ir.Table:
    states = complaint_states(workspace, as_of)
    states = states.filter(states["customer_id"].notnull())
    return states.group_by("customer_id").aggregate(
        open_complaints=(states["state"] != "closed").sum().cast("float64")
    )


def _contact_features(workspace: Workspace, now: ir.IntegerValue, period_days: int) -> ir.Table:
    interactions = with_golden_ids(workspace, workspace.table("interactions"))
    at = interactions["occurred_at"].epoch_seconds()
    outbound = interactions.filter(
        (interactions["direction"] == "outbound")
        & interactions["customer_id"].notnull()
        & (at <= now)
    )
    at = outbound["occurred_at"].epoch_seconds()
    per_customer = outbound.group_by("customer_id").aggregate(
        recent_outbound_contacts=(at > now - period_days * DAY_S).sum().cast("float64"),
        last_contact_s=at.max(),
    )
    return per_customer.select(
        "customer_id",
        "recent_outbound_contacts",
        days_since_last_contact=_days(now, per_customer["last_contact_s"]),
    )


def _latest_decisions(decisions: ir.Table) -> ir.Table:
    """The latest decision per customer and purpose; on a tie the withdrawal wins (the
    consent registry's rule, :func:`emptychair.privacy.current_consents`)."""
    newest = ibis.window(
        group_by=[decisions["customer_id"], decisions["purpose"]],
        order_by=[ibis.desc(decisions["recorded_at"]), decisions["granted"].cast("int8")],
    )
    ranked = decisions.mutate(rank=ibis.row_number().over(newest))
    latest = ranked.filter(ranked["rank"] == 0)
    return latest.select("customer_id", "purpose", granted=latest["granted"].fill_null(False))


def current_consents(workspace: Workspace, now: ir.IntegerValue) -> ir.Table:
    """Per golden customer, one boolean column per purpose: may the customer be contacted
    for it, reading the consent registry.

    A purpose is allowed when the latest decision at ``now`` grants it *and* the
    registry's current decision still does: a withdrawal recorded after ``now`` (with
    ``emptychair consent withdraw``, say) holds back an action decided for an earlier
    moment, while a consent given after ``now`` is not known yet. A person whose records
    disagree follows the latest decision among them.
    """
    decisions = with_golden_ids(workspace, consent_decisions(workspace))
    decisions = decisions.filter(decisions["customer_id"].notnull())
    then = _latest_decisions(decisions.filter(decisions["recorded_at"].epoch_seconds() <= now))
    today = _latest_decisions(decisions).rename(granted_today="granted")
    both = then.left_join(today, ["customer_id", "purpose"])
    allowed = both["granted"] & both["granted_today"].fill_null(False)
    return both.group_by("customer_id").aggregate(
        **{f"consent_{p}": (allowed & (both["purpose"] == p)).any() for p in PURPOSES}
    )


def _restriction_features(workspace: Workspace, customer: ir.StringValue) -> dict[str, ir.Value]:
    """``restricted`` and ``objects_to_marketing`` from the restriction flags as they stand
    now (a flag is honoured from the moment it is set, whatever ``as_of``)."""
    from emptychair.privacy.restriction import restricted_ids

    flags = {"restricted": "processing", "objects_to_marketing": "marketing"}
    return {
        name: customer.isin(sorted(ids)) if (ids := restricted_ids(workspace, purpose)) else False
        for name, purpose in flags.items()
    }


def customer_features(
    workspace: Workspace,
    as_of: pd.Timestamp,
    *,
    windows: FeatureWindows | None = None,
    value_run: str | None = None,
    voice_run: str | None = None,
    customer_ids: Sequence[str] | None = None,
) -> CustomerFeatures:
    """Build the feature table of every golden customer at ``as_of`` (an expression).

    Parameters
    ----------
    workspace
        Reads the canonical tables and the value and voice result tables.
    as_of
        The moment the decisions are taken at.
    windows
        The look-back periods (defaults: :class:`FeatureWindows`).
    value_run, voice_run
        The runs to read (default: the latest of each).
    customer_ids
        Only these golden customers (default: everyone); each source is filtered before
        it is joined, so one customer's features are quick to get.

    Returns
    -------
    CustomerFeatures
        ``table`` has ``customer_id`` and one column per entry of :data:`FEATURES`.
    """
    windows = windows or FeatureWindows()
    now = moment_seconds(as_of)
    warnings = []
    value_id = _latest_run(workspace, "value", value_run)
    voice_id = _latest_run(workspace, "voice", voice_run)
    if value_id is None:
        warnings.append(
            "no value run: clv, p_alive, segment, tier, orders, total_spend and "
            "days_since_last_purchase are missing and rules using them are not met "
            "(run `emptychair value run`)"
        )
    if voice_id is None:
        warnings.append(
            "no voice run: negative_themes is missing and rules using it are not met "
            "(run `emptychair voice run`)"
        )
    people = golden_customers(workspace)
    people = people.filter(
        people["created_at"].isnull() | (people["created_at"].epoch_seconds() <= now)
    )
    base = people.select(
        customer_id=people["customer_id"],
        tenure_days=_days(now, people["created_at"].epoch_seconds()),
    )
    parts = [
        _value_features(workspace, value_id, now),
        _survey_features(workspace, as_of),
        _theme_features(workspace, voice_id, now, windows.themes_days),
        _complaint_features(workspace, as_of),
        _contact_features(workspace, now, windows.period_days),
        current_consents(workspace, now),
    ]
    if customer_ids is not None:
        wanted = list(customer_ids)
        base = base.filter(base["customer_id"].isin(wanted))
        parts = [part.filter(part["customer_id"].isin(wanted)) for part in parts]
    table = base
    for part in parts:
        table = table.left_join(part, "customer_id").select(
            *table.columns, *(c for c in part.columns if c != "customer_id")
        )
    zero_when_missing = ["open_complaints", "recent_outbound_contacts"]
    false_when_missing = [f"consent_{p}" for p in PURPOSES]
    table = table.mutate(
        **{c: table[c].fill_null(0.0) for c in zero_when_missing},
        **{c: table[c].fill_null(False) for c in false_when_missing},
    )
    table = table.mutate(**_restriction_features(workspace, table["customer_id"]))
    if voice_id is not None:
        no_themes = ibis.literal([], type="array<string>")
        table = table.mutate(negative_themes=table["negative_themes"].fill_null(no_themes))
    table = table.select("customer_id", *FEATURES)
    return CustomerFeatures(table, as_of, value_id, voice_id, warnings)
