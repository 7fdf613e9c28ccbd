"""The audit log: customer reads and changes are recorded, without any personal value."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.api.demo import ServedDemo


def _audit(client: TestClient, served: ServedDemo, **params: str) -> list[dict]:
    answer = client.get(
        "/audit", params={"limit": 500, **params}, headers=served.tokens.of("admin")
    )
    assert answer.status_code == 200
    return answer.json()["items"]


def test_customer_reads_are_audited_without_personal_values(
    client: TestClient, served: ServedDemo
) -> None:
    customer = served.example_customer
    secrets = served.secrets
    analyst = served.tokens.of("analyst")
    assert client.get(f"/customers/{customer}", headers=analyst).status_code == 200
    # a search by e-mail: the search text must not reach the log
    assert (
        client.get(
            "/customers", params={"q": next(s for s in secrets if "@" in s)}, headers=analyst
        ).status_code
        == 200
    )
    assert client.get(f"/value/customers/{customer}", headers=analyst).status_code == 200

    rows = _audit(client, served, customer_id=customer)
    actions = {(r["account"], r["action"], r["outcome"]) for r in rows}
    assert ("alan", "GET /customers/{customer_id}", "allowed") in actions
    assert ("alan", "GET /value/customers/{customer_id}", "allowed") in actions
    searches = [
        r for r in _audit(client, served, account="alan") if r["action"] == "GET /customers"
    ]
    assert searches and searches[0]["customer_id"] is None
    assert searches[0]["detail"].endswith("records found")

    everything = client.get("/audit", params={"limit": 500}, headers=served.tokens.of("admin")).text
    for secret in secrets:
        assert secret not in everything


def test_refusals_are_audited_and_aggregates_are_not(
    client: TestClient, served: ServedDemo
) -> None:
    viewer = served.tokens.of("viewer")
    before = len(_audit(client, served, account="vera"))
    assert client.get("/value/segments", headers=viewer).status_code == 200
    assert client.get(f"/customers/{served.example_customer}", headers=viewer).status_code == 403
    rows = _audit(client, served, account="vera")
    assert len(rows) == before + 1
    assert rows[0]["action"] == "GET /customers/{customer_id}"
    assert (rows[0]["outcome"], rows[0]["status"], rows[0]["role"]) == ("denied", 403, "viewer")


def test_account_changes_are_audited_and_tokens_never_are(
    client: TestClient, served: ServedDemo
) -> None:
    admin = served.tokens.of("admin")
    created = client.post("/users", json={"name": "temp.user", "role": "analyst"}, headers=admin)
    assert created.status_code == 201
    token = created.json()["token"]
    assert client.get("/voice/verbatims", headers={"Authorization": f"Bearer {token}"}).is_success
    assert client.post("/users/temp.user/disable", headers=admin).status_code == 200
    assert (
        client.get("/voice/verbatims", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    rows = _audit(client, served, account="ada")
    details = [r["detail"] for r in rows if r["resource"] == "users"]
    assert "account temp.user (analyst) created" in details
    assert "account temp.user disabled" in details
    log = client.get("/audit", params={"limit": 500}, headers=admin).text
    assert token not in log
    assert token.split("_")[2] not in log


def test_audit_filters_by_time(client: TestClient, served: ServedDemo) -> None:
    rows = _audit(client, served)
    assert rows
    newest = rows[0]["at"]
    recent = _audit(client, served, since=newest)
    assert recent and all(r["at"] >= newest for r in recent)
    assert _audit(client, served, since="2999-01-01T00:00:00") == []
