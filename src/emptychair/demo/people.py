"""The demo company's people and the two customer files that describe them.

Each *person* is one real customer. The CRM (``customers.csv``) holds one record per
online or omnichannel customer; the shop's loyalty system (``clients_boutique.csv``)
holds shop-only customers plus a known share of CRM customers a second time, under
another identifier, with the same e-mail or the same phone written differently. The
ground truth says which shop record is which person and on which field they match.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emptychair.demo import clock
from emptychair.demo.clock import DAY, Ints, Texts, Window, join
from emptychair.demo.names import ENGLISH_FIRST, ENGLISH_LAST, FRENCH_FIRST, FRENCH_LAST, ascii_slug
from emptychair.demo.parameters import DemoParameters

COUNTRIES = np.array(["FR", "BE", "CH", "GB", "CA"])
COUNTRY_SHARES = np.array([0.74, 0.08, 0.05, 0.06, 0.07])
PROFILES = np.array(["online", "omni", "store"])
PROFILE_SHARES = np.array([0.5, 0.35, 0.15])
ACQUISITION = {
    # channel: (share among non-store customers, mean cost in euros)
    "seo": (0.30, 6.0),
    "paid_search": (0.30, 32.0),
    "social": (0.15, 24.0),
    "referral": (0.10, 10.0),
    "affiliate": (0.15, 18.0),
}
STORE_ACQUISITION_COST = 4.0
#: Multiplier that spreads sequential numbers over all eight-digit phone suffixes.
_PHONE_STEP = 73_939_133


@dataclass
class People:
    """Persons, their source records and the two customer files.

    ``persons`` has one row per person; ``records`` one row per customer record (CRM
    records first, numbered like the persons, then shop records); ``crm_file`` and
    ``shop_file`` are the text tables written to disk; ``identity`` maps every shop
    record to its person.
    """

    persons: pd.DataFrame
    records: pd.DataFrame
    crm_file: pd.DataFrame
    shop_file: pd.DataFrame
    identity: pd.DataFrame


def make_people(rng: np.random.Generator, params: DemoParameters, window: Window) -> People:
    """Draw the persons and the content of both customer files."""
    n = params.customers
    n_only = round(params.shop_only_share * n)
    total = n + n_only
    start_s, end_s = window.start_s, window.end_s

    # CRM persons, numbered in sign-up order so that identifiers grow with time.
    profile = rng.choice(PROFILES, size=n, p=PROFILE_SHARES)
    days = clock.growing_days(rng, n, start_s, end_s - DAY, growth=0.8)
    store_hours = clock.business_hours(rng, n, 9, 19)
    created = days + np.where(profile == "store", store_hours, clock.hour_of_day(rng, n))
    order = np.argsort(created, kind="stable")
    created, profile = created[order], profile[order]
    country = rng.choice(COUNTRIES, size=n, p=COUNTRY_SHARES)
    language = _languages(rng, country)

    # Shop-only persons, from the French and Belgian shops.
    only_created = np.sort(
        clock.growing_days(rng, n_only, start_s, end_s - DAY, growth=0.8)
        + clock.business_hours(rng, n_only, 9, 19)
    )
    countries = np.concatenate([country, rng.choice(COUNTRIES[:2], n_only, p=[0.85, 0.15])])
    languages = np.concatenate([language, np.full(n_only, "fr")])
    first, last, first_slug, last_slug = _names(rng, languages)
    email = _emails(rng, first_slug, last_slug, countries)
    suffix = (rng.integers(0, 10**8) + np.arange(total, dtype=np.int64) * _PHONE_STEP) % 10**8
    mobile = rng.choice(np.array(["6", "7"]), size=total)
    has_phone = rng.random(total) >= 0.12

    # CRM customers seen again in the shop, matching on e-mail or on phone.
    n_dup = min(round(params.shop_duplicate_share * n), n)
    eligible = np.isin(country, ["FR", "BE"]) & (profile != "online")
    dup = np.sort(np.argsort(~eligible + rng.random(n), kind="stable")[:n_dup])
    by_phone = (country[dup] == "FR") & (rng.random(n_dup) < 0.5)
    match_on = np.where(by_phone, "phone", "email")
    has_phone[dup[by_phone]] = True
    spread = rng.uniform(0.05, 0.95, n_dup) * (end_s - DAY - created[dup])
    since = clock.day_floor(created[dup] + spread.astype(np.int64))
    since = since + clock.business_hours(rng, n_dup, 9, 19)
    since = np.minimum(np.where(since <= created[dup], since + DAY, since), end_s - 3600)

    crm_ids = _ids("C", n, n)
    crm_phone = _crm_phone(rng, country, mobile[:n], suffix[:n])
    channel, cost = _acquisition(rng, profile)
    crm_file = pd.DataFrame(
        {
            "customer_id": crm_ids,
            "created_at": clock.iso_datetime(created),
            "acquisition_channel": channel,
            "acquisition_cost": cost,
            "country": country,
            "language": language,
            "email": email[:n],
            "phone": np.where(has_phone[:n], crm_phone, ""),
            "first_name": first[:n],
            "last_name": last[:n],
            "birth_date": _birth_dates(rng, n, end_s),
        }
    )

    # Shop records (duplicates and shop-only customers), numbered in sign-up order.
    person = np.concatenate([dup, np.arange(n, total)])
    shop_since = np.concatenate([since, only_created])
    shop_match = np.concatenate([match_on, np.full(n_only, "none")])
    by_time = np.argsort(shop_since, kind="stable")
    person, shop_since, shop_match = person[by_time], shop_since[by_time], shop_match[by_time]
    m = len(person)
    shop_ids = _ids("B", m, n)

    written_email = _shop_email(rng, email[person], shop_match)
    shop_style = rng.choice(np.array(["compact", "national", "international", "dotted"]), m)
    crm_style = np.where(np.strings.startswith(crm_phone, "+"), "international", "national")
    crm_style_of = np.where(person < n, crm_style[np.minimum(person, n - 1)], "")
    shop_style = np.where(
        (shop_match == "phone") & (shop_style == crm_style_of),
        np.where(crm_style_of == "international", "compact", "international"),
        shop_style,
    )
    written_phone = french_phone(mobile[person], suffix[person], shop_style)
    phone_shown = np.where(shop_match == "none", has_phone[person], shop_match == "phone")
    last_written = np.where(rng.random(m) < 0.5, np.strings.upper(last[person]), last[person])
    shop_file = pd.DataFrame(
        {
            "id_client": shop_ids,
            "date_creation": clock.french_date(shop_since),
            "courriel": written_email,
            "telephone": np.where(phone_shown, written_phone, ""),
            "prenom": first[person],
            "nom": last_written,
            "pays": countries[person],
            "langue": languages[person],
        }
    )

    person_ids = np.concatenate([crm_ids, np.full(n_only, "", dtype=crm_ids.dtype)])
    only = person >= n
    person_ids[person[only]] = shop_ids[only]
    shop_record = np.full(total, -1, dtype=np.int64)
    shop_record[person] = n + np.arange(m)
    since_of = np.full(total, np.iinfo(np.int64).max, dtype=np.int64)
    since_of[person] = shop_since
    kind = np.where(np.arange(total) < n, "crm", "shop")
    kind[dup] = "crm_and_shop"
    persons = pd.DataFrame(
        {
            "person_id": person_ids,
            "created_s": np.concatenate([created, only_created]),
            "country": countries,
            "language": languages,
            "profile": np.concatenate([profile, np.full(n_only, "store")]),
            "kind": kind,
            "crm_record": np.where(np.arange(total) < n, np.arange(total), -1),
            "shop_record": shop_record,
            "shop_since_s": since_of,
        }
    )
    records = pd.DataFrame(
        {
            "record_id": np.concatenate([crm_ids, shop_ids]),
            "person": np.concatenate([np.arange(n), person]),
            "source": np.concatenate([np.full(n, "crm"), np.full(m, "shop")]),
            "created_s": np.concatenate([created, shop_since]),
            "language": np.concatenate([language, languages[person]]),
        }
    )
    identity = pd.DataFrame(
        {"record_id": shop_ids, "person_id": person_ids[person], "match_on": shop_match}
    )
    return People(persons, records, crm_file, shop_file, identity)


def _ids(prefix: str, count: int, n: int) -> Texts:
    """``C000001``-style identifiers, six digits or more."""
    width = max(6, len(str(2 * n)))
    numbers = np.arange(1, count + 1).astype(str)
    return join(prefix, np.strings.zfill(numbers, width))


def _languages(rng: np.random.Generator, country: Texts) -> Texts:
    english = (country == "GB") | ((country == "CA") & (rng.random(len(country)) < 0.4))
    return np.where(english, "en", "fr")


def _names(rng: np.random.Generator, language: Texts) -> tuple[Texts, Texts, Texts, Texts]:
    n = len(language)
    english = language == "en"
    drawn = []
    for french, english_names in ((FRENCH_FIRST, ENGLISH_FIRST), (FRENCH_LAST, ENGLISH_LAST)):
        fr = np.array(french)[rng.integers(0, len(french), n)]
        en = np.array(english_names)[rng.integers(0, len(english_names), n)]
        drawn.append(np.where(english, en, fr))
    first, last = drawn
    names = (*FRENCH_FIRST, *ENGLISH_FIRST, *FRENCH_LAST, *ENGLISH_LAST)
    slugs = {name: ascii_slug(name) for name in names}
    first_slug = np.array([slugs[x] for x in first.tolist()], dtype=str)
    last_slug = np.array([slugs[x] for x in last.tolist()], dtype=str)
    return first, last, first_slug, last_slug


def _emails(rng: np.random.Generator, first: Texts, last: Texts, country: Texts) -> Texts:
    """Unique lower-case addresses, on example domains only."""
    n = len(first)
    style = rng.integers(0, 5, n)
    local = np.select(
        [style == 0, style == 1, style == 2, style == 3],
        [
            join(first, ".", last),
            join(first, last),
            join(np.strings.slice(first, 0, 1), ".", last),
            join(first, "_", last),
        ],
        join(last, ".", first),
    )
    number = np.strings.zfill(rng.integers(0, 100, n).astype(str), 2)
    local = np.where(rng.random(n) < 0.3, join(local, number), local)
    french = np.isin(country, ["FR", "BE", "CH"])
    domain = np.where(
        french,
        rng.choice(np.array(["example.fr", "example.com", "example.net"]), n, p=[0.6, 0.3, 0.1]),
        rng.choice(np.array(["example.com", "example.org", "example.net"]), n, p=[0.6, 0.2, 0.2]),
    )
    address = join(local, "@", domain)
    seen = pd.Series(address).groupby(address).cumcount().to_numpy()
    # Bases never end in "_<digits>", so the numbered copies cannot collide with them.
    return np.where(seen > 0, join(local, "_", (seen + 1).astype(str), "@", domain), address)


def _shop_email(rng: np.random.Generator, email: Texts, match: Texts) -> Texts:
    """The shop's way of writing an address: upper case or padded with spaces."""
    m = len(email)
    how = rng.choice(np.array(["upper", "spaces", "both"]), m, p=[0.5, 0.3, 0.2])
    upper = np.strings.upper(email)
    variant = np.select(
        [how == "upper", how == "spaces"], [upper, join(" ", email, "  ")], join("  ", upper, " ")
    )
    only_email = rng.random(m) < 0.6
    return np.select(
        [match == "email", match == "none"], [variant, np.where(only_email, email, "")], ""
    )


def _pairs(suffix: Ints) -> list[Texts]:
    return [np.strings.zfill((suffix // 10**k % 100).astype(str), 2) for k in (6, 4, 2, 0)]


def french_phone(mobile: Texts, suffix: Ints, style: Texts) -> Texts:
    """French mobile numbers written the way people write them.

    ``national`` is ``06 12 34 56 78``, ``international`` ``+33 6 12 34 56 78``,
    ``compact`` ``0612345678`` and ``dotted`` ``06.12.34.56.78``.
    """
    a, b, c, d = _pairs(suffix)
    spaced = join(a, " ", b, " ", c, " ", d)
    return np.select(
        [style == "national", style == "international", style == "compact"],
        [
            join("0", mobile, " ", spaced),
            join("+33 ", mobile, " ", spaced),
            join("0", mobile, a, b, c, d),
        ],
        join("0", mobile, ".", a, ".", b, ".", c, ".", d),
    )


def _crm_phone(rng: np.random.Generator, country: Texts, mobile: Texts, suffix: Ints) -> Texts:
    n = len(country)
    style = np.where(rng.random(n) < 0.7, "national", "international")
    a, b, c, d = _pairs(suffix)
    area = rng.choice(np.array(["514", "438", "416", "604"]), n)
    three = np.strings.zfill((suffix // 10**4 % 1000).astype(str), 3)
    four = np.strings.zfill((suffix % 10**4).astype(str), 4)
    return np.select(
        [country == "FR", country == "BE", country == "CH", country == "GB"],
        [
            french_phone(mobile, suffix, style),
            join("+32 47", a, " ", b, " ", c, " ", d),
            join("+41 79 ", a, b, " ", c, " ", d),
            join("+44 79", a, " ", b, c, d),
        ],
        join("+1 ", area, " ", three, "-", four),
    )


def _acquisition(rng: np.random.Generator, profile: Texts) -> tuple[Texts, Texts]:
    """Acquisition channel and cost (euros, dot decimal) of each CRM customer."""
    names = np.array(list(ACQUISITION))
    shares = np.array([share for share, _ in ACQUISITION.values()])
    means = dict(zip(names.tolist(), (mean for _, mean in ACQUISITION.values()), strict=True))
    means["store"] = STORE_ACQUISITION_COST
    channel = rng.choice(names, size=len(profile), p=shares)
    channel = np.where(profile == "store", "store", channel)
    mean = np.array([means[c] for c in channel.tolist()])
    cost = rng.gamma(4.0, mean / 4.0)
    cost = np.where(channel == "referral", 10.0, cost)
    return channel, np.char.mod("%.2f", np.round(cost, 2))


def _birth_dates(rng: np.random.Generator, n: int, end_s: int) -> Texts:
    age_days = ((18 + np.minimum(rng.gamma(4.0, 6.0, n), 72)) * 365.25 * DAY).astype(np.int64)
    birth = clock.day_floor(end_s - age_days)
    return np.where(rng.random(n) < 0.04, "", clock.iso_date(birth))
