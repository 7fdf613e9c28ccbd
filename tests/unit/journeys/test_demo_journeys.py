"""The demo company's journeys, found again from its workspace against the generator's truth."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.demo.service import DATA_FOLDER, build_demo
from emptychair.identity import golden_id
from emptychair.journeys import (
    directly_follows,
    export_event_log,
    journeys,
    read_event_log,
    variants,
    workspace_event_log,
)
from emptychair.journeys.friction import journey_frictions

PLANTED = ("repeat_contact", "web_to_phone", "long_wait", "dead_end")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Path]]:
    folder = tmp_path_factory.mktemp("journeys-demo") / "ws"
    build_demo(folder, customers=800)
    ws = Workspace(folder, read_only=True)
    yield ws, folder / DATA_FOLDER
    ws.close()


def test_recorded_journeys_match_the_truth(demo: tuple[Workspace, Path]) -> None:
    ws, data = demo
    truth = pd.read_parquet(data / "truth" / "journeys.parquet").set_index("journey_id")
    found = ws.to_pandas(journeys(workspace_event_log(ws)))
    recorded = found.dropna(subset=["journey_id"]).set_index("journey_id")
    assert set(recorded.index) == set(truth.index)
    assert (recorded["started_at"].reindex(truth.index) == truth["started_at"]).all()
    interactions = pd.read_parquet(data / "interactions.parquet")
    per_journey = interactions.groupby("journey_id").size()
    assert (recorded["events"] == per_journey.reindex(recorded.index)).all()
    # the customer of each journey is the golden customer of the generator's record
    expected = truth["customer_id"].fillna("")
    differs = expected != recorded["customer_id"].reindex(truth.index).fillna("")
    assert differs.mean() < 0.05
    for journey, record in expected[differs].items():
        assert golden_id(ws, record) == recorded.loc[journey, "customer_id"]


def test_online_purchase_path_and_its_graph(demo: tuple[Workspace, Path]) -> None:
    ws, data = demo
    truth = pd.read_parquet(data / "truth" / "journeys.parquet")
    log = workspace_event_log(ws)
    found = variants(log)
    rows = dict(zip(found["variant"], found["journeys"], strict=True))
    web = ("web:visit", "web:search", "web:cart", "web:checkout")
    app = tuple(s.replace("web", "app") for s in web)
    online = truth[truth["kind"] == "online_purchase"]
    assert rows.get(web, 0) + rows.get(app, 0) == len(online)
    purchase = found.set_index("variant").loc[[web], "purchase_share"]
    assert (purchase == 1.0).all()
    graph = directly_follows(log)
    edge = graph[(graph["source"] == "web:cart") & (graph["target"] == "web:checkout")]
    assert edge["transitions"].item() == rows[web]


def test_export_reads_back_the_same_paths(demo: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = demo
    log = workspace_event_log(ws, level="channel")
    expected = variants(log)[["variant", "journeys"]]
    for name in ("log.csv", "log.parquet"):
        written = export_event_log(log, tmp_path / name)
        again = read_event_log(written)
        assert again.events == log.events
        assert variants(again)[["variant", "journeys"]].equals(expected)
    xes = export_event_log(log, tmp_path / "log.xes").read_text(encoding="utf-8")
    assert xes.count("<trace>") == int(expected["journeys"].sum())
    assert xes.count("<event>") == log.events


def test_planted_frictions_are_found(demo: tuple[Workspace, Path]) -> None:
    ws, data = demo
    truth = pd.read_parquet(data / "truth" / "journeys.parquet").set_index("journey_id")
    log = workspace_event_log(ws)
    ids = ws.to_pandas(journeys(log))[["journey", "journey_id"]]
    found = ws.to_pandas(journey_frictions(log)).merge(ids, on="journey")
    found = found.dropna(subset=["journey_id"]).set_index("journey_id").reindex(truth.index)
    assert (found["contacts"] == truth["contacts"]).all()
    for name in PLANTED:
        planted, flagged = truth[name], found[name]
        assert planted.sum() > 0, name
        # nearly every planted friction is found, and almost nothing else is flagged: a
        # repeat can fall in the next journey, a web error can be followed by an order first
        assert (planted & flagged).sum() >= 0.95 * planted.sum(), name
        assert (flagged & ~planted).sum() <= max(2, 0.02 * planted.sum()), name


def test_a_stored_run_groups_frictions_and_values_them(
    demo: tuple[Workspace, Path], tmp_path: Path
) -> None:
    import shutil

    from emptychair.journeys.friction import friction_summary
    from emptychair.journeys.service import run_journeys
    from emptychair.workspace.results import result_table, runs

    copy = tmp_path / "ws"
    shutil.copytree(demo[0].path, copy, ignore=shutil.ignore_patterns("demo-data"))
    ws = Workspace(copy)
    result = run_journeys(ws)
    friction = result.tables["journeys_friction"]
    overall = friction[friction["dimension"] == "all"].set_index("indicator")
    expected = friction_summary(workspace_event_log(ws)).set_index("indicator")
    assert overall["flagged"].to_dict() == expected["journeys"].to_dict()
    for dimension in ("channel", "team", "segment"):
        part = friction[friction["dimension"] == dimension]
        # Every journey has one first channel and at most one team: the groups add up.
        sums = part.groupby("indicator")[["flagged", "journeys"]].sum()
        assert sums["flagged"].to_dict() == overall["flagged"].to_dict()
        assert sums["journeys"].to_dict() == overall["journeys"].to_dict()
    at_risk = result.tables["journeys_value_at_risk"].set_index("indicator")
    for indicator, row in at_risk.iterrows():
        assert row["customers"] <= overall.loc[indicator, "flagged"]
        assert row["value_at_risk"] >= 0
    assert at_risk["value_at_risk"].sum() > 0
    assert result.run_id in set(runs(ws, "journeys")["run_id"])
    stored = ws.to_pandas(result_table(ws, "journeys_variants", result.run_id))
    assert len(stored) == len(result.tables["journeys_variants"])
    ws.close()


def test_loops_come_back_after_a_second_contact(demo: tuple[Workspace, Path]) -> None:
    ws, data = demo
    truth = pd.read_parquet(data / "truth" / "journeys.parquet").set_index("journey_id")
    log = workspace_event_log(ws)
    ids = ws.to_pandas(journeys(log))[["journey", "journey_id"]]
    found = ws.to_pandas(journey_frictions(log)).merge(ids, on="journey")
    found = found.dropna(subset=["journey_id"]).set_index("journey_id").reindex(truth.index)
    # a contact journey comes back to a step only when the customer calls again
    assert found["loop"].sum() > 0
    assert not (found["loop"] & (truth["contacts"] < 2)).any()
    # against the steps of each recorded journey in the generated file: a loop comes back
    # to a step it had left (more runs of steps than distinct steps)
    steps = pd.read_parquet(data / "interactions.parquet").dropna(subset=["journey_id"])
    steps = steps.sort_values(["journey_id", "occurred_at"], kind="stable")
    steps["step"] = steps["channel"] + ":" + steps["touchpoint"]

    def loops(path: pd.Series) -> bool:
        values = path.tolist()
        runs = 1 + sum(a != b for a, b in itertools.pairwise(values))
        return runs > len(set(values))

    expected = steps.groupby("journey_id")["step"].apply(loops)
    both = found["loop"].dropna().astype(bool).to_frame()
    both = both.join(expected.rename("truth"), how="inner")
    assert len(both) > 100 and both["truth"].sum() > 0
    # simultaneous steps may be ordered differently: almost every journey agrees
    assert (both["loop"] == both["truth"]).mean() >= 0.98


def test_answers_are_placed_on_the_journey_they_are_about(demo: tuple[Workspace, Path]) -> None:
    from emptychair.journeys.satisfaction import answers_on_the_map

    ws, data = demo
    log = workspace_event_log(ws)
    placed, _ = answers_on_the_map(ws, log)
    answers = ws.to_pandas(placed)
    flags = ws.to_pandas(journey_frictions(log))
    truth = pd.read_csv(data / "truth" / "feedback.csv")
    merged = answers.merge(truth, on="feedback_id", suffixes=("", "_truth")).merge(
        flags, on="journey", suffixes=("_truth", "")
    )
    after_contact = merged[merged["kind"].isin(["csat", "ces"])]
    assert len(after_contact) > 50
    # every survey after a contact lands on that contact's journey: its frictions are the
    # ones the generator used to draw the score
    for name in ("repeat_contact", "long_wait", "web_to_phone"):
        assert (after_contact[f"{name}_truth"] == after_contact[name]).all(), name
    assert after_contact["repeat_contact"].sum() > 0
