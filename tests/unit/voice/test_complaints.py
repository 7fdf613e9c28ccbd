"""Complaint lifecycle and closed loop on a small company whose every number is known.

Customers C1 and C4 share an e-mail: they are one person (golden id C1). The moment of
reading is 2024-06-30 (a bare date: the end of that day, 2024-07-01 00:00).

complaints (customer, category, team, severity; opened → acknowledged → closed):
  K1 C1 delivery A high      01-01 00:00 → 01-01 10:00 (10 h) → 01-03 (2 days)
  K2 C4 delivery A medium    02-01 → 02-03 12:00 (60 h) → 02-05 (4 days), reopened;
                             a repeat: K1 (same person) 31 days before
  K3 C2 billing  B critical  03-01 → 03-01 20:00 (20 h), still acknowledged
  K4 C3 billing  B low       03-10, still open, no date
  K5 C2 billing  B medium    03-20, status closed without closed_at; repeat of K3
  K6 C3 delivery B low       06-01, closed 06-02 without acknowledgement (24 h, 1 day);
                             repeat of K4 (83 days before)
  K7 C2 refund   B high      05-01, still open; repeat of K5
feedback: F1 C4 nps 10 on 01-10 (after K1), F2 C1 csat 2/5 on 02-10 (after K2),
  F3 C3 ces 6/7 on 06-20 (after K6), F4 C3 nps 9 on 08-01 (after the reading), F5 C2 nps 3
  on 03-25, F6 C1 nps 10 on 2023-12-01, F7 C4 nps 2 on 06-01.
interactions: I1 C4 on 02-12 (follows F2 up), I2 C2 on 04-05 (too late for F5),
  I3 C2 on 03-01 12:00 (follows K3 up), I4 C3 on 03-09 (before K4).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, ModelDataError
from emptychair.voice.closed_loop import CASE_COLUMNS, closed_loop
from emptychair.voice.complaints import LIFECYCLE_COLUMNS, complaint_lifecycle

AS_OF = "2024-06-30"

FILES = {
    "customers": (
        "customer_id,created_at,email\n"
        "C1,2023-01-01,anne@example.fr\nC2,2023-01-02,bruno@example.fr\n"
        "C3,2023-01-03,chloe@example.fr\nC4,2023-06-01,ANNE@example.fr\n"
    ),
    "complaints": (
        "complaint_id,customer_id,opened_at,acknowledged_at,closed_at,status,category,"
        "severity,channel,reopened,team\n"
        "K1,C1,2024-01-01 00:00,2024-01-01 10:00,2024-01-03 00:00,closed,delivery,high,"
        "phone,false,A\n"
        "K2,C4,2024-02-01 00:00,2024-02-03 12:00,2024-02-05 00:00,closed,delivery,medium,"
        "email,true,A\n"
        "K3,C2,2024-03-01 00:00,2024-03-01 20:00,,acknowledged,billing,critical,phone,false,B\n"
        "K4,C3,2024-03-10 00:00,,,open,billing,low,email,,B\n"
        "K5,C2,2024-03-20 00:00,,,closed,billing,medium,email,false,B\n"
        "K6,C3,2024-06-01 00:00,,2024-06-02 00:00,closed,delivery,low,web,false,B\n"
        "K7,C2,2024-05-01 00:00,,,open,refund,high,phone,false,B\n"
    ),
    "feedback": (
        "feedback_id,customer_id,received_at,kind,score,scale_max,channel\n"
        "F1,C4,2024-01-10,nps,10,10,web\nF2,C1,2024-02-10,csat,2,5,phone\n"
        "F3,C3,2024-06-20,ces,6,7,web\nF4,C3,2024-08-01,nps,9,10,web\n"
        "F5,C2,2024-03-25,nps,3,10,store\nF6,C1,2023-12-01,nps,10,10,web\n"
        "F7,C4,2024-06-01,nps,2,10,app\n"
    ),
    "interactions": (
        "interaction_id,customer_id,occurred_at,channel\n"
        "I1,C4,2024-02-12,phone\nI2,C2,2024-04-05,email\n"
        "I3,C2,2024-03-01 12:00,phone\nI4,C3,2024-03-09,web\n"
    ),
}


def build_workspace(folder: Path) -> Workspace:
    """The small company above, imported for real into a new workspace."""
    ws = Workspace.init(folder / "ws")
    for table, text in FILES.items():
        path = folder / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        result = ws.import_file(table, path)
        assert result.rows_loaded == text.count("\n") - 1, table
    return ws


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = build_workspace(tmp_path_factory.mktemp("complaints"))
    yield ws
    ws.close()


def row(frame: pd.DataFrame, column: str, value: str) -> pd.Series:
    found = frame[frame[column] == value]
    assert len(found) == 1, value
    return found.iloc[0]


def test_lifecycle_of_delivery_complaints(company: Workspace) -> None:
    frame = complaint_lifecycle(company, as_of=AS_OF)
    assert list(frame.columns) == ["category", *LIFECYCLE_COLUMNS]
    assert frame["category"].tolist() == ["billing", "delivery", "refund"]
    delivery = row(frame, "category", "delivery")
    assert (delivery["complaints"], delivery["open"], delivery["closed"]) == (3, 0, 3)
    # acknowledged after 10, 60 and 24 hours (K6 when it was closed)
    assert delivery["hours_to_acknowledge_median"] == pytest.approx(24)
    assert delivery["hours_to_acknowledge_p90"] == pytest.approx(24 + 0.8 * 36)
    assert delivery["acknowledged_within_share"] == pytest.approx(2 / 3)
    # closed after 2, 4 and 1 days
    assert delivery["days_to_close_median"] == pytest.approx(2)
    assert delivery["days_to_close_p90"] == pytest.approx(2 + 0.8 * 2)
    assert np.isnan(delivery["open_age_median_days"]) and delivery["open_older_than"] == 0
    assert delivery["reopened"] == 1 and delivery["reopened_share"] == pytest.approx(1 / 3)
    # K2 repeats K1 through the merged identity C4 → C1; K6 repeats K4 (83 days before)
    assert delivery["repeat"] == 2 and delivery["repeat_share"] == pytest.approx(2 / 3)
    assert bool(delivery["small_group"])


def test_satisfaction_after_resolution_counts_linked_records(company: Workspace) -> None:
    delivery = row(complaint_lifecycle(company, as_of=AS_OF), "category", "delivery")
    # F1 (C4, after K1 filed by C1), F2 (after K2 only: 38 days after K1), F3 (after K6)
    assert delivery["answers_after"] == 3
    assert delivery["satisfaction_after_mean"] == pytest.approx((1.0 + 2 / 5 + 6 / 7) / 3)
    assert delivery["satisfied_after_share"] == pytest.approx(2 / 3)


def test_unresolved_and_dateless_complaints(company: Workspace) -> None:
    billing = row(complaint_lifecycle(company, as_of=AS_OF), "category", "billing")
    assert (billing["open"], billing["acknowledged"], billing["closed"]) == (1, 1, 1)
    # K3 on time; K4 never acknowledged after 113 days; K5 closed without any date: left out
    assert billing["acknowledged_within_share"] == pytest.approx(1 / 2)
    assert billing["hours_to_acknowledge_median"] == pytest.approx(20)
    assert np.isnan(billing["days_to_close_median"])
    assert billing["open_age_median_days"] == pytest.approx((122 + 113) / 2)
    assert billing["open_older_than"] == 2
    assert billing["reopened"] == 0 and billing["reopened_share"] == 0
    assert billing["repeat"] == 1
    assert billing["answers_after"] == 0 and np.isnan(billing["satisfaction_after_mean"])


def test_by_team_month_and_overall(company: Workspace) -> None:
    teams = complaint_lifecycle(company, by=["team"], as_of=AS_OF)
    assert teams["team"].tolist() == ["A", "B"]
    assert teams["complaints"].tolist() == [2, 5]
    assert teams["repeat"].tolist() == [1, 3]
    months = complaint_lifecycle(company, by=["month"], as_of=AS_OF)
    assert [str(m)[:7] for m in months["month"]] == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-05",
        "2024-06",
    ]
    assert months["complaints"].tolist() == [1, 1, 3, 1, 1]
    overall = complaint_lifecycle(company, by=[], as_of=AS_OF, min_complaints=5)
    assert len(overall) == 1
    assert overall.loc[0, ["complaints", "open", "acknowledged", "closed"]].tolist() == [7, 2, 1, 4]
    assert overall.loc[0, "repeat"] == 4 and not overall.loc[0, "small_group"]


def test_reading_earlier_ignores_what_came_later(company: Workspace) -> None:
    frame = complaint_lifecycle(company, as_of="2024-02-02 00:00")
    delivery = row(frame, "category", "delivery")
    # K2 is open for one day: not yet acknowledged, not yet overdue
    assert (delivery["complaints"], delivery["open"], delivery["closed"]) == (2, 1, 1)
    assert delivery["acknowledged_within_share"] == pytest.approx(1.0)
    assert delivery["open_age_median_days"] == pytest.approx(1.0)
    assert delivery["answers_after"] == 1  # F1 only; F2 is not received yet


def test_default_reading_is_the_latest_timestamp(company: Workspace) -> None:
    # the latest moment is F4 on 2024-08-01: it now follows K6 by 60 days, too late to count
    default = complaint_lifecycle(company)
    later = complaint_lifecycle(company, as_of="2024-08-01 00:00")
    pd.testing.assert_frame_equal(default, later)
    assert row(default, "category", "billing")["open_age_median_days"] == pytest.approx(
        (153 + 144) / 2
    )


def test_bad_groups_and_windows(company: Workspace) -> None:
    with pytest.raises(InvalidParameterError, match="list of groups"):
        complaint_lifecycle(company, by="category")
    with pytest.raises(InvalidParameterError, match=r"'text'.*category, channel"):
        complaint_lifecycle(company, by=["text"])
    with pytest.raises(InvalidParameterError, match="repeat_window_days"):
        complaint_lifecycle(company, repeat_window_days=0)
    with pytest.raises(InvalidParameterError, match="as_of 'yesterday'"):
        complaint_lifecycle(company, as_of="yesterday")


def test_closed_loop_lists_cases_without_follow_up(company: Workspace) -> None:
    cases = closed_loop(company, as_of=AS_OF, detractor_window_days=365)
    assert list(cases.columns) == list(CASE_COLUMNS)
    # F2 followed up through C4's call, K3 by a call 12 h later; F5's e-mail came 11 days late
    assert cases["case_id"].tolist() == ["K7", "F5", "F7", "K4"]
    assert cases["priority"].tolist() == [1, 2, 2, 3]
    assert cases["case_kind"].tolist() == [
        "unresolved_complaint",
        "detractor",
        "detractor",
        "unresolved_complaint",
    ]
    assert cases["customer_id"].tolist() == ["C2", "C2", "C1", "C3"]  # F7 was filed by C4
    assert cases["days_waiting"].tolist() == pytest.approx([61, 98, 30, 113])
    assert cases["score"].tolist()[1:3] == [3.0, 2.0]
    assert cases.loc[0, "category"] == "refund" and cases.loc[3, "severity"] == "low"
    assert not {"email", "phone", "first_name", "last_name"} & set(cases.columns)


def test_closed_loop_windows(company: Workspace) -> None:
    # by default, detractors older than 90 days (F5, 98 days) are no longer listed
    assert closed_loop(company, as_of=AS_OF)["case_id"].tolist() == ["K7", "F7", "K4"]
    # on 2024-03-13 K4 has waited 4 days: listed after 3 days without contact, not after 7
    assert closed_loop(company, days=3, as_of="2024-03-13")["case_id"].tolist() == ["K4"]
    assert closed_loop(company, days=7, as_of="2024-03-13").empty
    with pytest.raises(InvalidParameterError, match="days must be a whole number"):
        closed_loop(company, days=0)


def test_empty_workspace(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "empty") as ws:
        with pytest.raises(ModelDataError, match="no complaint, feedback or interaction"):
            complaint_lifecycle(ws)
        frame = complaint_lifecycle(ws, as_of=AS_OF)
        assert frame.empty and list(frame.columns) == ["category", *LIFECYCLE_COLUMNS]
        assert complaint_lifecycle(ws, by=[], as_of=AS_OF).empty
        assert closed_loop(ws, as_of=AS_OF).empty


@pytest.mark.spark
def test_same_results_on_spark(company: Workspace, spark_session: Any) -> None:
    """The lifecycle and the closed loop are plain Ibis: Spark gives DuckDB's numbers."""
    previous = spark_session.catalog.currentDatabase()
    spark_session.sql("CREATE DATABASE IF NOT EXISTS complaints_parity")
    spark_session.catalog.setCurrentDatabase("complaints_parity")
    try:
        spark = Workspace.from_spark(spark_session)
        for table in (*FILES, "_customer_links"):
            spark.engine.append_arrow(
                table, company.engine.backend.to_pyarrow(company.table(table))
            )
        for by in (["category"], ["team", "month"]):
            on_duckdb = complaint_lifecycle(company, by=by, as_of=AS_OF)
            on_spark = complaint_lifecycle(spark, by=by, as_of=AS_OF)
            if "month" in by:
                on_spark["month"] = pd.to_datetime(on_spark["month"])
                on_duckdb["month"] = pd.to_datetime(on_duckdb["month"])
            pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False)
        pd.testing.assert_frame_equal(closed_loop(spark), closed_loop(company), check_dtype=False)
    finally:
        spark_session.catalog.setCurrentDatabase(previous)
