"""Pages: limit and offset, the total, a ``next`` link that walks to the end, filters."""

from __future__ import annotations

from fastapi.testclient import TestClient

from emptychair.api.pagination import MAX_PAGE_SIZE
from tests.unit.api.demo import ServedDemo


def test_next_links_walk_every_variant_once(client: TestClient, served: ServedDemo) -> None:
    viewer = served.tokens.of("viewer")
    first = client.get("/journeys/variants", params={"limit": 7}, headers=viewer).json()
    total = first["total"]
    assert total > 7
    assert (first["limit"], first["offset"], len(first["items"])) == (7, 0, 7)
    seen, page = [], first
    while True:
        seen += [item["variant"] for item in page["items"]]
        if page["next"] is None:
            break
        assert "limit=7" in page["next"]
        page = client.get(page["next"], headers=viewer).json()
    assert len(seen) == total == len(set(seen))
    counts = client.get("/journeys/variants", params={"limit": MAX_PAGE_SIZE}, headers=viewer)
    journeys = [item["journeys"] for item in counts.json()["items"]]
    assert journeys == sorted(journeys, reverse=True)


def test_page_size_is_bounded(client: TestClient, served: ServedDemo) -> None:
    viewer = served.tokens.of("viewer")
    for limit in (0, MAX_PAGE_SIZE + 1):
        answer = client.get("/journeys/variants", params={"limit": limit}, headers=viewer)
        assert answer.status_code == 422
    past = client.get("/journeys/variants", params={"offset": 10**6}, headers=viewer).json()
    assert past["items"] == [] and past["next"] is None


def test_verbatims_filter_by_theme_and_sentiment(client: TestClient, served: ServedDemo) -> None:
    analyst = served.tokens.of("analyst")
    everything = client.get("/voice/verbatims", params={"limit": 1}, headers=analyst).json()
    negative_delivery = client.get(
        "/voice/verbatims",
        params={"theme": "delivery", "sentiment": "negative", "limit": 100},
        headers=analyst,
    ).json()
    assert 0 < negative_delivery["total"] < everything["total"]
    for item in negative_delivery["items"]:
        assert "delivery" in item["themes"]
        assert item["label"] == "negative"
    dates = [item["received_at"] for item in negative_delivery["items"]]
    assert dates == sorted(dates, reverse=True)
    by_channel = client.get(
        "/voice/verbatims", params={"channel": "email", "limit": 50}, headers=analyst
    ).json()
    assert {item["channel"] for item in by_channel["items"]} <= {"email"}


def test_value_customers_filter_and_order(client: TestClient, served: ServedDemo) -> None:
    analyst = served.tokens.of("analyst")
    champions = client.get(
        "/value/customers", params={"segment": "champions", "limit": 20}, headers=analyst
    ).json()
    segments = client.get("/value/segments", headers=analyst).json()
    expected = next(s["customers"] for s in segments if s["segment"] == "champions")
    assert champions["total"] == expected
    assert {c["segment"] for c in champions["items"]} == {"champions"}
    clv = [c["clv"] for c in champions["items"]]
    assert clv == sorted(clv, reverse=True)
