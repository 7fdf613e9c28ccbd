"""Variants and the directly-follows graph of hand-built event logs with known answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from emptychair.errors import ImportFileError, InvalidParameterError
from emptychair.journeys import directly_follows, export_event_log, read_event_log, variants

T0 = pd.Timestamp("2024-03-01 09:00:00")


def minutes(m: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=m)


def write(tmp_path: Path, rows: list[tuple[object, object, object]], name: str = "log.csv") -> Path:
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"])
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


#: Three journeys a→b→c (durations 10, 20, 30 min), one a→c (5 min), one lone b.
KNOWN = [
    ("J1", "a", minutes(0)), ("J1", "b", minutes(4)), ("J1", "c", minutes(10)),
    ("J2", "a", minutes(100)), ("J2", "b", minutes(108)), ("J2", "c", minutes(120)),
    ("J3", "c", minutes(230)), ("J3", "a", minutes(200)), ("J3", "b", minutes(212)),
    ("J4", "a", minutes(300)), ("J4", "c", minutes(305)),
    ("J5", "b", minutes(400)),
]  # fmt: skip


@pytest.fixture(params=["log.csv", "log.parquet"])
def known(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    return write(tmp_path, KNOWN, request.param)


def test_variants_counts_shares_and_durations(known: Path) -> None:
    found = variants(read_event_log(known))
    assert found["variant"].tolist() == [("a", "b", "c"), ("a", "c"), ("b",)]
    assert found["journeys"].tolist() == [3, 1, 1]
    assert found["steps"].tolist() == [3, 2, 1]
    assert found["share"].tolist() == pytest.approx([0.6, 0.2, 0.2])
    # durations 10, 20 and 30 minutes (J3's rows are out of order in the file)
    assert found["median_duration_s"].tolist() == [1200.0, 300.0, 0.0]
    assert variants(read_event_log(known), top=1)["variant"].tolist() == [("a", "b", "c")]


def test_graph_edges_and_transition_times(known: Path) -> None:
    graph = directly_follows(read_event_log(known))
    edges = {(r.source, r.target): r for r in graph.itertuples()}
    assert set(edges) == {("a", "b"), ("b", "c"), ("a", "c")}
    assert edges["a", "b"].transitions == 3
    # a→b took 4, 8 and 12 minutes; b→c 6, 12 and 18
    assert edges["a", "b"].median_s == 480.0
    assert edges["b", "c"].median_s == 720.0
    assert edges["b", "c"].p90_s == pytest.approx(60 * (12 + 0.8 * 6))
    assert edges["a", "c"].transitions == 1 and edges["a", "c"].median_s == 300.0
    assert graph["share"].sum() == pytest.approx(1.0)
    rare = directly_follows(read_event_log(known), min_count=2)
    assert set(zip(rare["source"], rare["target"], strict=True)) == {("a", "b"), ("b", "c")}
    assert rare["share"].tolist() == pytest.approx([3 / 7, 3 / 7])
    assert len(directly_follows(read_event_log(known), min_share=0.5)) == 0


def test_ties_are_ordered_by_activity_and_duplicates_removed(tmp_path: Path) -> None:
    rows = [
        ("X", "pay", minutes(0)), ("X", "cart", minutes(0)), ("X", "cart", minutes(0)),
        ("X", "ship", minutes(5)),
        ("Y", "cart", minutes(0)), ("Y", "pay", minutes(0)), ("Y", "ship", minutes(5)),
    ]  # fmt: skip
    log = read_event_log(write(tmp_path, rows))
    assert log.excluded["duplicates"] == 1 and log.events == 6
    found = variants(log)
    assert found["variant"].tolist() == [("cart", "pay", "ship")]
    assert found["journeys"].tolist() == [2]
    graph = directly_follows(log)
    assert graph[["source", "target", "transitions"]].values.tolist() == [
        ["cart", "pay", 2],
        ["pay", "ship", 2],
    ]


def test_missing_values_are_left_out_and_counted(tmp_path: Path) -> None:
    rows = [
        ("A", "visit", minutes(0)), ("A", "buy", minutes(3)),
        (None, "visit", minutes(1)), ("B", "visit", None), ("B", None, minutes(2)),
        ("B", "visit", "not a date"), ("C", "visit", minutes(9)),
    ]  # fmt: skip
    log = read_event_log(write(tmp_path, rows))
    assert log.excluded == {
        "missing_customer": 1,
        "missing_timestamp": 2,
        "missing_activity": 1,
        "duplicates": 0,
    }
    assert log.events == 3
    assert variants(log)["variant"].tolist() == [("visit",), ("visit", "buy")]


def test_integer_cases_keep_their_number(tmp_path: Path) -> None:
    rows = [(7, "a", minutes(0)), (7, "b", minutes(1)), (3, "a", minutes(2))]
    log = read_event_log(write(tmp_path, rows, "log.parquet"))
    frame = log.table.to_pandas()
    assert sorted(frame["journey"].unique()) == [3, 7]


def test_text_cases_are_numbered_by_first_event(tmp_path: Path) -> None:
    rows = [("late", "a", minutes(50)), ("early", "b", minutes(0)), ("early", "a", minutes(60))]
    frame = read_event_log(write(tmp_path, rows)).table.to_pandas()
    first = frame.groupby("journey")["timestamp"].min().sort_index()
    assert first.tolist() == [minutes(0), minutes(50)]


def test_columns_by_pm4py_names_or_given(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "case:concept:name": ["1", "1"],
            "concept:name": ["a", "b"],
            "time:timestamp": [minutes(0), minutes(1)],
        }
    )
    frame.to_parquet(tmp_path / "pm4py.parquet")
    assert variants(read_event_log(tmp_path / "pm4py.parquet"))["journeys"].tolist() == [1]
    odd = frame.set_axis(["ticket", "step_name", "when"], axis=1)
    odd.to_csv(tmp_path / "odd.csv", index=False)
    with pytest.raises(ImportFileError, match="--case COLUMN"):
        read_event_log(tmp_path / "odd.csv")
    with pytest.raises(ImportFileError, match="no column 'nope'"):
        read_event_log(tmp_path / "odd.csv", case="nope", activity="step_name", timestamp="when")
    log = read_event_log(
        tmp_path / "odd.csv", case="ticket", activity="step_name", timestamp="when"
    )
    assert variants(log)["variant"].tolist() == [("a", "b")]


def test_bad_parameters_are_named(known: Path) -> None:
    log = read_event_log(known)
    with pytest.raises(InvalidParameterError, match="min_count"):
        directly_follows(log, min_count=0)
    with pytest.raises(InvalidParameterError, match="min_share"):
        directly_follows(log, min_share=2)
    with pytest.raises(InvalidParameterError, match="top"):
        variants(log, top=0)
    with pytest.raises(ImportFileError, match="no such file"):
        read_event_log(known.with_name("missing.csv"))


def test_a_file_log_exports_in_step_order(known: Path, tmp_path: Path) -> None:
    log = read_event_log(known)
    written = export_event_log(log, tmp_path / "out.csv")
    frame = pd.read_csv(written)
    assert list(frame.columns) == ["case:concept:name", "concept:name", "time:timestamp"]
    assert frame["concept:name"].tolist()[:3] == ["a", "b", "c"]
    assert variants(read_event_log(written))[["variant", "journeys"]].equals(
        variants(log)[["variant", "journeys"]]
    )
    with pytest.raises(InvalidParameterError, match=r"out\.txt"):
        export_event_log(log, tmp_path / "out.txt")
