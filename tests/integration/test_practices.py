"""The practice detector on the demo company: the planted upsell calls, nothing else."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.actions.practices import PracticesResult, detect_practices
from emptychair.demo.service import DemoReport


@pytest.fixture(scope="module")
def found(company: DemoReport) -> PracticesResult:
    with Workspace(company.workspace, read_only=True) as ws:
        return detect_practices(ws)


def _effect(found: PracticesResult, practice: str, outcome: str) -> pd.Series:
    return found.effects.set_index(["practice", "outcome"]).loc[(practice, outcome)]


def test_the_planted_upsell_calls_are_flagged_and_the_e_mails_are_not(
    found: PracticesResult,
) -> None:
    assert found.flagged == ["UPS"]
    practices = found.practices.set_index("practice")
    assert set(practices.index) == {"UPS", "CMP"}
    assert practices.loc["UPS", "channel"] == "phone"
    assert practices.loc["CMP", "channel"] == "email"
    assert not practices.loc["CMP", "flagged"]
    assert (practices["status"] == "assessed").all()
    assert not found.effects.loc[found.effects["practice"] == "CMP", "flagged"].any()


def test_the_upsell_calls_effects_match_what_was_planted(
    found: PracticesResult, company: DemoReport
) -> None:
    truth = json.loads((company.truth / "parameters.json").read_text("utf-8"))["practice"]
    calls = pd.read_csv(company.truth / "practice.csv")
    # One call per customer, every one old enough to be followed for 180 days.
    practices = found.practices.set_index("practice")
    assert practices.loc["UPS", "contacted"] == len(calls)
    assert practices.loc["UPS", "campaigns"] == truth["months"]
    assert _effect(found, "UPS", "revenue_short")["signal"] == "gain"
    complaint = _effect(found, "UPS", "complaint")
    assert complaint["signal"] == "harm"
    planted = truth["complaint"] * (1 - complaint["baseline"])
    assert complaint["low"] < planted < complaint["high"]
    unsubscribe = _effect(found, "UPS", "unsubscribe")
    assert unsubscribe["signal"] == "harm" and unsubscribe["effect"] > 0.05
    assert _effect(found, "UPS", "lapse")["effect"] > 0
