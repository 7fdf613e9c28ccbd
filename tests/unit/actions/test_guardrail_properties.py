"""Property-based: over random catalogues and random customers, the guardrails are never
bypassed, and the batch decisions in the engine equal the decisions taken one by one."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from emptychair.actions.arbitration import choose, decision_table
from emptychair.actions.catalogue import (
    KINDS,
    SERVICE_KINDS,
    Catalogue,
    CatalogueError,
    parse_catalogue,
)
from emptychair.actions.features import FEATURE_TYPES, FEATURES, PURPOSES

THEMES = ["delivery", "price_and_fees", "billing"]
SEGMENTS = ["champions", "loyal", "lost"]
CONTACT_CHANNELS = ["email", "sms", "phone", "mail", "push"]
IBIS_TYPES = {"number": "float64", "text": "string", "boolean": "boolean",
              "text_list": "array<string>"}  # fmt: skip
SCHEMA = ibis.schema(
    {"customer_id": "string", **{n: IBIS_TYPES[t] for n, t in FEATURE_TYPES.items()}}
)


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


def _number(*boundaries: float, top: float = 1000) -> st.SearchStrategy[float]:
    return st.one_of(
        st.sampled_from([float(b) for b in boundaries]),
        st.floats(0, top, allow_nan=False).map(lambda v: round(v, 2)),
    )


CUSTOMER = st.fixed_dictionaries(
    {
        "tenure_days": _maybe(_number(0, 365, top=3000)),
        "clv": _maybe(_number(0, 100, 500)),
        "p_alive": _maybe(_number(0, 0.5, 1, top=1)),
        "segment": _maybe(st.sampled_from(SEGMENTS)),
        "tier": _maybe(st.sampled_from(["top", "high", "low"])),
        "orders": _maybe(st.integers(0, 6).map(float)),
        "total_spend": _maybe(_number(0, 300)),
        "days_since_last_purchase": _maybe(_number(0, 90)),
        "last_nps": _maybe(st.integers(0, 10).map(float)),
        "days_since_last_nps": _maybe(_number(0, 30, 90, top=400)),
        "last_csat": _maybe(_number(0, 0.4, 1, top=1)),
        "detractor_followed_up": _maybe(st.booleans()),
        "negative_themes": _maybe(st.lists(st.sampled_from(THEMES), max_size=2, unique=True)),
        # Missing in the random data too: the guardrails must read them on the safe side.
        "open_complaints": _maybe(st.integers(0, 2).map(float)),
        "recent_outbound_contacts": _maybe(st.integers(0, 5).map(float)),
        "days_since_last_contact": _maybe(_number(0, 3, 7, 14, top=60)),
        **{f"consent_{p}": _maybe(st.booleans()) for p in PURPOSES},
    }
)

NUMBER_ATOMS = st.tuples(
    st.sampled_from([n for n, t in FEATURE_TYPES.items() if t == "number"]),
    st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
    st.sampled_from(["0", "1", "5", "7", "30", "0.5", "100", "300"]),
).map(" ".join)
ATOM = st.one_of(
    NUMBER_ATOMS,
    st.sampled_from(SEGMENTS).map(lambda s: f'segment == "{s}"'),
    st.sampled_from(SEGMENTS).map(lambda s: f'segment in ["{s}", "loyal"]'),
    st.sampled_from(THEMES).map(lambda t: f'"{t}" in negative_themes'),
    st.sampled_from(THEMES).map(lambda t: f'"{t}" not in negative_themes'),
    st.sampled_from([n for n, t in FEATURE_TYPES.items() if t == "boolean"]),
    st.sampled_from([n for n, t in FEATURE_TYPES.items() if t == "boolean"]).map("not {}".format),
    st.just("True"),
)
RULE = st.recursive(
    ATOM,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda p: f"({p[0]}) {p[1]} ({p[2]})"
        ),
        inner.map("not ({})".format),
    ),
    max_leaves=4,
)


@st.composite
def actions(draw: st.DrawFn, index: int) -> dict[str, Any]:
    # Selling kinds are drawn more often: they are the ones most guardrails are about.
    kind = draw(st.sampled_from([*KINDS, "offer", "retention", "offer", "retention"]))
    no_action = kind == "no_action"
    consent = (
        "none" if kind in SERVICE_KINDS and draw(st.booleans()) else draw(st.sampled_from(PURPOSES))
    )
    return {
        "id": f"action_{index}",
        "label": {"fr": f"action {index}", "en": f"action {index}"},
        "kind": kind,
        "rule": draw(st.one_of(st.just("True"), st.just("True"), RULE)),
        "benefit": {
            "amount": 0 if no_action else draw(st.sampled_from([1, 5, 20, 50])),
            "unit": draw(st.sampled_from(["money", "score"])),
            "explanation": {"fr": "x", "en": "x"},
        },
        "business_value": draw(st.sampled_from([0, 10, 40])),
        "cost": draw(st.sampled_from([0, 5])),
        "channel": "none" if no_action else draw(st.sampled_from(CONTACT_CHANNELS)),
        "consent": "none" if no_action else consent,
    }


@st.composite
def catalogues(draw: st.DrawFn) -> Catalogue:
    count = draw(st.integers(1, 6))
    guardrails = {
        "max_contacts": draw(st.integers(0, 4)),
        "quiet_days": draw(st.sampled_from([0, 7, 14])),
        "detractor_score": draw(st.sampled_from([0, 6, 8])),
        "detractor_days": draw(st.sampled_from([0, 30, 90, 365])),
    }
    text = yaml.safe_dump(
        {"guardrails": guardrails, "actions": [draw(actions(i)) for i in range(count)]}
    )
    try:
        return parse_catalogue(text, "random.yaml")
    except CatalogueError:
        reject()


def _frame(customers: list[dict[str, Any]]) -> ibis.Table:
    rows = [{"customer_id": f"C{i:03d}", **c} for i, c in enumerate(customers)]
    frame = pd.DataFrame(rows, columns=["customer_id", *FEATURES])
    return ibis.memtable(frame, schema=SCHEMA)


def _blocked(text: str) -> dict[str, list[str]]:
    pairs = [part.split(":") for part in text.split(";") if part]
    return {action: guardrails.split("+") for action, guardrails in pairs}


def _respects_the_guardrails(
    action_id: str | None, customer: dict[str, Any], catalogue: Catalogue
) -> None:
    """The guardrails as the specification states them, checked independently."""
    if action_id is None:
        return
    action = catalogue.action(action_id)
    limits = catalogue.guardrails
    if action.consent != "none":
        assert customer[f"consent_{action.consent}"], "chosen without the consent to its purpose"
        if action.channel != "none":
            assert customer[f"consent_{action.channel}"], "chosen without consent to its channel"
    else:
        assert action.kind in ("service_recovery", "no_action")
    if action.channel != "none":
        contacts = customer["recent_outbound_contacts"]
        assert contacts is not None and contacts < limits.max_contacts, "contact pressure"
        last = customer["days_since_last_contact"]
        assert last is None or last >= limits.quiet_days, "quiet period"
    if action.kind in ("offer", "retention"):
        assert customer["open_complaints"] == 0, "selling during an open complaint"
        nps, days = customer["last_nps"], customer["days_since_last_nps"]
        detractor = (
            nps is not None
            and days is not None
            and nps <= limits.detractor_score
            and days <= limits.detractor_days
            and customer["detractor_followed_up"] is not True
        )
        assert not detractor, "selling to a recent detractor not followed up"


def _check(catalogue: Catalogue, customers: list[dict[str, Any]]) -> None:
    batch = decision_table(_frame(customers), catalogue).execute().sort_values("customer_id")
    for customer, row in zip(customers, batch.to_dict("records"), strict=True):
        chosen, verdicts = choose(customer, catalogue)
        action_id = row["action_id"] if isinstance(row["action_id"], str) else None
        assert action_id == (chosen.action.id if chosen else None)
        eligible = [v.action.id for v in verdicts if v.eligible]
        assert row["eligible_actions"] == ",".join(eligible)
        blocked = {v.action.id: [b.guardrail for b in v.blocked] for v in verdicts if v.blocked}
        assert _blocked(row["blocked_actions"]) == blocked
        _respects_the_guardrails(action_id, customer, catalogue)
        for verdict in verdicts:
            if verdict.allowed:
                _respects_the_guardrails(verdict.action.id, customer, catalogue)
        if chosen is not None:
            # Nothing allowed ranks above the chosen action.
            better = verdicts[: verdicts.index(chosen)]
            assert not any(v.allowed for v in better)


#: Customers who consent to everything and were not contacted lately, so that the selling
#: guardrails (open complaint, recent detractor) are what decides.
REACHABLE = CUSTOMER.map(
    lambda c: {
        **c,
        **{f"consent_{p}": True for p in PURPOSES},
        "recent_outbound_contacts": 0.0,
        "days_since_last_contact": None,
        "open_complaints": c["open_complaints"] or 0.0,
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogue=catalogues(), customers=st.lists(CUSTOMER, min_size=1, max_size=12))
def test_guardrails_are_never_bypassed_and_batch_equals_one_by_one(
    catalogue: Catalogue, customers: list[dict[str, Any]]
) -> None:
    _check(catalogue, customers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogue=catalogues(), customers=st.lists(REACHABLE, min_size=1, max_size=12))
def test_no_selling_during_a_complaint_or_to_a_recent_detractor(
    catalogue: Catalogue, customers: list[dict[str, Any]]
) -> None:
    _check(catalogue, customers)
