"""Answers in context: the team of the last contact before an answer, the value segment.

C1 and C3 share an e-mail: one person (golden id C1).
interactions: I1 C1 team A on 05-01, I2 C3 team B on 05-03 (same person, later), I3 C2 team A
on 04-01 (too early for F2), I4 C2 no team on 05-09.
feedback: F1 C1 on 05-05 (last contact: I2, team B), F2 C2 on 05-10 (I3 is 39 days
before, I4 has no team: no team), F3 C1 on 05-02 (I1 the day before: team A).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.context import feedback_in_context
from emptychair.voice.scores import score_summary
from emptychair.workspace import utc_now
from emptychair.workspace.results import write_results

FILES = {
    "customers": (
        "customer_id,created_at,email\n"
        "C1,2023-01-01,anne@example.fr\nC2,2023-01-02,bruno@example.fr\n"
        "C3,2023-06-01,ANNE@example.fr\n"
    ),
    "interactions": (
        "interaction_id,customer_id,occurred_at,channel,team\n"
        "I1,C1,2024-05-01 10:00,phone,A\nI2,C3,2024-05-03 10:00,chat,B\n"
        "I3,C2,2024-04-01 10:00,phone,A\nI4,C2,2024-05-09 10:00,web,\n"
    ),
    "feedback": (
        "feedback_id,customer_id,received_at,kind,score,scale_max,channel\n"
        "F1,C1,2024-05-05,csat,5,5,chat\nF2,C2,2024-05-10,csat,1,5,web\n"
        "F3,C1,2024-05-02,csat,4,5,phone\n"
    ),
}


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws")
    for table, text in FILES.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        assert ws.import_file(table, path).rows_quarantined == 0
    return ws


def test_the_team_is_that_of_the_last_contact_of_the_person_before_the_answer(
    workspace: Workspace,
) -> None:
    with workspace:
        frame = workspace.to_pandas(feedback_in_context(workspace, ["team"]))
    teams = frame.set_index("feedback_id")["team"]
    assert teams["F1"] == "B"  # I2, a contact of the same person under another record
    assert teams["F3"] == "A"
    assert pd.isna(teams["F2"])  # only a contact without team, or one too long before
    assert len(frame) == 3  # one row per answer, whatever the contacts
    assert set(frame["customer_id"]) == {"C1", "C2"}  # golden ids


def test_a_longer_window_reaches_older_contacts_and_scores_group_by_team(
    workspace: Workspace,
) -> None:
    with workspace:
        wide = workspace.to_pandas(feedback_in_context(workspace, ["team"], team_window_days=60))
        by_team = score_summary(
            feedback_in_context(workspace, ["team"]), "csat", by=["team"], min_responses=1
        )
        with pytest.raises(InvalidParameterError, match="team_window_days"):
            feedback_in_context(workspace, ["team"], team_window_days=0)
    assert wide.set_index("feedback_id")["team"]["F2"] == "A"
    assert dict(zip(by_team["team"].fillna("none"), by_team["responses"], strict=True)) == {
        "A": 1,
        "B": 1,
        "none": 1,
    }


def test_segments_come_from_a_value_run(workspace: Workspace) -> None:
    with workspace:
        with pytest.raises(ModelDataError, match="value run"):
            feedback_in_context(workspace, ["segment"])
        for run_id, segments in (("R1", ("lost", "new")), ("R2", ("champions", "at risk"))):
            customers = pd.DataFrame(
                {"customer_id": ["C1", "C2"], "segment": segments, "tier": ["high", "low"]}
            )
            write_results(
                workspace,
                run_id,
                "value",
                {"value_customers": customers},
                parameters={},
                started_at=utc_now(),
                rows=2,
            )
        latest = workspace.to_pandas(feedback_in_context(workspace, ["segment", "tier"]))
        first = workspace.to_pandas(feedback_in_context(workspace, ["segment"], value_run="R1"))
    assert latest.set_index("feedback_id")["segment"].to_dict() == {
        "F1": "champions",
        "F2": "at risk",
        "F3": "champions",
    }
    assert latest.set_index("feedback_id")["tier"]["F2"] == "low"
    assert first.set_index("feedback_id")["segment"]["F2"] == "new"


@pytest.mark.spark
def test_same_teams_and_scores_on_spark(workspace: Workspace, spark_session: Any) -> None:
    """The team join (a window over contacts) is plain Ibis: Spark gives DuckDB's rows."""
    previous = spark_session.catalog.currentDatabase()
    spark_session.sql("CREATE DATABASE IF NOT EXISTS context_parity")
    spark_session.catalog.setCurrentDatabase("context_parity")
    try:
        spark = Workspace.from_spark(spark_session)
        for table in (*FILES, "_customer_links"):
            spark.engine.append_arrow(
                table, workspace.engine.backend.to_pyarrow(workspace.table(table))
            )
        results = []
        for ws in (workspace, spark):
            teams = ws.to_pandas(feedback_in_context(ws, ["team"]).select("feedback_id", "team"))
            scores = score_summary(
                feedback_in_context(ws, ["team"]), "csat", by=["team"], min_responses=1
            )
            results.append((teams.sort_values("feedback_id", ignore_index=True), scores))
        (duck_teams, duck_scores), (spark_teams, spark_scores) = results
        pd.testing.assert_frame_equal(spark_teams, duck_teams, check_dtype=False)
        pd.testing.assert_frame_equal(spark_scores, duck_scores, check_dtype=False)
    finally:
        spark_session.catalog.setCurrentDatabase(previous)
