"""Event logs that are not clean: each kind of bad input is handled, counted or refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import ImportFileError
from emptychair.journeys import directly_follows, read_event_log, variants, workspace_event_log
from emptychair.journeys.flows import first_step_flows
from emptychair.journeys.friction import friction_summary, path_frictions
from emptychair.journeys.funnels import funnel

CLEAN = (
    "case_id,activity,timestamp\n"
    "A,visit,2024-01-01 10:00\nA,cart,2024-01-01 10:05\nA,pay,2024-01-01 10:20\n"
    "B,visit,2024-01-02 09:00\nB,pay,2024-01-02 09:30\n"
    "C,visit,2024-01-03 08:00\nC,cart,2024-01-03 08:01\nC,visit,2024-01-03 08:02\n"
)


def _write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _paths(path: Path) -> dict[tuple[str, ...], int]:
    found = variants(read_event_log(path))
    return dict(zip(found["variant"], found["journeys"], strict=True))


def test_missing_timestamps_cases_and_activities_are_left_out_and_counted(
    tmp_path: Path,
) -> None:
    text = CLEAN + "D,visit,\n,visit,2024-01-04 10:00\nE,,2024-01-04 10:00\nF,visit,not a date\n"
    log = read_event_log(_write(tmp_path, text))
    assert log.excluded == {
        "missing_customer": 1,
        "missing_timestamp": 2,
        "missing_activity": 1,
        "duplicates": 0,
    }
    assert log.events == 8
    assert _paths(tmp_path / "log.csv") == _paths(_write(tmp_path, CLEAN, "clean.csv"))


def test_rows_out_of_order_give_the_same_journeys(tmp_path: Path) -> None:
    lines = CLEAN.splitlines()
    shuffled = [lines[0], *np.random.default_rng(1).permutation(lines[1:]).tolist()]
    clean, mixed = _write(tmp_path, CLEAN), _write(tmp_path, "\n".join(shuffled) + "\n", "m.csv")
    assert _paths(mixed) == _paths(clean)
    expected = directly_follows(read_event_log(clean))
    pd.testing.assert_frame_equal(directly_follows(read_event_log(mixed)), expected)


def test_duplicate_events_are_removed_and_counted(tmp_path: Path) -> None:
    lines = CLEAN.splitlines()
    text = "\n".join([*lines, lines[1], lines[2], lines[2]]) + "\n"
    log = read_event_log(_write(tmp_path, text))
    assert log.excluded["duplicates"] == 3
    assert log.events == 8
    assert _paths(tmp_path / "log.csv") == {
        ("visit", "cart", "pay"): 1,
        ("visit", "pay"): 1,
        ("visit", "cart", "visit"): 1,
    }


def test_simultaneous_events_are_ordered_by_activity_whatever_the_rows(tmp_path: Path) -> None:
    one = "case_id,activity,timestamp\nA,b,2024-01-01 10:00\nA,a,2024-01-01 10:00\n"
    other = "case_id,activity,timestamp\nA,a,2024-01-01 10:00\nA,b,2024-01-01 10:00\n"
    assert _paths(_write(tmp_path, one)) == {("a", "b"): 1}
    assert _paths(_write(tmp_path, other, "other.csv")) == {("a", "b"): 1}
    graph = directly_follows(read_event_log(tmp_path / "log.csv"))
    assert graph[["source", "target", "transitions", "median_s"]].values.tolist() == [
        ["a", "b", 1, 0.0]
    ]


def test_one_customer_with_100000_events(tmp_path: Path) -> None:
    n = 100_000
    steps = np.array(["browse", "cart", "call"])[np.arange(n) % 3]
    frame = pd.DataFrame(
        {
            "case_id": ["BIG"] * n + ["SMALL", "SMALL"],
            "activity": [*steps, "browse", "cart"],
            "timestamp": [
                *pd.date_range("2024-01-01", periods=n, freq="min"),
                pd.Timestamp("2024-06-01 10:00"),
                pd.Timestamp("2024-06-02 11:00"),
            ],
        }
    )
    path = tmp_path / "big.parquet"
    frame.to_parquet(path)
    log = read_event_log(path)
    assert log.events == n + 2
    found = variants(log)
    # ties in journeys are ordered by the variant: the short one first
    assert found["steps"].tolist() == [2, n]
    assert found["variant"].iloc[1][:4] == ("browse", "cart", "call", "browse")
    graph = directly_follows(log).set_index(["source", "target"])["transitions"]
    assert graph.to_dict() == {
        ("browse", "cart"): n // 3 + 1,
        ("cart", "call"): n // 3,
        ("call", "browse"): n // 3,
    }
    summary = friction_summary(log).set_index("indicator")["journeys"]
    # the big journey loops; the small one waits 25 h between its two steps
    assert summary.to_dict() == {"loop": 1, "long_gap": 1}


def test_journeys_of_one_step(tmp_path: Path) -> None:
    text = "case_id,activity,timestamp\nA,visit,2024-01-01\nB,visit,2024-01-02\nC,call,2024-01-02\n"
    log = read_event_log(_write(tmp_path, text))
    found = variants(log)
    assert found["steps"].tolist() == [1, 1]
    assert found["median_duration_s"].tolist() == [0.0, 0.0]
    assert directly_follows(log).empty
    assert first_step_flows(log).empty
    flags = path_frictions(log).to_pandas()
    assert not flags["loop"].any() and not flags["long_gap"].any()
    steps = funnel(log, ["visit", "call"])
    assert steps["journeys"].tolist() == [2, 0]


def test_unreadable_files_are_refused_with_their_name(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"events\.json"):
        read_event_log(_write(tmp_path, "{}", "events.json"))
    with pytest.raises(ImportFileError, match="no column 'ticket'"):
        read_event_log(_write(tmp_path, CLEAN), case="ticket")
    numbers = "case_id,activity,timestamp\nA,visit,1\n"
    with pytest.raises(ImportFileError, match="not timestamps"):
        read_event_log(_write(tmp_path, numbers, "numbers.csv"))


def test_unknown_and_missing_channels(tmp_path: Path) -> None:
    from emptychair.journeys.satisfaction import answers_on_the_map

    ws = Workspace.init(tmp_path / "ws")
    try:
        files = {
            "customers": "customer_id,created_at\nC1,2023-01-01\n",
            "interactions": (
                "interaction_id,customer_id,occurred_at,channel,touchpoint\n"
                "I1,C1,2024-03-01 10:00,,visit\n"
                "I2,C1,2024-03-01 10:05,carrier pigeon,message\n"
                "I3,C1,2024-03-01 10:10,Téléphone,call\n"
            ),
            "feedback": (
                "feedback_id,customer_id,received_at,kind,score,channel\n"
                "F1,C1,2024-03-01 11:00,nps,3,\n"
            ),
        }
        results = {
            table: ws.import_file(table, _write(tmp_path, text, f"{table}.csv"))
            for table, text in files.items()
        }
        # interactions need a known channel: the importer sets the rows aside, saying why
        problems = results["interactions"].to_dict(error_limit=5)["errors"]
        assert [(p["row"], p["column"], p["value"]) for p in problems] == [
            (2, "channel", None),
            (3, "channel", "carrier pigeon"),
        ]
        log = workspace_event_log(ws)
        assert log.events == 2
        steps = ws.to_pandas(log.table.order_by(list(log.order)))["activity"].tolist()
        # an answer without a channel is a step on the "unknown" channel
        assert steps == ["phone:call", "unknown:feedback_nps"]
        placed, _ = answers_on_the_map(ws, log)
        answer = ws.to_pandas(placed).iloc[0]
        # it names no touchpoint: it is read as about the step before it
        assert answer["touchpoint"] == "phone:call"
    finally:
        ws.close()
