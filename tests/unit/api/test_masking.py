"""Masking: analysts see personal fields masked, admins see them, viewers see no customer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.api.demo import ServedDemo

PERSONAL = ("email", "phone", "first_name", "last_name", "birth_date")


def test_analyst_sees_the_360_with_personal_fields_masked(
    client: TestClient, served: ServedDemo
) -> None:
    customer = served.example_customer
    answer = client.get(f"/customers/{customer}", headers=served.tokens.of("analyst"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["masked"] is True
    assert body["customer_id"] == customer
    for field in PERSONAL:
        value = body["profile"][field]
        assert value is None or value.endswith("*** (hidden)"), (field, value)
    for secret in served.secrets:
        assert secret not in answer.text
    texts = [e["text"] for e in body["timeline"]["items"] if e["text"] is not None]
    assert all(text == "(hidden)" for text in texts)


def test_admin_sees_the_same_360_unmasked(client: TestClient, served: ServedDemo) -> None:
    customer = served.example_customer
    answer = client.get(f"/customers/{customer}", headers=served.tokens.of("admin"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["masked"] is False
    shown = {body["profile"][f] for f in ("email", "phone", "first_name", "last_name")}
    assert set(served.secrets) & shown
    assert not any(str(v).endswith("(hidden)") for v in shown)


def test_search_is_masked_for_analysts_and_not_for_admins(
    client: TestClient, served: ServedDemo
) -> None:
    customer = served.example_customer
    masked = client.get(
        "/customers", params={"q": customer}, headers=served.tokens.of("analyst")
    ).json()
    plain = client.get("/customers", params={"q": customer}, headers=served.tokens.of("admin"))
    assert masked["items"][0]["customer_id"] == customer
    assert masked["items"][0]["email"].endswith("*** (hidden)")
    assert plain.json()["items"][0]["email"] in served.secrets


def test_viewer_gets_aggregates_but_no_customer(client: TestClient, served: ServedDemo) -> None:
    viewer = served.tokens.of("viewer")
    segments = client.get("/value/segments", headers=viewer)
    assert segments.status_code == 200
    assert "customer_id" not in segments.text
    for path in (
        f"/customers/{served.example_customer}",
        f"/value/customers/{served.example_customer}",
        "/value/customers",
        "/voice/verbatims",
    ):
        assert client.get(path, headers=viewer).status_code == 403, path


def test_customer_value_is_the_stored_score(client: TestClient, served: ServedDemo) -> None:
    customer = served.example_customer
    answer = client.get(f"/value/customers/{customer}", headers=served.tokens.of("analyst"))
    assert answer.status_code == 200
    score = answer.json()
    assert score["customer_id"] == customer
    assert score["clv_lower"] <= score["clv"] <= score["clv_upper"]
    assert 0 <= score["probability_alive"] <= 1
    for secret in served.secrets:
        assert secret not in answer.text
