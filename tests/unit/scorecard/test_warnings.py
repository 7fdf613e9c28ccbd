"""Warnings: productivity better while outcomes are worse, against peers and over time."""

from __future__ import annotations

import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.scorecard import WarningSettings, scorecard_warnings


def _team(
    team: str,
    aht: float,
    fcr: float,
    *,
    channel: str = "phone",
    period: str = "all",
    handled: int = 1_000,
    csat: float = 0.8,
) -> dict[str, object]:
    return {
        "team": team,
        "channel": channel,
        "period": period,
        "handled": handled,
        "aht_s": aht,
        "contacts_per_agent": float("nan"),
        "fcr_n": handled,
        "fcr_resolved": round(fcr * handled),
        "csat_n": 200,
        "csat_satisfied": round(csat * 200),
        "ces_n": 0,
        "ces_easy": 0,
        "retention_n": handled,
        "retained": handled // 3,
        "complaints": handled // 20,
    }


def test_fast_team_with_worse_resolution_is_flagged_against_its_channel_peers() -> None:
    kpis = pd.DataFrame(
        [
            _team("Fast", 200, 0.55),
            _team("Steady", 480, 0.80),
            _team("Careful", 450, 0.78),
            # A chat team, faster still, is not a peer of the phone teams.
            _team("Chat", 100, 0.78, channel="chat"),
        ]
    )
    warnings = scorecard_warnings(kpis)
    assert warnings[["group", "comparison", "kpi"]].values.tolist() == [["Fast", "peers", "fcr"]]
    row = warnings.iloc[0]
    assert row["value"] == pytest.approx(0.55)
    assert row["reference"] == pytest.approx((800 + 780) / 2000)
    assert row["reference_aht_s"] == pytest.approx(465.0)
    assert "200 s" in row["message_en"] and "55%" in row["message_en"]
    assert "premier contact" in row["message_fr"] and "55 %" in row["message_fr"]


def test_no_warning_when_the_fast_team_resolves_as_well() -> None:
    kpis = pd.DataFrame([_team("Fast", 200, 0.80), _team("Steady", 480, 0.80)])
    assert scorecard_warnings(kpis).empty


def test_no_warning_for_a_slower_team_with_worse_outcomes() -> None:
    kpis = pd.DataFrame([_team("Slow", 700, 0.50), _team("Steady", 480, 0.80)])
    assert scorecard_warnings(kpis).empty


def test_small_differences_are_not_called() -> None:
    kpis = pd.DataFrame(
        [_team("Fast", 200, 0.78, handled=100), _team("Steady", 480, 0.80, handled=100)]
    )
    assert scorecard_warnings(kpis).empty


def test_trend_from_the_period_before_to_the_latest() -> None:
    kpis = pd.DataFrame(
        [
            _team("Team", 600, 0.60, period="2024-H2"),  # older periods are not compared
            _team("Team", 480, 0.82, period="2025-H1"),
            _team("Team", 300, 0.70, period="2025-H2", csat=0.6),
            _team("Other", 480, 0.80, period="2025-H1"),
            _team("Other", 470, 0.80, period="2025-H2"),
        ]
    )
    warnings = scorecard_warnings(kpis.drop(columns="channel"))
    assert set(warnings["comparison"]) == {"trend"}
    assert set(warnings["group"]) == {"Team"}
    assert set(warnings["kpi"]) == {"fcr", "csat"}
    fcr = warnings.set_index("kpi").loc["fcr"]
    assert (fcr["reference"], fcr["value"]) == pytest.approx((0.82, 0.70))
    assert "fell from 480 s to 300 s" in fcr["message_en"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (WarningSettings(margin=0), "margin must be between 0 and 1"),
        (WarningSettings(alpha=1.5), "alpha must be between 0 and 1"),
    ],
)
def test_bad_settings_are_named(settings: WarningSettings, message: str) -> None:
    kpis = pd.DataFrame([_team("Fast", 200, 0.55), _team("Steady", 480, 0.80)])
    with pytest.raises(InvalidParameterError, match=message):
        scorecard_warnings(kpis, settings=settings)
