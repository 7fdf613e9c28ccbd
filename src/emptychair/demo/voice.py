"""Survey answers and complaints whose content follows from known experiences.

Customers answer a CSAT or CES survey after some contact journeys and an NPS survey
after some orders. Each answer is about one or two themes with a known polarity, which
depends on how the journey went (resolved or not, repeat contacts, long waits), and the
score follows the recorded score model. Complaints come from failed journeys and from
some orders, and move through a lifecycle (opened, acknowledged, closed) cut at the
end of the history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from emptychair.demo import clock
from emptychair.demo.clock import DAY, Window, join
from emptychair.demo.interactions import Interactions
from emptychair.demo.orders import Orders
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.people import People
from emptychair.demo.verbatims import CLAUSES, EMERGING_THEME, has_negation, write_verbatim

REASON_THEME = {
    "delivery": "delivery",
    "refund": "refund",
    "billing": "billing_fees",
    "product": "product_quality",
    "account": "app_website",
}
ORDER_THEMES = {
    "web": ("delivery", "product_quality", "price", "app_website"),
    "app": ("delivery", "product_quality", "price", "app_website"),
    "store": ("store", "staff", "product_quality", "price"),
    "phone": ("delivery", "staff", "product_quality", "price"),
}
FRICTIONS = ("repeat_contact", "long_wait", "web_to_phone")


@dataclass
class Voice:
    """The feedback lines, the complaints table and the feedback truth."""

    feedback_lines: list[str]
    feedback_truth: pd.DataFrame
    complaints: pd.DataFrame


def make_voice(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    orders: Orders,
    interactions: Interactions,
) -> Voice:
    """Draw survey answers, their verbatims and scores, and the complaints."""
    s = params.surveys
    end_s = window.end_s
    journeys = interactions.contacts.journeys
    journeys = journeys[(journeys["kind"] == "contact") & (journeys["contacts"] > 0)]
    languages = people.records["language"].to_numpy()

    # After contact journeys: CSAT or CES about the reason (and the wait or the staff).
    answered = journeys[rng.random(len(journeys)) < s.contact_response_rate]
    m = len(answered)
    failed = (~answered["resolved"] | answered["repeat_contact"]).to_numpy()
    main_good = ~failed ^ (rng.random(m) < s.polarity_noise)
    second = rng.random(m) < s.two_theme_share
    # The second theme: the wait (bad when it was long), else the staff.
    long_wait = answered["long_wait"].to_numpy()
    on_phone = answered["last_channel"].to_numpy() == "phone"
    about_wait = long_wait | (on_phone & (rng.random(m) < s.wait_theme_share_on_phone))
    staff_good = rng.random(m) < np.where(
        failed, s.positive_staff_share_after_failure, s.positive_staff_share
    )
    contact_themes = [
        [REASON_THEME[r]] + (["waiting_time" if w else "staff"] if two else [])
        for r, w, two in zip(answered["reason"].tolist(), about_wait, second, strict=True)
    ]
    contact_good = [
        [bool(g)] + ([not lw if w else bool(sg)] if two else [])
        for g, w, lw, sg, two in zip(
            main_good, about_wait, long_wait, staff_good, second, strict=True
        )
    ]
    contact = pd.DataFrame(
        {
            "record": answered["record"].to_numpy(),
            "received_s": answered["ended_s"].to_numpy() + rng.integers(3600, 48 * 3600, m),
            "channel": answered["last_channel"].to_numpy(),
            "touchpoint": answered["last_touchpoint"].to_numpy(),
            "kind": np.where(rng.random(m) < s.contact_csat_share, "csat", "ces"),
            **{flag: answered[flag].to_numpy() for flag in FRICTIONS},
        }
    )

    # After orders: NPS about what the order's channel is about.
    table = orders.table
    picked = np.nonzero(rng.random(len(table)) < s.order_nps_rate)[0]
    k = len(picked)
    record = table["record"].to_numpy()[picked]
    received = table["ordered_s"].to_numpy()[picked] + rng.integers(2 * DAY, 10 * DAY, k)
    before = _friction_before(journeys, record, received, len(people.records))
    share_good = np.where(
        before["repeat_contact"], s.positive_theme_share_after_friction, s.positive_theme_share
    )
    channel = table["channel"].to_numpy()[picked]
    order_themes: list[list[str]] = []
    order_good: list[list[bool]] = []
    draws = rng.random((k, 4))
    for i, ch in enumerate(channel.tolist()):
        pool = ORDER_THEMES[ch]
        count = 2 if draws[i, 0] < s.two_theme_share else 1
        chosen = rng.choice(len(pool), count, replace=False)
        order_themes.append([pool[c] for c in chosen])
        order_good.append([bool(draws[i, 1 + j] < share_good[i]) for j in range(count)])
    # The new gift cards: the only theme of some recent web and app answers.
    recent = received >= end_s - s.emerging_theme_days * DAY
    online = np.isin(channel, ["web", "app"])
    about_gift_cards = recent & online & (rng.random(k) < s.emerging_theme_share)
    gift_card_good = rng.random(k) < s.emerging_theme_positive_share
    for i in np.flatnonzero(about_gift_cards).tolist():
        order_themes[i] = [EMERGING_THEME]
        order_good[i] = [bool(gift_card_good[i])]
    order = pd.DataFrame(
        {
            "record": record,
            "received_s": received,
            "channel": channel,
            "touchpoint": "order",
            "kind": "nps",
            **before,
        }
    )

    answers = pd.concat([contact, order], ignore_index=True)
    themes = contact_themes + order_themes
    goods = contact_good + order_good
    keep = np.nonzero(answers["received_s"].to_numpy() < end_s)[0]
    answers = answers.iloc[keep].reset_index(drop=True)
    themes = [themes[i] for i in keep]
    goods = [goods[i] for i in keep]
    lines, truth = _feedback(rng, params, answers, themes, goods, languages, people)
    complaints = _complaints(rng, params, window, journeys, table, languages, people)
    return Voice(lines, truth, complaints)


def _friction_before(
    journeys: pd.DataFrame, record: np.ndarray, at: np.ndarray, n_records: int
) -> dict[str, np.ndarray]:
    """Whether each record had each friction in a journey that ended before ``at``."""
    out = {}
    for flag in FRICTIONS:
        hit = journeys[journeys[flag]]
        first = np.full(n_records, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, hit["record"].to_numpy(), hit["ended_s"].to_numpy())
        out[flag] = first[record] < at
    return out


def _feedback(
    rng: np.random.Generator,
    params: DemoParameters,
    answers: pd.DataFrame,
    themes: list[list[str]],
    goods: list[list[bool]],
    languages: np.ndarray,
    people: People,
) -> tuple[list[str], pd.DataFrame]:
    s, model = params.surveys, params.score
    n = len(answers)
    order = np.argsort(answers["received_s"].to_numpy(), kind="stable")
    answers = answers.iloc[order].reset_index(drop=True)
    themes = [themes[i] for i in order]
    goods = [goods[i] for i in order]
    sentiment = np.array([np.mean([1.0 if g else -1.0 for g in gs]) for gs in goods])
    u = model.intercept + model.sentiment * sentiment + rng.normal(0.0, model.noise_sd, n)
    for flag in FRICTIONS:
        u += getattr(model, flag) * answers[flag].to_numpy().astype(float)
    level = 1.0 / (1.0 + np.exp(-u))
    scales = {kind: (low, high) for kind, low, high in model.scales}
    kind = answers["kind"].to_numpy()
    low = np.array([scales[x][0] for x in kind.tolist()])
    high = np.array([scales[x][1] for x in kind.tolist()])
    score = np.round(low + (high - low) * level).astype(np.int64)

    record = answers["record"].to_numpy()
    language = languages[record]
    with_text = rng.random(n) < s.text_share
    closing = rng.random(n) < s.closing_sentence_share
    plain = rng.random(n) < s.accents_stripped_share
    texts: list[str | None] = []
    for i in range(n):
        if with_text[i]:
            texts.append(
                write_verbatim(rng, language[i], themes[i], goods[i], closing[i], plain[i])
            )
        else:
            texts.append(None)
    ids = join("F", np.strings.zfill(np.arange(1, n + 1).astype(str), 8))
    record_ids = people.records["record_id"].to_numpy()[record]
    received = clock.iso_datetime(answers["received_s"].to_numpy(), sep="T")
    columns = zip(
        ids.tolist(),
        record_ids.tolist(),
        received.tolist(),
        answers["channel"].tolist(),
        answers["touchpoint"].tolist(),
        kind.tolist(),
        score.tolist(),
        high.tolist(),
        texts,
        language.tolist(),
        strict=True,
    )
    keys = (
        *("feedback_id", "customer_id", "received_at", "channel", "touchpoint", "kind"),
        *("score", "scale_max", "text", "language"),
    )
    lines = [json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False) for row in columns]
    label = np.where(sentiment > 0, "positive", np.where(sentiment < 0, "negative", "mixed"))
    truth = pd.DataFrame(
        {
            "feedback_id": ids,
            "customer_id": record_ids,
            "language": language,
            "kind": kind,
            "score": score,
            "has_text": with_text,
            "themes": [";".join(t) for t in themes],
            "polarities": [";".join("positive" if g else "negative" for g in gs) for gs in goods],
            "sentiment": label,
            "contrast": [len(set(gs)) > 1 for gs in goods],
            "negation": [t is not None and has_negation(t) for t in texts],
            "accents_stripped": with_text & plain & (language == "fr"),
            **{flag: answers[flag].to_numpy() for flag in FRICTIONS},
        }
    )
    return lines, truth


COMPLAINT_CHANNELS = (
    ("email", 0.4),
    ("phone", 0.25),
    ("mail", 0.1),
    ("chat", 0.1),
    ("social", 0.1),
    ("store", 0.05),
)
SEVERITIES = np.array(["low", "medium", "high", "critical"])
DEMANDS = {
    "fr": ("Je demande un remboursement.", "Merci de me rappeler rapidement.",
           "J'attends une solution sous 48h.", "C'est inadmissible."),
    "en": ("I want a refund.", "Please call me back quickly.",
           "I expect a solution within 48 hours.", "This is unacceptable."),
}  # fmt: skip
RESOLUTIONS = {
    "delivery": ("Colis renvoyé en express et bon d'achat de 10 € offert.",
                 "Parcel resent by express delivery and a 10 € voucher offered."),
    "refund": ("Remboursement effectué sur le moyen de paiement d'origine.",
               "Refund made to the original payment method."),
    "billing_fees": ("Frais annulés et avoir émis.", "Fees cancelled and a credit note issued."),
    "product_quality": ("Produit échangé à nos frais.", "Product exchanged at our expense."),
    "app_website": ("Compte réinitialisé et accès rétabli.", "Account reset and access restored."),
}  # fmt: skip


def _complaints(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    journeys: pd.DataFrame,
    table: pd.DataFrame,
    languages: np.ndarray,
    people: People,
) -> pd.DataFrame:
    s = params.surveys
    failed = journeys[(~journeys["resolved"]) | journeys["repeat_contact"]]
    failed = failed[rng.random(len(failed)) < s.complaint_rate_after_failed_journey]
    from_orders = table[rng.random(len(table)) < s.complaint_rate_per_order]
    a, b = len(failed), len(from_orders)
    record = np.concatenate([failed["record"].to_numpy(), from_orders["record"].to_numpy()])
    opened = np.concatenate(
        [
            failed["ended_s"].to_numpy() + rng.integers(3600, 72 * 3600, a),
            from_orders["ordered_s"].to_numpy() + rng.integers(2 * DAY, 15 * DAY, b),
        ]
    )
    category = np.concatenate(
        [
            np.vectorize(REASON_THEME.__getitem__, otypes=[str])(failed["reason"].to_numpy())
            if a
            else np.zeros(0, dtype=str),
            rng.choice(np.array(["delivery", "product_quality"]), b),
        ]
    )
    # the first-level team whose contact failed; complaints about an order have no team
    team = np.concatenate(
        [failed["first_team"].fillna("").to_numpy(dtype=object), np.full(b, "", dtype=object)]
    )
    severity = np.concatenate(
        [
            rng.choice(SEVERITIES, a, p=[0.2, 0.45, 0.28, 0.07]),
            rng.choice(SEVERITIES, b, p=[0.35, 0.45, 0.17, 0.03]),
        ]
    )
    keep = opened < window.end_s
    record, opened, category, severity, team = (
        record[keep],
        opened[keep],
        category[keep],
        severity[keep],
        team[keep],
    )
    order = np.argsort(opened, kind="stable")
    record, opened, category, severity, team = (
        record[order],
        opened[order],
        category[order],
        severity[order],
        team[order],
    )
    n = len(record)
    speed = np.where(severity == "critical", 0.25, 1.0)
    acknowledged = opened + (rng.gamma(2.0, 10.0, n) * 3600 * speed).astype(np.int64) + 60
    closed = acknowledged + (rng.gamma(1.5, 4.0, n) * DAY * np.sqrt(speed)).astype(np.int64) + 600
    reopened = (closed < window.end_s) & (rng.random(n) < s.complaint_reopened_share)
    closed = closed + np.where(reopened, (rng.gamma(2.0, 3.0, n) * DAY).astype(np.int64), 0)
    reopened &= closed < window.end_s
    is_closed = closed < window.end_s
    is_ack = acknowledged < window.end_s
    status = np.where(is_closed, "closed", np.where(is_ack, "acknowledged", "open"))
    language = languages[record]
    english = language == "en"
    texts, resolutions = [], []
    for i in range(n):
        lang = "en" if english[i] else "fr"
        clauses = CLAUSES[category[i]][lang][1]
        clause = clauses[int(rng.integers(len(clauses)))]
        demand = DEMANDS[lang][int(rng.integers(len(DEMANDS[lang])))]
        texts.append(clause[0].upper() + clause[1:] + ". " + demand)
        resolutions.append(RESOLUTIONS[category[i]][1 if english[i] else 0] if is_closed[i] else "")
    names = np.array([c for c, _ in COMPLAINT_CHANNELS])
    shares = np.array([p for _, p in COMPLAINT_CHANNELS])
    return pd.DataFrame(
        {
            "complaint_id": join("RCL", np.strings.zfill(np.arange(1, n + 1).astype(str), 6)),
            "customer_id": people.records["record_id"].to_numpy()[record],
            "opened_at": clock.iso_datetime(opened),
            "acknowledged_at": np.where(is_ack, clock.iso_datetime(acknowledged), ""),
            "closed_at": np.where(is_closed, clock.iso_datetime(closed), ""),
            "channel": rng.choice(names, n, p=shares),
            "category": category,
            "severity": severity,
            "status": status,
            "text": texts,
            "resolution": resolutions,
            "reopened": np.where(reopened, "true", "false"),
            "team": team.astype(str),
        }
    )
