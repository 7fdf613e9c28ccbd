"""Marketing consents per customer record, given at sign-up and sometimes changed later.

Every record states its choices when it is created (the CRM asks about e-mail, SMS,
phone and profiling; the shop about e-mail and SMS). Some customers later withdraw a
consent they gave, or give one they had refused; that change is a second row with a
later ``recorded_at``. The state at any time is what campaigns must respect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from emptychair.demo import clock
from emptychair.demo.clock import DAY, Ints, Window
from emptychair.demo.people import People

#: purpose: (asked in the shop, share granting at sign-up, share withdrawing later)
PURPOSES = {
    "email": (True, 0.65, 0.15),
    "sms": (True, 0.35, 0.20),
    "phone": (False, 0.25, 0.10),
    "profiling": (False, 0.50, 0.12),
}
LATER_OPT_IN = 0.05
MEAN_DAYS_TO_CHANGE = 300.0
NEVER = np.iinfo(np.int64).max


@dataclass
class Consents:
    """The consents file and, per record, the e-mail consent over time."""

    file: pd.DataFrame
    email_initial: npt.NDArray[np.bool_]
    email_change_s: Ints

    def email_allowed(self, record: Ints, at_s: Ints | int) -> npt.NDArray[np.bool_]:
        """Whether each record had consented to marketing e-mails at ``at_s``."""
        changed = np.asarray(at_s) >= self.email_change_s[record]
        return np.asarray(self.email_initial[record] ^ changed, dtype=bool)


def make_consents(rng: np.random.Generator, window: Window, people: People) -> Consents:
    """Draw every record's consents and the later changes."""
    records = people.records
    n = len(records)
    created = records["created_s"].to_numpy()
    shop = records["source"].to_numpy() == "shop"
    ids = records["record_id"].to_numpy()
    parts = []
    email_initial = np.zeros(n, dtype=bool)
    email_change = np.full(n, NEVER, dtype=np.int64)
    for purpose, (in_shop, grant, withdraw) in PURPOSES.items():
        asked = np.ones(n, dtype=bool) if in_shop else ~shop
        granted = rng.random(n) < grant
        change_share = np.where(granted, withdraw, LATER_OPT_IN)
        delay = (rng.exponential(MEAN_DAYS_TO_CHANGE, n) * DAY).astype(np.int64) + 60
        change_at = created + delay
        changes = asked & (rng.random(n) < change_share) & (change_at < window.end_s)
        source_at_signup = np.where(shop, "store", "signup")
        later_source = np.where(
            shop,
            rng.choice(np.array(["store", "preference_centre"]), n),
            rng.choice(np.array(["preference_centre", "call"]), n, p=[0.7, 0.3]),
        )
        parts.append(
            pd.DataFrame(
                {
                    "record": np.nonzero(asked)[0],
                    "purpose": purpose,
                    "granted": granted[asked],
                    "recorded_s": created[asked],
                    "source": source_at_signup[asked],
                }
            )
        )
        parts.append(
            pd.DataFrame(
                {
                    "record": np.nonzero(changes)[0],
                    "purpose": purpose,
                    "granted": ~granted[changes],
                    "recorded_s": change_at[changes],
                    "source": later_source[changes],
                }
            )
        )
        if purpose == "email":
            email_initial = granted & asked
            email_change = np.where(changes, change_at, NEVER)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.sort_values(["recorded_s", "record", "purpose"], kind="stable", ignore_index=True)
    file = pd.DataFrame(
        {
            "customer_id": ids[rows["record"].to_numpy()],
            "purpose": rows["purpose"].to_numpy(),
            "granted": np.where(rows["granted"].to_numpy(), "true", "false"),
            "recorded_at": clock.iso_datetime(rows["recorded_s"].to_numpy()),
            "source": rows["source"].to_numpy(),
        }
    )
    return Consents(file, email_initial, email_change)
