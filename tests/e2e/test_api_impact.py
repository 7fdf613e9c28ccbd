"""The impact routes: tree and scenarios as in the library; initiatives recorded and measured."""

from __future__ import annotations

import pytest

from emptychair import Workspace
from emptychair.impact.service import driver_tree, simulate
from tests.unit.api.demo import ServedDemo, api_client, served_copy


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> ServedDemo:
    return served_copy(tmp_path_factory, "api-impact")


def test_tree_and_scenarios_are_the_library_s(served: ServedDemo) -> None:
    viewer = served.tokens.of("viewer")
    scenarios = ["items+1@5% in visitors", "retention +2pt"]
    with Workspace(served.workspace) as workspace:
        expected_tree = driver_tree(workspace)
        expected = simulate(workspace, scenarios, resamples=50)
    with api_client(served) as client:
        tree = client.get("/impact/tree", headers=viewer).json()
        revenue = next(n for n in tree["nodes"] if n["node"] == "revenue")
        assert revenue["value"] == pytest.approx(expected_tree["revenue"])
        answer = client.post(
            "/impact/simulate", json={"scenarios": scenarios, "resamples": 50}, headers=viewer
        )
        assert answer.status_code == 200, answer.text
        rows = answer.json()["scenarios"]
        assert [r["scenario"] for r in rows] == scenarios
        for row, (_, truth) in zip(rows, expected.table.iterrows(), strict=True):
            assert row["revenue_change"] == pytest.approx(truth["revenue_change"])
            assert row["clv_change_low"] == pytest.approx(truth["clv_change_low"])
            assert row["revenue_change_low"] <= row["revenue_change"] <= row["revenue_change_high"]
        bad = client.post("/impact/simulate", json={"scenarios": ["items abc"]}, headers=viewer)
        assert bad.status_code == 400 and "items abc" in bad.json()["detail"]
        nowhere = client.post(
            "/impact/simulate", json={"scenarios": ["retention +2pt in nowhere"]}, headers=viewer
        )
        assert nowhere.status_code == 400 and "nowhere" in nowhere.json()["detail"]


def test_an_initiative_is_recorded_and_measured(served: ServedDemo) -> None:
    analyst, viewer = served.tokens.of("analyst"), served.tokens.of("viewer")
    body = {
        "name": "Rappel sous 24 h",
        "start": "2026-03-01",
        "target": "language=fr",
        "kpi": "purchase_rate",
    }
    with api_client(served) as client:
        refused = client.post("/impact/initiatives", json=body, headers=viewer)
        assert refused.status_code == 403
        made = client.post("/impact/initiatives", json=body, headers=analyst)
        assert made.status_code == 201, made.text
        initiative = made.json()
        assert initiative["recorded_by"] == "alan" and initiative["kpi"] == "purchase_rate"
        listed = client.get("/impact/initiatives", headers=viewer).json()
        assert initiative["initiative_id"] in [i["initiative_id"] for i in listed]
        url = f"/impact/initiatives/{initiative['initiative_id']}/measurement"
        english = client.get(url, headers=viewer).json()
        french = client.get(url, params={"lang": "fr"}, headers=viewer).json()
        effect = english["effect"]
        assert effect["low"] <= effect["estimate"] <= effect["high"]
        assert english["verdict"] and french["verdict"] != english["verdict"]
        missing = client.get("/impact/initiatives/nothing-like-it/measurement", headers=viewer)
        assert missing.status_code == 404
        twice = client.post("/impact/initiatives", json=body, headers=analyst)
        assert twice.status_code == 400
