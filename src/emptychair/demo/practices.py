"""The planted harmful practice: outbound upsell calls that pay now and hurt later.

For a few months, the company calls some customers who consented to phone calls to
sell them more (campaign ids ``UPS-<month>``, channel ``phone``, direction
``outbound``). Each call has known effects (see
:class:`emptychair.demo.parameters.PracticeParameters`): an extra phone order in the
following weeks, and later a complaint, a withdrawal of the e-mail consent and, for some,
no purchase ever again. The monthly campaign e-mails, by contrast, change nothing.

The plan is drawn before the orders, so that the orders, the consents (which the
campaign e-mails respect), the call interactions and the complaints all follow it. One
row per call, with what it caused, is written to ``truth/practice.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.demo import clock
from emptychair.demo.clock import DAY, Ints, Window
from emptychair.demo.consents import Consents
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.people import People
from emptychair.demo.verbatims import CLAUSES
from emptychair.demo.voice import COMPLAINT_CHANNELS, DEMANDS

NONE = -1
LAPSE_AFTER_DAYS = 45
RESOLUTION = (
    "Excuses présentées et numéro retiré des appels commerciaux.",
    "Apologies made and the number removed from sales calls.",
)


@dataclass
class PlantedPractice:
    """Who is called when, and what each call causes (``-1``: nothing)."""

    rng: np.random.Generator
    record: Ints
    person: Ints
    call_s: Ints
    campaign: npt.NDArray[np.str_]
    extra_order_s: Ints
    complaint_s: Ints
    unsubscribe_s: Ints
    lapse_s: Ints

    def truth(self, people: People) -> pd.DataFrame:
        """One row per call with its consequences (empty dates when none)."""

        def when(seconds: Ints) -> npt.NDArray[np.str_]:
            return np.where(seconds >= 0, clock.iso_datetime(np.maximum(seconds, 0)), "")

        return pd.DataFrame(
            {
                "customer_id": people.records["record_id"].to_numpy()[self.record],
                "person_id": people.persons["person_id"].to_numpy()[self.person],
                "campaign_id": self.campaign,
                "called_at": clock.iso_datetime(self.call_s),
                "extra_order_at": when(self.extra_order_s),
                "complaint_at": when(self.complaint_s),
                "unsubscribed_at": when(self.unsubscribe_s),
                "lapsed_from": when(self.lapse_s),
            }
        )

    def realised(self) -> dict[str, int]:
        return {
            "calls": len(self.record),
            "extra_orders": int((self.extra_order_s >= 0).sum()),
            "complaints": int((self.complaint_s >= 0).sum()),
            "unsubscribes": int((self.unsubscribe_s >= 0).sum()),
            "lapsed": int((self.lapse_s >= 0).sum()),
        }


def _phone_consent(consents: Consents, people: People) -> tuple[np.ndarray, Ints]:
    """Per record: phone consent at sign-up and the time of its change (or never)."""
    n = len(people.records)
    index = pd.Series(np.arange(n), index=people.records["record_id"].to_numpy())
    rows = consents.file[consents.file["purpose"] == "phone"]
    record = index.loc[rows["customer_id"].to_numpy()].to_numpy()
    at = pd.to_datetime(rows["recorded_at"]).to_numpy().astype("datetime64[s]").astype(np.int64)
    granted = rows["granted"].to_numpy() == "true"
    initial = np.zeros(n, dtype=bool)
    change = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    first = np.ones(len(rows), dtype=bool)
    seen: set[int] = set()
    for i, r in enumerate(record.tolist()):  # rows are in time order
        first[i] = r not in seen
        seen.add(r)
    initial[record[first]] = granted[first]
    change[record[~first]] = at[~first]
    return initial, change


def plan_practice(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    consents: Consents,
) -> PlantedPractice:
    """Draw the calls and their consequences."""
    p = params.practice
    records = people.records
    # The telesales team calls online customers: CRM records of people unknown to the shops.
    online = people.persons["shop_record"].to_numpy()[records["person"].to_numpy()] < 0
    crm = np.nonzero((records["source"].to_numpy() == "crm") & online)[0]
    created = records["created_s"].to_numpy()
    phone_initial, phone_change = _phone_consent(consents, people)
    last = np.datetime64(window.end.date(), "M")
    called = np.zeros(len(records), dtype=bool)
    record_parts, call_parts, campaign_parts = [], [], []
    for k in range(p.months):
        month = last - p.first_month_before_end + k
        day = (month.astype("datetime64[D]") - np.datetime64("1970-01-01")).astype(np.int64)
        calls = (day + rng.integers(0, p.call_days, len(crm))) * DAY
        calls = calls + clock.business_hours(rng, len(crm), 9, 19)
        allowed = phone_initial[crm] ^ (calls >= phone_change[crm])
        eligible = allowed & (created[crm] < calls) & ~called[crm]
        chosen = eligible & (rng.random(len(crm)) < p.share_called)
        called[crm[chosen]] = True
        record_parts.append(crm[chosen])
        call_parts.append(calls[chosen])
        campaign_parts.append(np.full(int(chosen.sum()), f"{p.campaign_prefix}-{month}"))
    record = np.concatenate(record_parts)
    call_s = np.concatenate(call_parts)
    order = np.argsort(call_s, kind="stable")
    record, call_s = record[order], call_s[order]
    campaign = np.concatenate(campaign_parts)[order]
    n = len(record)

    def maybe(share: float, low_days: float, high_days: float) -> Ints:
        at = call_s + (rng.uniform(low_days, high_days, n) * DAY).astype(np.int64)
        happens = (rng.random(n) < share) & (at < window.end_s)
        return np.where(happens, at, NONE)

    extra = maybe(p.extra_order, 2, 25)
    complaint = maybe(p.complaint, 35, 170)
    unsubscribe = maybe(p.unsubscribe, 35, 170)
    # Only a consent given at sign-up and not yet withdrawn can be withdrawn by a call.
    change = consents.email_change_s[record]
    can = consents.email_initial[record] & (change > call_s)
    unsubscribe = np.where(can & (unsubscribe < change), unsubscribe, NONE)
    lapse_at = call_s + LAPSE_AFTER_DAYS * DAY
    lapse = np.where((rng.random(n) < p.lapse) & (lapse_at < window.end_s), lapse_at, NONE)
    return PlantedPractice(
        rng=rng,
        record=record,
        person=records["person"].to_numpy()[record],
        call_s=call_s,
        campaign=campaign,
        extra_order_s=extra,
        complaint_s=complaint,
        unsubscribe_s=unsubscribe,
        lapse_s=lapse,
    )


def with_withdrawals(plan: PlantedPractice, consents: Consents, people: People) -> Consents:
    """The consents once the calls' e-mail withdrawals are recorded (each replaces a
    later withdrawal the customer would have made)."""
    hit = plan.unsubscribe_s >= 0
    record, at = plan.record[hit], plan.unsubscribe_s[hit]
    ids = people.records["record_id"].to_numpy()[record]
    file = consents.file
    later = (
        (file["purpose"] == "email") & (file["granted"] == "false") & file["customer_id"].isin(ids)
    )
    added = pd.DataFrame(
        {
            "customer_id": ids,
            "purpose": "email",
            "granted": "false",
            "recorded_at": clock.iso_datetime(at),
            "source": "preference_centre",
        }
    )
    file = pd.concat([file[~later], added], ignore_index=True)
    file = file.sort_values(["recorded_at", "customer_id", "purpose"], ignore_index=True)
    change = consents.email_change_s.copy()
    change[record] = at
    return Consents(file, consents.email_initial, change)


def reshape_orders(
    plan: PlantedPractice, columns: dict[str, np.ndarray], nu: np.ndarray, spend_p: float
) -> dict[str, np.ndarray]:
    """Add the calls' extra phone orders and drop the lapsed customers' later orders."""
    rng = plan.rng
    stop = np.full(int(columns["person"].max()) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    lapsed = plan.lapse_s >= 0
    stop[plan.person[lapsed]] = plan.lapse_s[lapsed]
    keep = columns["ordered_s"] < stop[columns["person"]]
    hit = plan.extra_order_s >= 0
    person = plan.person[hit]
    k = len(person)
    amount = np.maximum(np.round(rng.gamma(spend_p, 1.0 / nu[person]) * 100), 1).astype(np.int64)
    margin = np.round(amount * rng.uniform(0.18, 0.42, k)).astype(np.int64)
    extra = {
        "record": plan.record[hit],
        "person": person,
        "ordered_s": plan.extra_order_s[hit],
        "channel": np.full(k, "phone"),
        "amount_cents": amount,
        "items": 1 + rng.poisson(amount / 4500.0),
        "margin_cents": margin,
        "first": np.zeros(k, dtype=bool),
    }
    return {
        name: np.concatenate([values[keep], extra[name].astype(values.dtype)])
        for name, values in columns.items()
    }


def call_steps(plan: PlantedPractice) -> dict[str, object]:
    """The calls as interaction steps (see :class:`emptychair.demo.steps.Steps`)."""
    n = len(plan.record)
    return {
        "n": n,
        "record": plan.record,
        "t_s": plan.call_s,
        "channel": "phone",
        "touchpoint": "call",
        "direction": "outbound",
        "campaign": plan.campaign,
        "duration_s": plan.rng.integers(90, 600, n).astype(float),
        "outcome": np.where(plan.extra_order_s >= 0, "sale", "no_sale"),
    }


def with_complaints(
    plan: PlantedPractice, complaints: pd.DataFrame, people: People, window: Window
) -> pd.DataFrame:
    """The complaints with the calls' complaints added, numbered again in time order."""
    rng = plan.rng
    hit = plan.complaint_s >= 0
    record, opened = plan.record[hit], plan.complaint_s[hit]
    n = len(record)
    acknowledged = opened + (rng.gamma(2.0, 10.0, n) * 3600).astype(np.int64) + 60
    closed = acknowledged + (rng.gamma(1.5, 4.0, n) * DAY).astype(np.int64) + 600
    is_closed, is_ack = closed < window.end_s, acknowledged < window.end_s
    english = people.records["language"].to_numpy()[record] == "en"
    texts = []
    for en in english.tolist():
        lang = "en" if en else "fr"
        clauses = CLAUSES["staff"][lang][1]
        clause = clauses[int(rng.integers(len(clauses)))]
        demand = DEMANDS[lang][int(rng.integers(len(DEMANDS[lang])))]
        texts.append(clause[0].upper() + clause[1:] + ". " + demand)
    names = np.array([c for c, _ in COMPLAINT_CHANNELS])
    shares = np.array([s for _, s in COMPLAINT_CHANNELS])
    added = pd.DataFrame(
        {
            "complaint_id": "",
            "customer_id": people.records["record_id"].to_numpy()[record],
            "opened_at": clock.iso_datetime(opened),
            "acknowledged_at": np.where(is_ack, clock.iso_datetime(acknowledged), ""),
            "closed_at": np.where(is_closed, clock.iso_datetime(closed), ""),
            "channel": rng.choice(names, n, p=shares),
            "category": "staff",
            "severity": rng.choice(np.array(["low", "medium", "high"]), n, p=[0.3, 0.5, 0.2]),
            "status": np.where(is_closed, "closed", np.where(is_ack, "acknowledged", "open")),
            "text": texts,
            "resolution": np.where(is_closed, np.where(english, RESOLUTION[1], RESOLUTION[0]), ""),
            "reopened": "false",
            "team": "",
        }
    )
    merged = pd.concat([complaints, added], ignore_index=True)
    merged = merged.sort_values("opened_at", kind="stable", ignore_index=True)
    number = np.strings.zfill(np.arange(1, len(merged) + 1).astype(str), 6)
    merged["complaint_id"] = np.strings.add("RCL", number)
    return merged
