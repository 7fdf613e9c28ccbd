"""The actions engine reads consent from the registry: the decision at the moment of
the action, held back by any withdrawal recorded since."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from emptychair import Workspace
from emptychair.actions.features import PURPOSES, current_consents
from emptychair.privacy import grant, withdraw
from emptychair.privacy.consent import current_consents as registry_consents
from emptychair.voice.complaints import moment_seconds


def _allowed(workspace: Workspace, at: str) -> pd.DataFrame:
    table = current_consents(workspace, moment_seconds(pd.Timestamp(at)))
    return workspace.to_pandas(table).set_index("customer_id").sort_index()


def test_a_withdrawal_recorded_after_the_moment_still_holds_the_action_back(
    with_customers: Workspace,
) -> None:
    ws = with_customers
    grant(ws, "C1", "email", source="web form", at=datetime(2026, 1, 1))
    withdraw(ws, "C1", "email", source="reply STOP", at=datetime(2026, 3, 1))
    grant(ws, "C2", "sms", source="store", at=datetime(2026, 3, 1))
    grant(ws, "C3", "email", source="web form", at=datetime(2026, 1, 1))
    withdraw(ws, "C3", "email", source="call", at=datetime(2026, 3, 1))
    grant(ws, "C3", "email", source="web form", at=datetime(2026, 4, 1))

    february = _allowed(ws, "2026-02-01")
    assert not february.loc["C1", "consent_email"]  # withdrawn since
    assert "C2" not in february.index  # its consent was not given yet
    assert february.loc["C3", "consent_email"]  # withdrawn since, but given again
    march = _allowed(ws, "2026-03-15")
    assert march.loc["C2", "consent_sms"] and not march.loc["C3", "consent_email"]


def test_after_the_last_decision_the_actions_read_what_the_registry_says(
    with_customers: Workspace,
) -> None:
    ws = with_customers
    grant(ws, "C1", "email", source="web form", at=datetime(2026, 1, 1))
    grant(ws, "C1", "sms", source="web form", at=datetime(2026, 1, 2))
    withdraw(ws, "C1", "sms", source="reply STOP", at=datetime(2026, 2, 1))
    grant(ws, "C2", "profiling", source="app", at=datetime(2026, 1, 5))
    withdraw(ws, "C3", "phone", source="call", at=datetime(2026, 1, 6))
    allowed = _allowed(ws, "2026-12-31")
    registry = registry_consents(ws)
    for row in registry.to_dict("records"):
        assert allowed.loc[row["customer_id"], f"consent_{row['purpose']}"] == row["granted"]
    granted = {
        (r["customer_id"], r["purpose"]) for r in registry.to_dict("records") if r["granted"]
    }
    for customer, features in allowed.iterrows():
        for purpose in PURPOSES:
            assert bool(features[f"consent_{purpose}"]) == ((customer, purpose) in granted)
