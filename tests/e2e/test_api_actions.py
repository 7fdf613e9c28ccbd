"""The actions routes: a run through a job, its summary, one customer's decision and an override."""

from __future__ import annotations

import pytest

from emptychair import Workspace
from emptychair.actions import decide
from tests.e2e.test_api_jobs import _finished
from tests.unit.api.demo import ServedDemo, api_client, served_copy


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> ServedDemo:
    return served_copy(tmp_path_factory, "api-actions")


def test_a_run_its_summary_one_decision_and_an_override(served: ServedDemo) -> None:
    admin, analyst, viewer = (served.tokens.of(who) for who in ("admin", "analyst", "viewer"))
    customer = served.example_customer
    with api_client(served) as client:
        before = client.get("/actions/runs", headers=viewer).json()
        started = client.post("/actions/runs", json={}, headers=admin)
        assert started.status_code == 202
        done = _finished(client, started.json()["url"], admin)
        assert done["status"] == "succeeded", done
        runs = client.get("/actions/runs", headers=viewer).json()
        assert len(runs) == len(before) + 1 and runs[0]["run_id"] == done["result"]["run_id"]

        summary = client.get("/actions/summary", headers=viewer).json()
        assert summary["run_id"] == done["result"]["run_id"]
        assert sum(row["customers"] for row in summary["actions"]) == summary["customers"]
        assert summary["customers"] == done["result"]["customers"] > 0
        assert all(
            0 <= g["blocked_customers"] <= g["eligible_customers"] for g in summary["guardrails"]
        )

        # One customer: the same decision as the library's, with its reasons.
        with Workspace(served.workspace) as workspace:
            expected = decide(workspace, customer)
        english = client.get(f"/actions/customers/{customer}", headers=analyst).json()
        assert english["action_id"] == expected.action_id
        assert english["why"] == expected.why("en")
        french = client.get(
            f"/actions/customers/{customer}", params={"lang": "fr"}, headers=analyst
        ).json()
        assert french["why"] == expected.why("fr") != english["why"]
        for secret in served.secrets:
            assert secret not in str(english), "a decision carries no personal value"

        # An override is recorded under the caller's name and shown with the decision.
        bad = client.post(
            f"/actions/customers/{customer}/override",
            json={"action_id": "no_such_action", "reason": "test"},
            headers=analyst,
        )
        assert bad.status_code == 400 and "no_such_action" in bad.json()["detail"]
        chosen = client.post(
            f"/actions/customers/{customer}/override",
            json={"action_id": "none", "reason": "customer asked for no contact by phone"},
            headers=analyst,
        )
        assert chosen.status_code == 201, chosen.text
        assert "alan" in chosen.json()["override"]
        assert "customer asked for no contact" in chosen.json()["override"]
        unknown = client.get("/actions/customers/NO-SUCH-ONE", headers=analyst)
        assert unknown.status_code == 404
