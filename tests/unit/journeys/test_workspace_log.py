"""The event log of a small company whose every journey is known.

C1 and C4 share an e-mail: one person (golden id C1). With the default 48-hour gap:

  1  J1 (recorded): anonymous visitor V9 web:visit 03-01 10:00 → C1 web:checkout 10:10
     (purchase)
  2  C1 web:order 03-01 10:10 (no journey id: a journey of its own, 95 h before the next)
  3  C2 chat:chat and email:email both 03-02 08:00 (tie: chat first), unknown:feedback_nps 03-03
     08:00 (NPS 3: detractor)
  4  C4 (= C1) web:faq 03-05 09:00 → C1 phone:call 03-05 20:00 (11 h later)
  5  C1 phone:call 03-09 09:00 (85 h later: a new journey; recorded twice under two ids) →
     phone:complaint 10:00

Frictions: journey 4 is a web-to-phone hop (web 11 h before the call, no purchase since);
journey 5 repeats journey 4's delivery call 3.5 days later and ends on a complaint (a dead
end); journey 3 has two contacts (e-mail and chat, no reason: not repeats).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError
from emptychair.journeys import directly_follows, journeys, variants, workspace_event_log
from emptychair.journeys.friction import FrictionSettings, friction_summary, journey_frictions

FILES = {
    "customers": (
        "customer_id,created_at,email\n"
        "C1,2023-01-01,anne@example.fr\nC2,2023-01-02,bruno@example.fr\n"
        "C3,2023-01-03,chloe@example.fr\nC4,2023-06-01,ANNE@example.fr\n"
    ),
    "interactions": (
        "interaction_id,customer_id,visitor_id,occurred_at,channel,touchpoint,outcome,team,"
        "journey_id,reason\n"
        "I1,,V9,2024-03-01 10:00,web,visit,,,J1,\n"
        "I2,C1,V9,2024-03-01 10:10,web,checkout,purchase,,J1,\n"
        "I3,C4,,2024-03-05 09:00,web,faq,,,,\n"
        "I4,C1,,2024-03-05 20:00,phone,call,,T1,,delivery\n"
        "I5,C1,,2024-03-09 09:00,phone,call,,T1,,delivery\n"
        "I6,C2,,2024-03-02 08:00,email,email,,,,\n"
        "I7,C2,,2024-03-02 08:00,chat,chat,,,,\n"
        "I8,C1,,2024-03-09 09:00,phone,call,,T1,,delivery\n"
    ),
    "orders": "order_id,customer_id,ordered_at,amount,channel\nO1,C1,2024-03-01 10:10,50,web\n",
    "complaints": (
        "complaint_id,customer_id,opened_at,channel,category,team\n"
        "K1,C1,2024-03-09 10:00,phone,delivery,T2\n"
    ),
    "feedback": "feedback_id,customer_id,received_at,kind,score\nF1,C2,2024-03-03 08:00,nps,3\n",
}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("journeys")
    ws = Workspace.init(folder / "ws")
    for table, text in FILES.items():
        path = folder / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        assert ws.import_file(table, path).rows_loaded == text.count("\n") - 1, table
    yield ws
    ws.close()


def test_journeys_by_id_and_by_gap(company: Workspace) -> None:
    log = workspace_event_log(company)
    assert log.excluded == {"missing_timestamp": 0, "missing_customer": 0, "duplicates": 1}
    assert log.events == 10
    found = company.to_pandas(journeys(log))
    assert found["journey"].tolist() == [1, 2, 3, 4, 5]
    assert found["journey_id"].iloc[0] == "J1" and found["journey_id"].iloc[1:].isna().all()
    assert found["customer_id"].tolist() == ["C1", "C1", "C2", "C1", "C1"]
    assert found["events"].tolist() == [2, 1, 3, 2, 2]
    assert found["duration_s"].tolist() == [600, 0, 86_400, 11 * 3600, 3600]
    steps = company.to_pandas(log.table.order_by(["journey", *log.order]))
    by_journey = steps.groupby("journey")["activity"].agg(tuple).tolist()
    assert by_journey == [
        ("web:visit", "web:checkout"),
        ("web:order",),
        ("chat:chat", "email:email", "unknown:feedback_nps"),
        ("web:faq", "phone:call"),
        ("phone:call", "phone:complaint"),
    ]
    assert set(steps.loc[steps["journey"] == 5, "team"]) == {"T1", "T2"}


def test_a_longer_gap_joins_the_customers_journeys(company: Workspace) -> None:
    found = company.to_pandas(journeys(workspace_event_log(company, gap_hours=100)))
    # C1's order, faq, calls and complaint: 95 h and 85 h apart, under 100 h
    assert found["events"].tolist() == [2, 5, 3]
    assert found["customer_id"].tolist() == ["C1", "C1", "C2"]


def test_variants_carry_outcomes(company: Workspace) -> None:
    found = variants(workspace_event_log(company, level="channel"))
    rows = dict(zip(found["variant"], found.itertuples(), strict=True))
    assert rows["web", "web"].purchase_share == 1.0
    assert rows["web",].purchase_share == 1.0
    assert rows["chat", "email", "unknown"].detractor_share == 1.0
    assert rows["phone", "phone"].complaint_share == 1.0
    assert rows["web", "phone"].journeys == 1
    assert rows["web", "phone"].median_duration_s == 11 * 3600
    assert {r.purchase_share for r in found.itertuples()} - {0.0, 1.0} == set()


def test_graph_at_touchpoint_level(company: Workspace) -> None:
    graph = directly_follows(workspace_event_log(company, level="touchpoint"))
    pairs = zip(graph["source"], graph["target"], strict=True)
    edges = dict(zip(pairs, graph["transitions"], strict=True))
    assert edges == {
        ("visit", "checkout"): 1,
        ("chat", "email"): 1,
        ("email", "feedback_nps"): 1,
        ("faq", "call"): 1,
        ("call", "complaint"): 1,
    }


def test_sources_and_parameters_are_checked(company: Workspace) -> None:
    only = workspace_event_log(company, sources=("orders",))
    assert only.events == 1
    with pytest.raises(InvalidParameterError, match="level 'team'"):
        workspace_event_log(company, level="team")
    with pytest.raises(InvalidParameterError, match="gap_hours"):
        workspace_event_log(company, gap_hours=0)
    with pytest.raises(InvalidParameterError, match="sources tweets"):
        workspace_event_log(company, sources=("tweets",))


def test_friction_flags_of_each_journey(company: Workspace) -> None:
    log = workspace_event_log(company)
    flags = company.to_pandas(journey_frictions(log).order_by("journey"))
    assert flags["contacts"].tolist() == [0, 0, 2, 1, 1]
    assert flags["web_to_phone"].tolist() == [False, False, False, True, False]
    assert flags["repeat_contact"].tolist() == [False, False, False, False, True]
    assert flags["dead_end"].tolist() == [False, False, False, False, True]
    assert not flags["long_wait"].any()
    short = company.to_pandas(journey_frictions(log, FrictionSettings(repeat_days=3, hop_hours=10)))
    assert not short["repeat_contact"].any() and not short["web_to_phone"].any()
    summary = friction_summary(log).set_index("indicator")
    assert summary.loc["repeat_contact", "journeys"] == 1
    assert summary.loc["dead_end", "share"] == 0.2
    with pytest.raises(InvalidParameterError, match="repeat_days"):
        journey_frictions(log, FrictionSettings(repeat_days=0))


def test_complaints_on_the_map(company: Workspace) -> None:
    from emptychair.journeys.complaints_map import touchpoint_complaint_rates
    from emptychair.journeys.satisfaction import satisfaction_map

    log = workspace_event_log(company)
    found = satisfaction_map(company, log, min_responses=1)
    rates = found[found["kind"] == "complaint_rate"]
    by_touchpoint = rates[rates["dimension"] == "touchpoint"].set_index("group_value")
    # Journeys 4 and 5 pass through a call; C1's complaint of 03-09 follows both within the
    # default 30 days, and the web steps of C1's earlier journeys too; C2 never complained.
    assert by_touchpoint.loc["phone:call", "responses"] == 2
    assert by_touchpoint.loc["phone:call", "score"] == 1
    assert by_touchpoint.loc["web:faq", "score"] == 1
    for quiet in ("chat:chat", "email:email"):
        assert by_touchpoint.loc[quiet, "score"] == 0, quiet
    # Complaints and answers are what is measured, not places on the map.
    assert "phone:complaint" not in by_touchpoint.index
    assert not any("feedback" in place for place in by_touchpoint.index)
    by_variant = rates[rates["dimension"] == "variant"].set_index("group_value")
    assert by_variant.loc["phone:call → phone:complaint", "score"] == 1
    assert by_variant.loc["chat:chat → email:email", "score"] == 0
    assert by_variant["responses"].sum() == 5
    # With a one-day window only the call of 03-09 09:00 is followed (the complaint is an
    # hour later); the call of 03-05 is 3.6 days before it.
    day = touchpoint_complaint_rates(log, 0.95, 1, window_days=1).set_index("group")
    assert day.loc["phone:call", "score"] == 0.5
    low, high = day.loc["phone:call", ["low", "high"]]
    assert 0 < low < 0.5 < high < 1
    assert day.loc["web:faq", "score"] == 0
