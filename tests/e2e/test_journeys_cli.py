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
    assert set(found) == {"repeat_contact", "web_to_phone", "long_wait", "dead_end", "loop"}
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


def test_friction_of_a_file_has_loops_and_long_gaps(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "case_id,activity,timestamp\n"
        "J1,visit,2024-01-01 10:00\nJ1,cart,2024-01-01 10:05\nJ1,visit,2024-01-01 10:20\n"
        "J2,visit,2024-01-01 11:00\nJ2,pay,2024-01-03 11:30\nJ3,visit,2024-01-02 09:00\n",
        encoding="utf-8",
    )
    out = json.loads(run("journeys", "friction", "--events", str(log), "--json"))
    found = {row["indicator"]: row["journeys"] for row in out["indicators"]}
    assert found == {"loop": 1, "long_gap": 1}
    longer = json.loads(
        run("journeys", "friction", "--events", str(log), "--long-gap-hours", "72", "--json")
    )
    assert {row["indicator"]: row["journeys"] for row in longer["indicators"]}["long_gap"] == 0
    refused = run("journeys", "friction", "--events", str(log), "--by", "team", code=2)
    assert "--by needs a workspace" in refused


def test_workspace_friction_by_team_and_segment(demo: Path) -> None:
    out = json.loads(run("journeys", "friction", "-w", str(demo), "--by", "team", "--json"))
    rows = pd.DataFrame(out["indicators"])
    assert set(rows["dimension"]) == {"team"}
    repeat = rows[rows["indicator"] == "repeat_contact"].set_index("group_value")["share"]
    # the demo's least resolving team (planted)
    assert repeat.drop("(none)").idxmax() == "Express Relation"
    segments = json.loads(run("journeys", "friction", "-w", str(demo), "--by", "segment", "--json"))
    by_segment = pd.DataFrame(segments["indicators"])
    overall = json.loads(run("journeys", "friction", "-w", str(demo), "--json"))
    totals = {row["indicator"]: row["journeys"] for row in overall["indicators"]}
    assert by_segment.groupby("indicator")["flagged"].sum().to_dict() == totals
    assert "Friction by segment" in run("journeys", "friction", "-w", str(demo), "--by", "segment")


def test_workspace_satisfaction_by_touchpoint_and_variant(demo: Path) -> None:
    out = json.loads(run("journeys", "satisfaction", "-w", str(demo), "--json"))
    scores = pd.DataFrame(out["scores"])
    assert set(scores["kind"]) == {"nps", "csat", "ces", "sentiment", "complaint_rate"}
    lines = (demo / "demo-data" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    answers = pd.DataFrame([json.loads(line) for line in lines if line.strip()])
    numeric = scores[~scores["kind"].isin(["sentiment", "complaint_rate"])]
    assert numeric["responses"].sum() == len(answers)
    csat = numeric[numeric["kind"] == "csat"].set_index("group_value")
    assert (csat["low"] <= csat["score"]).all() and (csat["score"] <= csat["high"]).all()
    variants = json.loads(
        run("journeys", "satisfaction", "-w", str(demo), "--by", "variant", "--json")
    )
    names = {row["group_value"] for row in variants["scores"]}
    assert "phone:queue → phone:call" in names
    assert "CSAT by variant" in run("journeys", "satisfaction", "-w", str(demo), "--by", "variant")


def test_report_writes_the_charts(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    funnel = "web:visit,web:search,web:cart,web:checkout"
    out = json.loads(
        run(
            "journeys",
            "report",
            "-w",
            str(demo),
            "--charts",
            str(folder),
            "--format",
            "svg",
            "--funnel",
            funnel,
            "--json",
        )
    )
    written = {Path(path).name for path in out["charts"]}
    assert {"journeys_graph.svg", "journeys_sankey.svg", "journeys_funnel.svg"} <= written
    assert "journeys_friction_by_team.svg" in written
    for name in written:
        assert (folder / name).read_text(encoding="utf-8").startswith("<svg")
    steps = [row["journeys"] for row in out["funnel"]]
    assert steps == sorted(steps, reverse=True) and steps[-1] > 0
    assert "repeat_contact" in out["headline"]
    assert "chart:" in run("journeys", "report", "-w", str(demo), "--charts", str(folder))
