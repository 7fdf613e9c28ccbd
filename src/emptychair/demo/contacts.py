"""Customer-service journeys with known frictions: repeat contacts, hops and waits.

A journey starts when a customer gets in touch about one reason, either some days after
an online order (delivery, refund, product, billing) or on their own (account,
billing, product). Each contact is handled by a team whose first-contact resolution
is known; an unresolved contact leads to a repeat contact for the same reason within
seven days with a known probability, phone callers wait in a queue whose length is
known (longer in the sales season) and may hang up, and some phone journeys start with
a web or app step that ended in an error less than a day before the call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emptychair.demo import clock
from emptychair.demo.clock import DAY, Window
from emptychair.demo.orders import Orders
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.people import People
from emptychair.demo.steps import Steps

TOUCHPOINT = {"phone": "call", "chat": "chat", "email": "email"}
#: The web or app step a customer tries before calling, per reason.
SELF_SERVICE = {
    "delivery": "order_tracking",
    "refund": "refund_request",
    "account": "login",
    "billing": "invoice_download",
}


@dataclass
class Contacts:
    """Contact steps (journeys numbered from 0) and one truth row per journey."""

    steps: pd.DataFrame
    journeys: pd.DataFrame


def _draw(rng: np.random.Generator, pairs: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([name for name, _ in pairs])
    shares = np.array([share for _, share in pairs])
    return rng.choice(names, n, p=shares / shares.sum())


def make_contacts(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    orders: Orders,
) -> Contacts:
    """Draw every contact journey and its steps."""
    f = params.frictions
    end_s = window.end_s
    record, reason, start = _triggers(rng, params, window, people, orders)
    n_journeys = len(record)
    channel = _draw(rng, f.first_channels, n_journeys)
    teams = {t.name: t for t in params.teams}
    first_line = [t for t in params.teams if t.level == 1 and t.channel == "phone"]
    level_two = next(t for t in params.teams if t.level == 2)
    by_channel = {t.channel: t.name for t in params.teams if t.channel != "phone"}
    steps = Steps()
    _web_errors(rng, params, window, people, steps, record, reason, start, channel)

    # Contacts, one attempt after the other, until resolved or given up.
    when = start.copy()
    active = np.arange(n_journeys)
    for attempt in range(f.max_contacts):
        j = active[when[active] < end_s]
        if len(j) == 0:
            break
        k = len(j)
        chan, t = channel[j], when[j]
        phone = chan == "phone"
        team = np.empty(k, dtype=object)
        team[phone] = rng.choice(
            np.array([x.name for x in first_line]),
            int(phone.sum()),
            p=np.array([x.routing_share for x in first_line]),
        )
        for name, team_name in by_channel.items():
            team[chan == name] = team_name
        team = team.astype(str)
        median = f.wait_median_s * np.where(clock.in_peak(t), f.peak_wait_multiplier, 1.0)
        wait = np.where(
            phone, np.round(median * np.exp(f.wait_sigma * rng.standard_normal(k))), 0.0
        )
        abandon_p = f.abandon_max * (1.0 - np.exp(-wait / f.abandon_scale_s))
        abandoned = phone & (rng.random(k) < abandon_p)
        q = np.nonzero(phone)[0]
        steps.add(
            len(q),
            record=record[j[q]],
            t_s=t[q],
            channel="phone",
            touchpoint="queue",
            reason=reason[j[q]],
            duration_s=wait[q],
            outcome=np.where(abandoned[q], "abandoned", ""),
            team=team[q],
            journey=j[q],
            attempt=attempt,
        )
        aht = np.array([teams[x].average_handle_time_s for x in team.tolist()])
        fcr = np.array([teams[x].first_contact_resolution for x in team.tolist()])
        agent_t = t + wait.astype(np.int64)
        handle = np.round(rng.gamma(4.0, aht / 4.0))
        resolved = ~abandoned & (rng.random(k) < fcr)
        transferred = ~abandoned & phone & ~resolved & (rng.random(k) < f.transfer_share)
        outcome = np.where(resolved, "resolved", np.where(transferred, "transferred", "unresolved"))
        a = np.nonzero(~abandoned)[0]
        steps.add(
            len(a),
            record=record[j[a]],
            t_s=agent_t[a],
            channel=chan[a],
            touchpoint=np.vectorize(TOUCHPOINT.__getitem__, otypes=[str])(chan[a]),
            reason=reason[j[a]],
            duration_s=handle[a],
            outcome=outcome[a],
            team=team[a],
            journey=j[a],
            attempt=attempt,
        )
        l2_t = agent_t + handle.astype(np.int64) + rng.integers(10, 60, k)
        l2_handle = np.round(rng.gamma(4.0, level_two.average_handle_time_s / 4.0, k))
        l2_resolved = rng.random(k) < level_two.first_contact_resolution
        x = np.nonzero(transferred)[0]
        steps.add(
            len(x),
            record=record[j[x]],
            t_s=l2_t[x],
            channel="phone",
            touchpoint="call",
            reason=reason[j[x]],
            duration_s=l2_handle[x],
            outcome=np.where(l2_resolved[x], "resolved", "unresolved"),
            team=level_two.name,
            journey=j[x],
            attempt=attempt,
        )
        settled = resolved | (transferred & l2_resolved)
        last_end = np.where(
            transferred,
            l2_t + l2_handle.astype(np.int64),
            agent_t + np.where(abandoned, 0, handle).astype(np.int64),
        )
        again_p = np.where(abandoned, f.recontact_if_abandoned, f.recontact_if_unresolved)
        again = ~settled & (rng.random(k) < again_p)
        # Back within seven days: one to five days later, during opening hours.
        when[j] = (
            clock.day_floor(last_end) + rng.integers(1, 6, k) * DAY + clock.business_hours(rng, k)
        )
        channel[j] = np.where(rng.random(k) < f.recontact_on_phone, "phone", chan)
        active = j[again]

    frame = steps.frame()
    frame = frame[frame["t_s"].to_numpy() < end_s].reset_index(drop=True)
    journeys = _journey_truth(frame, f.long_wait_s, n_journeys)
    return Contacts(frame, journeys)


def _triggers(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    orders: Orders,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who starts a journey, why and when: some days after an online order, or alone."""
    f = params.frictions
    end_s = window.end_s
    table = orders.table
    online = table["channel"].to_numpy() != "store"
    picked = online & (rng.random(len(table)) < f.order_contact_rate)
    order_day = clock.day_floor(table["ordered_s"].to_numpy()[picked])
    order_day = order_day + rng.integers(1, 11, int(picked.sum())) * DAY
    order_record = table["record"].to_numpy()[picked]
    records = people.records
    crm = np.nonzero(records["source"].to_numpy() == "crm")[0]
    created = records["created_s"].to_numpy()[crm]
    years = (end_s - created) / (365.25 * DAY)
    count = rng.poisson(f.spontaneous_contacts_per_year * years)
    own_record = np.repeat(crm, count)
    own_created = np.repeat(created, count)
    own_day = clock.day_floor(
        own_created + (rng.random(len(own_record)) * (end_s - own_created)).astype(np.int64)
    )
    record = np.concatenate([order_record, own_record])
    reason = np.concatenate(
        [
            _draw(rng, f.order_reasons, len(order_record)),
            _draw(rng, f.spontaneous_reasons, len(own_record)),
        ]
    )
    start = np.concatenate([order_day, own_day]) + clock.business_hours(rng, len(record))
    keep = start < end_s
    return record[keep], reason[keep], start[keep]


def _web_errors(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    steps: Steps,
    record: np.ndarray,
    reason: np.ndarray,
    start: np.ndarray,
    channel: np.ndarray,
) -> None:
    """Web or app errors shortly before a call, and errors after which nobody called.

    The error-only journeys are numbered after the contact journeys.
    """
    f = params.frictions
    n_journeys = len(record)
    hop = (channel == "phone") & np.isin(reason, f.web_to_phone_reasons)
    hop &= rng.random(n_journeys) < f.web_to_phone_share
    hops = np.nonzero(hop)[0]
    self_service = np.vectorize(SELF_SERVICE.__getitem__, otypes=[str])
    steps.add(
        len(hops),
        record=record[hops],
        t_s=start[hops] - rng.integers(600, 86_000, len(hops)),
        channel=rng.choice(np.array(["web", "app"]), len(hops), p=[0.7, 0.3]),
        touchpoint=self_service(reason[hops]),
        reason=reason[hops],
        duration_s=rng.integers(20, 300, len(hops)).astype(float),
        outcome="error",
        journey=hops,
    )
    follow = f.web_error_followed_by_call
    n_alone = round(len(hops) * (1 - follow) / follow)
    crm = np.nonzero(people.records["source"].to_numpy() == "crm")[0]
    alone_record = rng.choice(crm, n_alone)
    alone_created = people.records["created_s"].to_numpy()[alone_record]
    spread = rng.random(n_alone) * (window.end_s - alone_created)
    alone_t = clock.day_floor(alone_created + spread.astype(np.int64))
    alone_t = np.minimum(alone_t + DAY + clock.hour_of_day(rng, n_alone), window.end_s - 1)
    alone_reason = rng.choice(np.array(f.web_to_phone_reasons), n_alone)
    steps.add(
        n_alone,
        record=alone_record,
        t_s=alone_t,
        channel=rng.choice(np.array(["web", "app"]), n_alone, p=[0.7, 0.3]),
        touchpoint=self_service(alone_reason),
        reason=alone_reason,
        duration_s=rng.integers(20, 300, n_alone).astype(float),
        outcome="error",
        journey=n_journeys + np.arange(n_alone),
    )


def _journey_truth(frame: pd.DataFrame, long_wait_s: float, n_contact: int) -> pd.DataFrame:
    """Friction flags of each journey, from the steps that were kept."""
    contact_rows = frame["attempt"].to_numpy() >= 0
    queue = frame["touchpoint"].to_numpy() == "queue"
    outcome = frame["outcome"].to_numpy()
    agent = contact_rows & ~queue
    end = frame["t_s"].to_numpy() + np.nan_to_num(frame["duration_s"].to_numpy()).astype(np.int64)
    work = pd.DataFrame(
        {
            "journey": frame["journey"].to_numpy(),
            "record": frame["record"].to_numpy(),
            "reason": frame["reason"].to_numpy(),
            "t_s": frame["t_s"].to_numpy(),
            "end_s": end,
            "attempt": np.where(contact_rows, frame["attempt"].to_numpy(), -1),
            "long_wait": queue & (frame["duration_s"].to_numpy() > long_wait_s),
            "abandoned": outcome == "abandoned",
            "transferred": outcome == "transferred",
            "resolved": outcome == "resolved",
            "error": outcome == "error",
            "phone": contact_rows & (frame["channel"].to_numpy() == "phone"),
            "team": np.where(agent, frame["team"].to_numpy(), ""),
            "channel": np.where(contact_rows, frame["channel"].to_numpy(), ""),
            "touchpoint": np.where(agent | queue, frame["touchpoint"].to_numpy(), ""),
        }
    )
    grouped = work.groupby("journey", sort=True)
    truth = grouped.agg(
        record=("record", "first"),
        reason=("reason", "first"),
        started_s=("t_s", "min"),
        ended_s=("end_s", "max"),
        contacts=("attempt", "max"),
        long_wait=("long_wait", "any"),
        abandoned_call=("abandoned", "any"),
        transferred=("transferred", "any"),
        resolved=("resolved", "any"),
        web_error=("error", "any"),
        phone=("phone", "any"),
    )
    contacts_rows = work[work["channel"] != ""]
    first = contacts_rows.groupby("journey").first()
    last = contacts_rows.groupby("journey").last()
    agents = work[work["team"] != ""].groupby("journey")["team"]
    truth["contacts"] = truth["contacts"] + 1
    truth["first_channel"] = first["channel"].reindex(truth.index).fillna("")
    truth["last_channel"] = last["channel"].reindex(truth.index).fillna("")
    truth["last_touchpoint"] = last["touchpoint"].reindex(truth.index).fillna("")
    truth["first_team"] = agents.first().reindex(truth.index).fillna("")
    truth["last_team"] = agents.last().reindex(truth.index).fillna("")
    truth["repeat_contact"] = truth["contacts"] >= 2
    truth["web_to_phone"] = truth["web_error"] & truth["phone"]
    truth["kind"] = np.where(truth.index.to_numpy() < n_contact, "contact", "web_error")
    truth["dead_end"] = truth["web_error"] & (truth["contacts"] == 0)
    truth.loc[truth["kind"] == "web_error", "dead_end"] = True
    return truth.drop(columns=["phone"]).reset_index()
