"""Orders drawn from known BG/NBD and Gamma-Gamma processes, and the order export.

Each person buys for the first time when their customer record is created; repeat
purchases then follow the BG/NBD process and each amount the Gamma-Gamma process, with
the parameters recorded in the ground truth. The export (``commandes.csv``) is written
the way a French spreadsheet writes it, and a small known set of deliberately bad rows
is mixed in so that the import quarantine can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from emptychair.demo import clock
from emptychair.demo.clock import DAY, WEEK, Ints, Texts, Window, join
from emptychair.demo.parameters import DemoParameters
from emptychair.demo.people import People

if TYPE_CHECKING:
    from emptychair.demo.practices import PlantedPractice

ORDER_CHANNELS = np.array(["web", "app", "store", "phone"])
#: Channel mix of each purchasing profile (web, app, store, phone).
PROFILE_MIX = {
    "online": [0.7, 0.3, 0.0, 0.0],
    "omni": [0.45, 0.2, 0.3, 0.05],
    "store": [0.15, 0.05, 0.8, 0.0],
}
#: How the French back office writes channels, on a share of the rows.
FRENCH_CHANNEL = {"web": "site web", "app": "application", "store": "magasin", "phone": "téléphone"}
FRENCH_LABEL_SHARE = 0.3
#: Gross margin as a share of the amount, and the share of loss-making orders.
MARGIN_RATE = (0.18, 0.42)
LOSS_MAKING_SHARE = 0.02
#: Average amount (in cents) per item beyond the first.
CENTS_PER_EXTRA_ITEM = 4500.0
HEADERS = {
    "order_id": "num_commande",
    "customer_id": "client_id",
    "ordered_at": "date_commande",
    "amount": "montant",
    "currency": "devise",
    "channel": "canal",
    "items": "nb_articles",
    "margin": "marge",
}


@dataclass
class Orders:
    """Good orders (numeric), the per-person truth, the export text and its bad rows."""

    table: pd.DataFrame
    truth: pd.DataFrame
    file: pd.DataFrame
    bad_rows: pd.DataFrame


def simulate_bgnbd(
    rng: np.random.Generator, lam: np.ndarray, p: np.ndarray, age_weeks: np.ndarray
) -> tuple[Ints, np.ndarray, Ints, np.ndarray]:
    """Repeat purchases of each person over ``(0, age]`` under the BG/NBD process.

    Returns the person index and the time (weeks after the first purchase) of every
    repeat purchase in time order per person, the number of repeat purchases per person
    and whether each person is still active at the end.
    """
    n = len(lam)
    dropout_after = rng.geometric(np.clip(p, 1e-12, 1.0))  # repeat purchase after which it stops
    arrivals = rng.poisson(lam * age_weeks)  # purchases an immortal customer would make
    repeats = np.minimum(arrivals, dropout_after)
    owner = np.repeat(np.arange(n), arrivals)
    when = rng.random(len(owner)) * age_weeks[owner]
    order = np.lexsort((when, owner))
    owner, when = owner[order], when[order]
    first_of = np.cumsum(arrivals) - arrivals
    rank = np.arange(len(owner)) - first_of[owner]
    keep = rank < repeats[owner]
    return owner[keep], when[keep], repeats.astype(np.int64), arrivals < dropout_after


def make_orders(
    rng: np.random.Generator,
    params: DemoParameters,
    window: Window,
    people: People,
    practice: PlantedPractice | None = None,
) -> Orders:
    """Draw every order of every person, then write the export with its bad rows.

    ``practice`` (the planted upsell calls) adds its extra orders and removes the
    orders its lapsed customers would have made.
    """
    persons = people.persons
    n = len(persons)
    bg, gg = params.bgnbd, params.gamma_gamma
    lam = rng.gamma(bg.r, 1.0 / bg.alpha, n)
    p = rng.beta(bg.a, bg.b, n)
    nu = rng.gamma(gg.q, 1.0 / gg.gamma, n)

    created = persons["created_s"].to_numpy()
    first_s = created + rng.integers(60, 900, n)
    age_weeks = (window.end_s - first_s) / WEEK
    owner, when, repeats, alive = simulate_bgnbd(rng, lam, p, age_weeks)

    person = np.concatenate([np.arange(n), owner])
    t = np.concatenate([first_s, first_s[owner] + (when * WEEK).astype(np.int64)])
    is_first = np.arange(len(person)) < n
    profile = persons["profile"].to_numpy()[person]
    channel = np.empty(len(person), dtype=ORDER_CHANNELS.dtype)
    for name, mix in PROFILE_MIX.items():
        rows = profile == name
        channel[rows] = rng.choice(ORDER_CHANNELS, int(rows.sum()), p=mix)
    online_first = rng.choice(ORDER_CHANNELS[:2], len(person), p=[0.7, 0.3])
    channel = np.where(is_first & (profile != "store"), online_first, channel)
    channel = np.where(is_first & (profile == "store"), "store", channel)
    shop_only = persons["kind"].to_numpy()[person] == "shop"
    channel = np.where(shop_only, "store", channel)
    # Shops open from 9:00 to 19:00.
    store = (channel == "store") & ~is_first
    shop_time = clock.day_floor(t) + clock.business_hours(rng, len(t), 9, 19)
    t = np.where(store, np.maximum(shop_time, first_s[person] + 60), t)

    since = persons["shop_since_s"].to_numpy()[person]
    in_shop_file = (channel == "store") & (t >= since)
    record = np.where(
        in_shop_file,
        persons["shop_record"].to_numpy()[person],
        persons["crm_record"].to_numpy()[person],
    )
    record = np.where(record < 0, persons["shop_record"].to_numpy()[person], record)

    amount = np.maximum(np.round(rng.gamma(gg.p, 1.0 / nu[person]) * 100), 1).astype(np.int64)
    items = 1 + rng.poisson(amount / CENTS_PER_EXTRA_ITEM)
    loss = rng.random(len(t)) < LOSS_MAKING_SHARE
    rate = np.where(loss, rng.uniform(-0.1, 0.0, len(t)), rng.uniform(*MARGIN_RATE, len(t)))
    margin = np.round(amount * rate).astype(np.int64)

    columns = {
        "record": record,
        "person": person,
        "ordered_s": t,
        "channel": channel,
        "amount_cents": amount,
        "items": items,
        "margin_cents": margin,
        "first": is_first,
    }
    if practice is not None:
        from emptychair.demo.practices import reshape_orders

        columns = reshape_orders(practice, columns, nu, gg.p)
        repeats = np.bincount(columns["person"], minlength=n) - 1
        alive = alive & ~np.isin(np.arange(n), practice.person[practice.lapse_s >= 0])
    by_time = np.argsort(columns["ordered_s"], kind="stable")
    table = pd.DataFrame(
        {
            "order_id": join("CMD", (100_001 + np.arange(len(by_time))).astype(str)),
            **{name: values[by_time] for name, values in columns.items()},
        }
    )
    orders_per_person = np.bincount(columns["person"], minlength=n)
    truth = pd.DataFrame(
        {
            "purchase_rate_per_week": lam,
            "dropout_probability": p,
            "spend_nu": nu,
            "expected_spend": gg.p / nu,
            "first_purchase_s": first_s,
            "age_weeks": age_weeks,
            "repeat_purchases": repeats,
            "orders_person": orders_per_person,
            "alive_at_end": alive,
        }
    )
    record_ids = people.records["record_id"].to_numpy()
    file = _export(rng, table, record_ids)
    file, bad_rows = _with_bad_rows(rng, file, window, params.customers)
    return Orders(table, truth, file, bad_rows)


def _export(rng: np.random.Generator, table: pd.DataFrame, record_ids: Texts) -> pd.DataFrame:
    channel = table["channel"].to_numpy()
    french = np.vectorize(FRENCH_CHANNEL.__getitem__, otypes=[str])(channel)
    written = np.where(rng.random(len(channel)) < FRENCH_LABEL_SHARE, french, channel)
    return pd.DataFrame(
        {
            HEADERS["order_id"]: table["order_id"].to_numpy(),
            HEADERS["customer_id"]: record_ids[table["record"].to_numpy()],
            HEADERS["ordered_at"]: clock.french_datetime(table["ordered_s"].to_numpy()),
            HEADERS["amount"]: clock.decimal_comma(table["amount_cents"].to_numpy()),
            HEADERS["currency"]: "EUR",
            HEADERS["channel"]: written,
            HEADERS["items"]: table["items"].to_numpy().astype(str),
            HEADERS["margin"]: clock.decimal_comma(table["margin_cents"].to_numpy()),
        }
    )


#: The bad rows mixed into the export: (reason, canonical column, how many).
BAD_ROWS = (
    ("negative amount", "amount", 4),
    ("absurd amount", "amount", 3),
    ("unparseable date", "ordered_at", 3),
    ("date in the future", "ordered_at", 3),
    ("unknown customer", "customer_id", 4),
    ("duplicate order id", "order_id", 3),
)
_UNREADABLE_DATES = ("31/02/{year} 14:30", "32/01/{year} 09:15", "le {day}/{month}")


def _with_bad_rows(
    rng: np.random.Generator, file: pd.DataFrame, window: Window, customers: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mix the known bad rows into the export and list where they ended up."""
    good = len(file)
    rows: list[dict[str, str]] = []
    where: list[int] = []
    info: list[tuple[str, str, str]] = []
    next_id = good + 100_001
    for reason, column, count in BAD_ROWS:
        for k in range(count):
            base_at = int(rng.integers(0, good))
            row = {str(key): str(value) for key, value in file.iloc[base_at].items()}
            header = HEADERS[column]
            if reason == "duplicate order id":
                row[HEADERS["amount"]] = clock.decimal_comma(np.array([rng.integers(1000, 20000)]))[
                    0
                ]
                position = int(rng.integers(base_at + 1, good + 1))
            else:
                row[HEADERS["order_id"]] = f"CMD{next_id}"
                next_id += 1
                position = int(rng.integers(0, good + 1))
            if reason == "negative amount":
                row[header] = "-" + row[header]
            elif reason == "absurd amount":
                row[header] = ("9999999,00", "12500000,00", "99999999,99")[k % 3]
            elif reason == "unparseable date":
                year = window.end.year - 1
                row[header] = _UNREADABLE_DATES[k % 3].format(year=year, day="12", month="mars")
            elif reason == "date in the future":
                future = np.array([window.end_s + (3650 + 40 * k) * DAY + 11 * 3600])
                row[header] = clock.french_datetime(future)[0]
            elif reason == "unknown customer":
                row[header] = f"C{customers + 500_000 + k:06d}"
            rows.append(row)
            where.append(position)
            info.append((header, column, reason))
    key = np.concatenate([2 * np.arange(good) + 1, 2 * np.array(where, dtype=np.int64)])
    combined = pd.concat([file, pd.DataFrame(rows, columns=file.columns)], ignore_index=True)
    order = np.argsort(key, kind="stable")
    combined = combined.iloc[order].reset_index(drop=True)
    final_row = np.empty(len(order), dtype=np.int64)
    final_row[order] = np.arange(len(order)) + 2  # the header is row 1
    bad_rows = pd.DataFrame(
        {
            "file": "commandes.csv",
            "row": final_row[good:],
            "column": [h for h, _, _ in info],
            "canonical_column": [c for _, c, _ in info],
            "reason": [r for _, _, r in info],
            "value": [row[h] for row, (h, _, _) in zip(rows, info, strict=True)],
        }
    ).sort_values("row", kind="stable", ignore_index=True)
    return combined, bad_rows
