"""The practice detector on simulated companies whose campaign effects are known."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.actions.practices import (
    PracticeSettings,
    detect_practices,
    practices_summary,
    run_practices,
)
from emptychair.actions.practices_estimate import benjamini_hochberg
from emptychair.errors import InvalidParameterError, ModelDataError
from tests.unit.actions.test_practices_simulation import (
    HARMFUL,
    MEAN_AMOUNT,
    Effects,
    load,
    simulate,
)


def _company(folder: Path, effects: Effects, seed: int) -> Iterator[Workspace]:
    simulate(folder / "files", effects, seed=seed)
    ws = Workspace.init(folder / "ws")
    yield load(ws, folder / "files")
    ws.close()


@pytest.fixture(scope="module")
def harmful(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    yield from _company(tmp_path_factory.mktemp("harmful"), HARMFUL, seed=1)


@pytest.fixture(scope="module")
def harmless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    yield from _company(tmp_path_factory.mktemp("harmless"), Effects(), seed=2)


def _effect(found: pd.DataFrame, practice: str, outcome: str) -> pd.Series:
    return found.set_index(["practice", "outcome"]).loc[(practice, outcome)]


def test_the_harmful_calls_are_flagged_with_intervals_covering_the_truth(
    harmful: Workspace,
) -> None:
    found = detect_practices(harmful)
    assert found.flagged == ["CALL"]
    revenue = _effect(found.effects, "CALL", "revenue_short")
    assert revenue["signal"] == "gain"
    # An extra order of mean amount 60 with probability 0.45, whatever the targeting.
    assert revenue["low"] < HARMFUL.extra_order * MEAN_AMOUNT < revenue["high"]
    complaint = _effect(found.effects, "CALL", "complaint")
    assert complaint["signal"] == "harm" and complaint["effect"] > 0
    truth = HARMFUL.complaint * (1 - complaint["baseline"])
    assert complaint["low"] < truth < complaint["high"]
    for outcome in ("unsubscribe", "lapse"):
        assert _effect(found.effects, "CALL", outcome)["signal"] == "harm"
    assert _effect(found.effects, "CALL", "revenue_later")["effect"] < 0
    # The adjusted intervals are wider and exclude zero exactly for the effects found.
    effects = found.effects
    assert (effects["low_adjusted"] <= effects["low"]).all()
    excludes = (effects["low_adjusted"] > 0) | (effects["high_adjusted"] < 0)
    assert (excludes == (effects["q_value"] <= 0.05)).all()
    # The newsletter changes nothing and is not flagged.
    news = found.practices.set_index("practice").loc["NEWS"]
    assert not news["flagged"] and news["status"] == "assessed"
    assert news["campaigns"] == 19 and news["channel"] == "email"


def test_a_company_without_harmful_practice_has_nothing_flagged(harmless: Workspace) -> None:
    found = detect_practices(harmless)
    assert found.flagged == []
    assert set(found.effects["practice"]) == {"CALL", "NEWS"}
    assert not found.effects["flagged"].any()
    assert "harm" not in set(found.effects.loc[found.effects["practice"] == "NEWS", "signal"])


def test_each_campaign_can_be_assessed_on_its_own(harmful: Workspace) -> None:
    found = detect_practices(harmful, PracticeSettings(by="campaign", min_contacted=100))
    calls = found.practices[found.practices["practice"].str.startswith("CALL-")]
    assert len(calls) == 4 and calls["flagged"].all()
    # A newsletter reaches about 50 customers: too few on its own.
    news = found.practices[found.practices["practice"].str.startswith("NEWS-")]
    assert news["status"].str.startswith("too few contacted customers").all()
    assert any(w.startswith("NEWS-2023-03: too few contacted") for w in found.warnings)


def test_a_stored_run_reads_back(harmful: Workspace) -> None:
    stored = run_practices(harmful)
    again = practices_summary(harmful)
    assert again.run_id == stored.run_id and again.flagged == ["CALL"]
    pd.testing.assert_frame_equal(
        again.effects[["practice", "outcome", "effect"]],
        stored.effects[["practice", "outcome", "effect"]],
        check_dtype=False,
    )
    assert again.settings.long_days == 180


def test_too_few_contacted_customers_is_said_not_zeroed(harmful: Workspace) -> None:
    found = detect_practices(harmful, PracticeSettings(min_contacted=700))
    call = found.practices.set_index("practice").loc["CALL"]
    assert call["status"] == (
        "too few contacted customers: 560 with a complete follow-up (min_contacted=700)"
    )
    assert set(found.effects["practice"]) == {"NEWS"}
    with pytest.raises(ModelDataError, match=r"no practice could be assessed \(CALL: too few"):
        detect_practices(harmful, PracticeSettings(min_contacted=5000))


def test_sends_whose_follow_up_is_not_over_are_not_compared(harmful: Workspace) -> None:
    with pytest.raises(ModelDataError, match="no send before 2023-03-05: the 180-day follow-up"):
        detect_practices(harmful, PracticeSettings(as_of="2023-09-01"))


def test_no_outbound_campaign_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "customers.csv").write_text("customer_id,created_at\nC1,2024-01-01 10:00:00\n")
    (folder / "orders.csv").write_text(
        "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02 10:00:00,20\n"
    )
    (folder / "interactions.csv").write_text(
        "interaction_id,customer_id,occurred_at,channel,direction,campaign_id\n"
        "I1,C1,2024-02-01 10:00:00,phone,inbound,\n"
        "I2,C1,2024-02-03 10:00:00,phone,outbound,\n"
    )
    with Workspace.init(tmp_path / "ws") as ws:
        for table in ("customers", "orders", "interactions"):
            ws.import_file(table, folder / f"{table}.csv")
        with pytest.raises(ModelDataError, match="no outbound campaigns: no interaction has"):
            detect_practices(ws)


def test_a_campaign_sent_to_everyone_has_nobody_to_compare_with(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 80
    ids = [f"C{i:03d}" for i in range(n)]
    folder = tmp_path / "files"
    folder.mkdir()
    pd.DataFrame({"customer_id": ids, "created_at": "2023-01-01 10:00:00"}).to_csv(
        folder / "customers.csv", index=False
    )
    days = rng.integers(0, 700, 4 * n)
    pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(4 * n)],
            "customer_id": np.repeat(ids, 4),
            "ordered_at": (pd.Timestamp("2023-01-02") + pd.to_timedelta(days, unit="D")).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "amount": 30,
        }
    ).to_csv(folder / "orders.csv", index=False)
    pd.DataFrame(
        {
            "interaction_id": [f"I{i}" for i in range(n)],
            "customer_id": ids,
            "occurred_at": "2023-06-01 10:00:00",
            "channel": "email",
            "direction": "outbound",
            "campaign_id": "ALL-2023-06",
        }
    ).to_csv(folder / "interactions.csv", index=False)
    with Workspace.init(tmp_path / "ws") as ws:
        for table in ("customers", "orders", "interactions"):
            ws.import_file(table, folder / f"{table}.csv")
        with pytest.raises(ModelDataError, match="ALL: no comparable uncontacted customers"):
            detect_practices(ws, PracticeSettings(min_contacted=10))


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        (PracticeSettings(short_days=200), "short_days=200, long_days=180"),
        (PracticeSettings(alpha=1.5), "alpha=1.5"),
        (PracticeSettings(min_contacted=0), "min_contacted=0"),
        (PracticeSettings(by="month"), "by='month'"),
    ],
)
def test_settings_outside_what_is_possible_are_refused(
    harmful: Workspace, settings: PracticeSettings, named: str
) -> None:
    with pytest.raises(InvalidParameterError, match=named):
        detect_practices(harmful, settings)


def test_benjamini_hochberg_matches_the_step_up_rule() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.20, 0.001])
    q = benjamini_hochberg(p)
    # Sorted: 0.001, 0.01, 0.03, 0.04, 0.2 -> 0.005, 0.025, 0.05, 0.05, 0.2.
    assert q == pytest.approx([0.025, 0.05, 0.05, 0.2, 0.005])
    assert (benjamini_hochberg(p) <= 0.05).sum() == 4
