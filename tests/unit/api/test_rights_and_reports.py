"""The scorecard, brief and personal-data routes: roles, contents and an erasure end to end."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from emptychair import Workspace
from emptychair.scorecard import run_scorecard
from tests.unit.api.demo import ServedDemo, api_client, served_copy


@pytest.fixture(scope="module")
def served_rights(tmp_path_factory: pytest.TempPathFactory) -> ServedDemo:
    served = served_copy(tmp_path_factory, "api-rights")
    with Workspace(served.workspace) as ws:
        run_scorecard(ws)
    return served


@pytest.fixture(scope="module")
def rights_client(served_rights: ServedDemo) -> TestClient:
    with api_client(served_rights) as client:
        yield client  # type: ignore[misc]


def test_scorecard_is_an_aggregate_every_role_reads(
    rights_client: TestClient, served_rights: ServedDemo
) -> None:
    tokens = served_rights.tokens
    kpis = rights_client.get("/scorecard/kpis?grouping=team", headers=tokens.of("viewer"))
    assert kpis.status_code == 200
    teams = {row["group"] for row in kpis.json()}
    assert "Express Relation" in teams
    warnings = rights_client.get("/scorecard/warnings", headers=tokens.of("viewer")).json()
    assert {w["group"] for w in warnings if w["comparison"] == "peers"} == {"Express Relation"}
    assert rights_client.get("/scorecard/kpis").status_code == 401
    started = rights_client.post("/scorecard/runs", json={}, headers=tokens.of("viewer"))
    assert started.status_code == 403


def test_the_brief_comes_in_both_languages(
    rights_client: TestClient, served_rights: ServedDemo
) -> None:
    viewer = served_rights.tokens.of("viewer")
    french = rights_client.get("/reports/brief?lang=fr", headers=viewer)
    assert french.status_code == 200 and french.headers["content-type"].startswith("text/html")
    assert "Ce que disent nos clients" in french.text
    english = rights_client.get("/reports/brief?lang=en", headers=viewer)
    assert "What our customers say" in english.text
    assert rights_client.get("/reports/brief?lang=de", headers=viewer).status_code == 422


def test_consents_are_read_by_analysts_and_changed_by_admins(
    rights_client: TestClient, served_rights: ServedDemo
) -> None:
    tokens, customer = served_rights.tokens, served_rights.example_customer
    path = f"/privacy/customers/{customer}/consents"
    assert rights_client.get(path, headers=tokens.of("viewer")).status_code == 403
    change = {"purpose": "email", "granted": False, "source": "call", "wording_version": "v2"}
    assert rights_client.post(path, json=change, headers=tokens.of("analyst")).status_code == 403
    recorded = rights_client.post(path, json=change, headers=tokens.of("admin"))
    assert recorded.status_code == 201, recorded.text
    current = rights_client.get(path, headers=tokens.of("analyst")).json()
    email = [row for row in current if row["purpose"] == "email"]
    assert email and email[0]["granted"] is False and email[0]["wording_version"] == "v2"


def test_access_export_then_erasure(rights_client: TestClient, served_rights: ServedDemo) -> None:
    tokens, customer = served_rights.tokens, served_rights.example_customer
    export = f"/privacy/customers/{customer}/export"
    assert rights_client.get(export, headers=tokens.of("analyst")).status_code == 403
    archive = rights_client.get(export, headers=tokens.of("admin"))
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        names = opened.namelist()
        assert any(name.startswith("customers") for name in names)
        text = " ".join(opened.read(name).decode("utf-8", "replace") for name in names)
    assert customer in text
    erased = rights_client.post(f"/privacy/customers/{customer}/erase", headers=tokens.of("admin"))
    assert erased.status_code == 200, erased.text
    receipt = erased.json()
    assert receipt["counts"] and customer not in json.dumps(receipt)
    for secret in served_rights.secrets:
        assert secret not in json.dumps(receipt)
    gone = rights_client.get(f"/customers/{customer}", headers=tokens.of("admin"))
    assert gone.status_code == 404
    receipts = rights_client.get("/privacy/receipts", headers=tokens.of("admin")).json()
    assert receipt["receipt_id"] in {r["receipt_id"] for r in receipts}
