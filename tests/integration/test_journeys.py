"""Journeys on the demo company: satisfaction on the map, frictions by group, charts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.demo.service import DATA_FOLDER, DemoReport
from emptychair.journeys import workspace_event_log
from emptychair.journeys.friction import INDICATORS
from emptychair.journeys.report import journeys_report
from emptychair.journeys.satisfaction import satisfaction_map

SINGLE_CALL = "phone:queue → phone:call"
CALLED_TWICE = "phone:queue → phone:call → phone:queue → phone:call"


@pytest.fixture(scope="module")
def workspace(company: DemoReport) -> Iterator[Workspace]:
    ws = Workspace(company.workspace, read_only=True)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def satisfaction(workspace: Workspace) -> pd.DataFrame:
    return satisfaction_map(workspace, workspace_event_log(workspace), min_responses=10)


def _row(frame: pd.DataFrame, dimension: str, group: str, kind: str) -> pd.Series:
    rows = frame[
        (frame["dimension"] == dimension)
        & (frame["group_value"] == group)
        & (frame["kind"] == kind)
    ]
    assert len(rows) == 1, (dimension, group, kind)
    return rows.iloc[0]


def test_every_answer_counts_at_its_touchpoint(
    company: DemoReport, satisfaction: pd.DataFrame
) -> None:
    lines = (company.workspace / DATA_FOLDER / "feedback.jsonl").read_text(encoding="utf-8")
    answers = pd.DataFrame([json.loads(line) for line in lines.splitlines() if line.strip()])
    answers["touchpoint"] = answers["channel"] + ":" + answers["touchpoint"]
    expected = answers.groupby(["touchpoint", "kind"]).size()
    found = satisfaction[satisfaction["dimension"] == "touchpoint"]
    answered = ~found["kind"].isin(["sentiment", "complaint_rate"])
    found = found[answered].set_index(["group_value", "kind"])["responses"]
    assert found.sort_index().to_dict() == expected.sort_index().to_dict()


def test_a_second_call_costs_satisfaction_as_planted(satisfaction: pd.DataFrame) -> None:
    # The demo's score model takes 1.2 off the latent score of an answer after a repeat
    # contact, and an unresolved journey turns its main theme negative.
    for kind in ("csat", "ces"):
        once = _row(satisfaction, "variant", SINGLE_CALL, kind)
        twice = _row(satisfaction, "variant", CALLED_TWICE, kind)
        assert not once["small_group"]
        assert twice["high"] < once["low"], kind
    once = _row(satisfaction, "variant", SINGLE_CALL, "sentiment")
    twice = _row(satisfaction, "variant", CALLED_TWICE, "sentiment")
    assert twice["score"] < once["score"] - 0.3


def test_abandoned_calls_are_the_least_satisfying_touchpoint(satisfaction: pd.DataFrame) -> None:
    # An abandoned call ends at the queue: the journey failed, the answer's theme is negative.
    csat = satisfaction[
        (satisfaction["dimension"] == "touchpoint") & (satisfaction["kind"] == "csat")
    ].set_index("group_value")
    assert csat["score"].idxmin() == "phone:queue"
    assert csat.loc["phone:queue", "high"] < csat.loc["email:email", "low"]


def test_the_stored_run_groups_frictions_by_touchpoint_and_segment(
    workspace: Workspace,
) -> None:
    report = journeys_report(workspace)
    friction = report.tables["journeys_friction"]
    assert set(friction["dimension"]) == {"all", "channel", "team", "touchpoint", "segment"}
    overall = friction[friction["dimension"] == "all"].set_index("indicator")
    segments = friction[friction["dimension"] == "segment"].groupby("indicator")["flagged"].sum()
    assert segments.to_dict() == overall["flagged"].to_dict()
    # long waits happen in the phone queue: every flagged journey passes through it
    waits = friction[
        (friction["dimension"] == "touchpoint") & (friction["indicator"] == "long_wait")
    ].set_index("group_value")
    assert waits.loc["phone:queue", "flagged"] == overall.loc["long_wait", "flagged"]
    # among the touchpoints with enough journeys to say (a rare web page may wait by chance)
    assert waits.loc[waits["journeys"] >= 100, "share"].idxmax() == "phone:queue"
    at_risk = report.tables["journeys_value_at_risk"].set_index("indicator")
    assert set(at_risk.index) == set(INDICATORS)
    assert at_risk.loc["loop", "value_at_risk"] > 0
    stored = report.tables["journeys_satisfaction"]
    assert {"touchpoint", "variant"} == set(stored["dimension"])


def test_the_demo_draws_its_journeys_and_the_weakest_team_shows(
    company: DemoReport, workspace: Workspace
) -> None:
    assert company.journey_charts is not None
    names = {path.stem for path in company.journey_charts}
    assert {"journeys_graph", "journeys_sankey", "journeys_funnel"} <= names
    assert "journeys_friction_by_team" in names
    for path in company.journey_charts:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    specs = journeys_report(workspace).charts()
    bars = pd.DataFrame(specs["journeys_friction_by_team"]["data"]["values"])
    repeat = bars[bars["indicator"] == "repeat_contact"].set_index("team")["share"]
    assert repeat.idxmax() == "Express Relation"
    sankey = specs["journeys_sankey"]
    nodes = pd.DataFrame(sankey["layer"][1]["data"]["values"])
    # the busiest first step of journeys that go on is the web visit of the tracked path
    first = nodes[nodes["column"] == 0].sort_values("journeys", ascending=False)
    assert first["activity"].iloc[0] in {"web:visit", "phone:queue"}
    # nodes of one column never overlap
    for _, column in nodes.groupby("column"):
        ordered = column.sort_values("y0")
        assert (ordered["y0"].to_numpy()[1:] >= ordered["y1"].to_numpy()[:-1]).all()


def test_complaints_follow_the_contacts_that_failed(satisfaction: pd.DataFrame) -> None:
    # The demo opens complaints after failed contact journeys (unresolved, or a repeat
    # contact) and, rarely, after an order: the map puts them after the calls.
    rates = satisfaction[
        (satisfaction["dimension"] == "touchpoint") & (satisfaction["kind"] == "complaint_rate")
    ].set_index("group_value")
    for contact in ("phone:call", "phone:queue"):
        assert rates.loc[contact, "low"] > rates.loc["web:visit", "high"], contact
        assert rates.loc[contact, "low"] > rates.loc["web:order", "high"], contact
    assert rates.loc["phone:call", "responses"] > 100
