"""The consent registry: decisions with their details, the current one, the history."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.privacy import consent_history, current_consents, grant, withdraw


def test_withdrawing_after_granting_leaves_the_consent_withdrawn(people: Workspace) -> None:
    given = grant(
        people,
        "C2",
        "sms",
        source="web form",
        wording_version="2026-03",
        channel="web",
        at=datetime(2026, 3, 1, 10),
    )
    assert given.granted
    withdraw(people, "C2", "sms", source="reply STOP", at=datetime(2026, 4, 1, 10))
    current = current_consents(people, ["C2"]).set_index("purpose")
    assert not current.loc["sms", "granted"]
    assert current.loc["sms", "source"] == "reply STOP"
    # the imported e-mail consent is untouched, with no details
    assert current.loc["email", "granted"] and pd.isna(current.loc["email", "wording_version"])
    history = consent_history(people, "C2")
    sms = history[history["purpose"] == "sms"]
    # newest first: the withdrawal, the grant with its wording version, the imported refusal
    assert list(sms["granted"]) == [False, True, False]
    assert list(sms["wording_version"].fillna("-")) == ["-", "2026-03", "-"]
    assert list(sms["channel"].fillna("-")) == ["-", "web", "-"]
    assert people.count("consents") == 5


def test_a_tie_is_read_as_a_withdrawal(people: Workspace) -> None:
    at = datetime(2026, 5, 1, 12)
    grant(people, "C3", "profiling", source="a", at=at)
    withdraw(people, "C3", "push", source="a", at=at)
    grant(people, "C3", "push", source="b", at=datetime(2026, 5, 1, 11))
    current = current_consents(people, ["C3"]).set_index("purpose")
    assert current.loc["profiling", "granted"] and not current.loc["push", "granted"]
    with pytest.raises(InvalidParameterError, match="already recorded"):
        withdraw(people, "C3", "profiling", source="a", at=at)


def test_current_consents_of_everyone(people: Workspace) -> None:
    current = current_consents(people)
    assert set(zip(current["customer_id"], current["purpose"], strict=True)) == {
        ("C1", "email"),
        ("C2", "email"),
        ("C2", "sms"),
    }


def test_bad_decisions_are_refused_with_the_reason(people: Workspace) -> None:
    with pytest.raises(InvalidParameterError, match="'newsletter'"):
        grant(people, "C2", "newsletter", source="web")
    with pytest.raises(InvalidParameterError, match="channel 'fax'"):
        grant(people, "C2", "email", source="web", channel="fax")
    with pytest.raises(NotFoundError, match="C9"):
        withdraw(people, "C9", "email", source="web")
    with pytest.raises(InvalidParameterError, match="source"):
        grant(people, "C2", "email", source=" ")
