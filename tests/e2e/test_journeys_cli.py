"""``emptychair journeys``, end to end: an event log file without a workspace, and a workspace
with its export read back."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.test_cli import run

LOG = (
    "ticket,step,when\n"
    "T1,open,2024-01-01 09:00\nT1,answer,2024-01-01 10:00\nT1,close,2024-01-01 12:00\n"
    "T2,open,2024-01-02 09:00\nT2,answer,2024-01-02 09:30\nT2,close,2024-01-02 09:45\n"
    "T3,open,2024-01-03 09:00\nT3,close,2024-01-03 09:10\n"
    "T4,open,\n"
)


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text(LOG, encoding="utf-8")
    return path


def test_variants_of_a_file(log_file: Path) -> None:
    args = ["--events", str(log_file), "--case", "ticket", "--activity", "step"]
    out = json.loads(run("journeys", "variants", *args, "--timestamp", "when", "--json"))
    assert out["excluded"]["missing_timestamp"] == 1
    assert out["journeys"] == 3 and out["variant_count"] == 2
    first = out["variants"][0]
    assert first["variant"] == ["open", "answer", "close"] and first["journeys"] == 2
    # durations 3 h and 45 min: the median is their mean
    assert first["median_duration_s"] == (3 * 3600 + 45 * 60) / 2
    text = run("journeys", "variants", *args, "--timestamp", "when")
    assert "open → answer → close" in text


def test_graph_of_a_file_with_rare_edges_left_out(log_file: Path) -> None:
    args = ["--events", str(log_file), "--case", "ticket", "--activity", "step"]
    out = json.loads(
        run("journeys", "graph", *args, "--timestamp", "when", "--min-count", "2", "--json")
    )
    edges = {(e["source"], e["target"]): e["transitions"] for e in out["edges"]}
    assert edges == {("open", "answer"): 2, ("answer", "close"): 2}


def test_file_errors_are_clear(log_file: Path, tmp_path: Path) -> None:
    out = run("journeys", "variants", "--events", str(log_file), code=5)
    assert "--case COLUMN" in out
    missing = run("journeys", "graph", "--events", str(tmp_path / "none.csv"), code=5)
    assert "no such file" in missing
    mixed = run("journeys", "graph", "-w", str(tmp_path), "--case", "ticket", code=2)
    assert "--events FILE" in mixed


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("journeys-cli") / "ws"
    run("demo", str(folder), "--customers", "800", "--json")
    return folder


def test_workspace_variants_graph_and_export(demo: Path, tmp_path: Path) -> None:
    out = json.loads(
        run("journeys", "variants", "-w", str(demo), "--level", "channel", "--top", "5", "--json")
    )
    assert out["level"] == "channel" and len(out["variants"]) == 5
    assert {"purchase_share", "complaint_share", "detractor_share"} <= set(out["variants"][0])
    graph = json.loads(run("journeys", "graph", "-w", str(demo), "--min-count", "50", "--json"))
    assert all(e["transitions"] >= 50 for e in graph["edges"])
    assert ("web:visit", "web:search") in {(e["source"], e["target"]) for e in graph["edges"]}
    target = tmp_path / "log.parquet"
    written = json.loads(run("journeys", "export", str(target), "-w", str(demo), "--json"))
    frame = pd.read_parquet(target)
    assert len(frame) == written["events"]
    assert list(frame.columns[:3]) == ["case:concept:name", "concept:name", "time:timestamp"]
    again = json.loads(run("journeys", "variants", "--events", str(target), "--json"))
    assert again["journeys"] == frame["case:concept:name"].nunique()
    bad = run("journeys", "variants", "-w", str(demo), "--level", "team", code=2)
    assert "level 'team'" in bad
    assert "written:" in run("journeys", "export", str(tmp_path / "log.xes"), "-w", str(demo))


def test_workspace_friction(demo: Path) -> None:
    out = json.loads(run("journeys", "friction", "-w", str(demo), "--json"))
    found = {row["indicator"]: row["journeys"] for row in out["indicators"]}
    assert set(found) == {"repeat_contact", "web_to_phone", "long_wait", "dead_end"}
    assert all(count > 0 for count in found.values())
    stricter = json.loads(
        run("journeys", "friction", "-w", str(demo), "--long-wait-s", "3600", "--json")
    )
    waits = {row["indicator"]: row["journeys"] for row in stricter["indicators"]}["long_wait"]
    assert waits < found["long_wait"]
    assert "repeat_contact" in run("journeys", "friction", "-w", str(demo))


def test_a_funnel_on_an_event_log_file(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "case_id,activity,timestamp\n"
        "J1,visit,2024-01-01 10:00\nJ1,cart,2024-01-01 10:05\nJ1,pay,2024-01-01 10:20\n"
        "J2,visit,2024-01-01 11:00\nJ2,pay,2024-01-01 11:30\nJ3,visit,2024-01-02 09:00\n",
        encoding="utf-8",
    )
    out = json.loads(
        run("journeys", "funnel", "--steps", "visit,cart,pay", "--events", str(log), "--json")
    )
    assert [row["journeys"] for row in out["funnel"]] == [3, 1, 1]
    assert [row["dropped"] for row in out["funnel"]] == [0, 2, 0]
    text = run("journeys", "funnel", "--steps", "visit,basket", "--events", str(log), code=2)
    assert "'basket'" in text
