"""Initiatives measured on the demo company, against what the generator planted.

The demo changes nothing at the dates of the made-up initiatives below, so their verdict
must be "no measurable effect". It does plant one change: in the last 150 days, 30% of the
web and app NPS answers are about the new gift cards, which disappoint four buyers in five.
The effect that change has on the NPS of those answers is computed here from the score model
and each answer's recorded frictions; the measured interval must cover it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.demo.parameters import ScoreModel, SurveyParameters
from emptychair.demo.service import DemoReport
from emptychair.errors import ModelDataError
from emptychair.impact.initiatives import measure_initiative, record_initiative
from tests.integration.conftest import END

GIFT_CARDS_START = END - timedelta(days=SurveyParameters().emerging_theme_days)


@pytest.fixture(scope="module")
def workspace(company: DemoReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    target = tmp_path_factory.mktemp("initiatives") / "ws"
    shutil.copytree(company.workspace, target)
    with Workspace(target) as ws:
        yield ws


def _nps(polarity: np.ndarray, offset: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    model = ScoreModel()
    u = model.intercept + model.sentiment * polarity + offset
    u = u + rng.normal(0.0, model.noise_sd, u.shape)
    score = np.round(10.0 / (1.0 + np.exp(-u)))
    return 100.0 * ((score >= 9).astype(float) - (score <= 6).astype(float))


def planted_gift_card_effect(workspace: Workspace, truth: Path, until: date) -> float:
    """Expected change of the mean NPS of the web and app answers after the start: the
    share about gift cards times (their NPS − the NPS they would have given otherwise)."""
    model, surveys = ScoreModel(), SurveyParameters()
    feedback = workspace.table("feedback")
    answers = workspace.to_pandas(
        feedback.filter(
            (feedback["kind"] == "nps")
            & feedback["channel"].isin(["web", "app"])
            & (feedback["received_at"] >= pd.Timestamp(GIFT_CARDS_START))
            & (feedback["received_at"] < pd.Timestamp(until))
        ).select("feedback_id")
    )
    flags = pd.read_csv(truth / "feedback.csv").merge(answers, on="feedback_id")
    rng = np.random.default_rng(0)
    draws = 4_000
    repeat = flags["repeat_contact"].to_numpy(bool)[:, None]
    offset = (
        model.repeat_contact * flags["repeat_contact"].to_numpy(float)
        + model.long_wait * flags["long_wait"].to_numpy(float)
        + model.web_to_phone * flags["web_to_phone"].to_numpy(float)
    )[:, None]
    shape = (len(flags), draws)
    good = np.where(
        repeat, surveys.positive_theme_share_after_friction, surveys.positive_theme_share
    )
    first = np.where(rng.random(shape) < good, 1.0, -1.0)
    second = np.where(rng.random(shape) < good, 1.0, -1.0)
    usual = np.where(rng.random(shape) < surveys.two_theme_share, (first + second) / 2, first)
    gift = np.where(rng.random(shape) < surveys.emerging_theme_positive_share, 1.0, -1.0)
    change = _nps(gift, offset, rng).mean() - _nps(usual, offset, rng).mean()
    return surveys.emerging_theme_share * float(change)


def test_the_gift_cards_effect_is_covered_by_the_interval(
    workspace: Workspace, company: DemoReport
) -> None:
    record_initiative(
        workspace, "Gift cards", start=GIFT_CARDS_START, target="channel=web,app",
        comparison="channel=store", kpi="nps", recorded_by="Claire",
    )  # fmt: skip
    result = measure_initiative(workspace, "gift-cards")
    until = GIFT_CARDS_START + timedelta(days=7 * result.windows[1])
    planted = planted_gift_card_effect(workspace, company.truth, until)
    assert -40 < planted < -15
    effect = result.estimate
    assert effect.low < planted < effect.high
    assert result.pre_trend is not None and not result.pre_trends_differ
    assert result.to_dict()["money"] is None


@pytest.mark.parametrize(
    ("name", "target", "kpi"),
    [
        ("Spring callbacks", "team=CC Nantes", "repeat_contact"),
        ("French newsletter", "language=fr", "revenue_per_customer"),
        ("English welcome", "language=en", "purchase_rate"),
    ],
)
def test_made_up_initiatives_have_no_measurable_effect(
    workspace: Workspace, name: str, target: str, kpi: str
) -> None:
    initiative = record_initiative(
        workspace, name, start="2026-04-06", target=target, kpi=kpi, recorded_by="Paul"
    )
    result = measure_initiative(workspace, initiative)
    assert result.estimate.low < 0 < result.estimate.high
    assert result.verdict("en").startswith("No measurable effect on ")
    assert result.verdict("fr").startswith("Pas d'effet mesurable sur ")


def test_a_team_with_few_answers_is_refused_with_its_count(workspace: Workspace) -> None:
    initiative = record_initiative(
        workspace, "Nantes smiles", start="2026-04-06", target="team=CC Nantes", kpi="csat",
        recorded_by="Paul",
    )  # fmt: skip
    with pytest.raises(ModelDataError, match=r"targeted group has \d+ customer.*fewer than the 30"):
        measure_initiative(workspace, initiative)
