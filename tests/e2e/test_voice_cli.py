"""``emptychair voice``, end to end on a small demo company."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from tests.e2e.test_cli import run


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("voice-cli") / "ws"
    run("demo", str(folder), "--customers", "800", "--json")
    return folder


def test_nps_by_channel(demo: Path) -> None:
    rows = json.loads(run("voice", "scores", "nps", "-w", str(demo), "--by", "channel", "--json"))
    with Workspace(demo, read_only=True) as ws:
        feedback = ws.to_pandas(ws.table("feedback"))
    nps = feedback[(feedback["kind"] == "nps") & feedback["score"].notna()]
    assert sum(r["responses"] + r["excluded"] for r in rows) == len(nps)
    assert {r["channel"] for r in rows} == set(nps["channel"].dropna())
    for row in rows:
        assert row["nps_low"] <= row["nps"] <= row["nps_high"]
        assert (row["rank"] is None) == row["small_group"]
    text = run("voice", "scores", "nps", "-w", str(demo), "--by", "channel")
    assert "NPS with 95 % intervals" in text


def test_scores_by_team_and_by_value_segment(demo: Path) -> None:
    rows = json.loads(run("voice", "scores", "csat", "-w", str(demo), "--by", "team", "--json"))
    teams = {r["team"] for r in rows}
    assert "Express Relation" in teams and "CC Lille" in teams
    rows = json.loads(run("voice", "scores", "nps", "-w", str(demo), "--by", "segment", "--json"))
    assert {"champions", "loyal"} <= {r["segment"] for r in rows}


def test_csat_by_month_and_a_comparison(demo: Path) -> None:
    rows = json.loads(
        run("voice", "scores", "csat", "-w", str(demo), "--period", "month", "--json")
    )
    assert len(rows) > 6 and all(0 <= r["csat"] <= 1 for r in rows)
    out = json.loads(
        run(
            "voice",
            "compare",
            "csat",
            "-w",
            str(demo),
            "--first",
            "2025-01-01..2025-07-01",
            "--second",
            "2025-07-01..2026-01-01",
            "--json",
        )
    )
    assert len(out) == 1 and 0 <= out[0]["p_value"] <= 1


def test_bad_options_are_clear(demo: Path) -> None:
    out = run("voice", "scores", "happiness", "-w", str(demo), code=2)
    assert "happiness" in out
    out = run(
        "voice", "compare", "nps", "-w", str(demo), "--first", "2025", "--second", "x", code=2
    )
    assert "YYYY-MM-DD..YYYY-MM-DD" in out


def test_the_taxonomy_can_be_written_edited_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    run("voice", "taxonomy", "--write", str(path))
    themes = json.loads(run("voice", "taxonomy", "--check", str(path), "--json"))
    assert {"delivery", "reachability", "returns_and_refunds"} <= {t["theme"] for t in themes}
    path.write_text(path.read_text(encoding="utf-8").replace("id: delivery", "id:", 1))
    out = run("voice", "taxonomy", "--check", str(path), code=2)
    assert "themes.yaml" in out


def test_the_demo_stores_a_voice_run_and_the_report_reads_it(demo: Path, tmp_path: Path) -> None:
    out = json.loads(run("voice", "report", "-w", str(demo), "--json"))
    with Workspace(demo, read_only=True) as ws:
        feedback = ws.to_pandas(ws.table("feedback"))
    written = feedback["text"].notna() & feedback["text"].str.strip().ne("")
    assert out["headline"]["answers with text"] == int(written.sum())
    themes = {row["theme"] for row in out["themes"]}
    assert {"delivery", "product_quality"} <= themes
    irritants = out["irritants"]
    assert irritants and all((row["rank"] is None) == row["small"] for row in irritants)
    assert all(row["value_at_risk"] is not None for row in irritants)  # the demo has a value run
    charts = tmp_path / "charts"
    text = run("voice", "report", "-w", str(demo), "--charts", str(charts), "--format", "svg")
    assert "Irritants" in text
    assert {p.name for p in charts.iterdir()} >= {"nps_trend.svg", "themes.svg", "irritants.svg"}


def test_a_second_run_is_stored_beside_the_first(demo: Path) -> None:
    before = json.loads(run("voice", "report", "-w", str(demo), "--json"))["headline"]["run"]
    headline = json.loads(run("voice", "run", "-w", str(demo), "--json"))["headline"]
    assert headline["run"] != before
    again = json.loads(run("voice", "report", "-w", str(demo), "--run", before, "--json"))
    assert again["headline"]["run"] == before


def test_score_text_adds_the_analysis_to_any_export(tmp_path: Path) -> None:
    source = tmp_path / "avis.csv"
    source.write_text(
        "id;commentaire;note\n"
        "1;Livraison rapide mais produit cassé. Écrivez-moi à jean.dupont@example.fr;2\n"
        "2;Very friendly advisor, quick refund;5\n"
        "3;;3\n",
        encoding="cp1252",
    )
    output = tmp_path / "scored.csv"
    text = run(
        "voice", "score-text", str(source), "--text-column", "commentaire", "--output", str(output)
    )
    assert "avis.csv" in text and "with text" in text
    scored = pd.read_csv(output, dtype=str, keep_default_na=False)
    assert scored["id"].tolist() == ["1", "2", "3"]
    assert scored["language"].tolist() == ["fr", "en", "unknown"]
    assert scored.loc[0, "themes"] == "delivery;product_quality"
    assert scored.loc[0, "negative_themes"] == "product_quality"
    assert "example.fr" not in scored.loc[0, "text_redacted"]
    assert scored.loc[1, "sentiment_label"] == "positive"
    assert scored.loc[2, "sentiment"] == ""
    out = run("voice", "score-text", str(source), "--text-column", "comment", code=5)
    assert "commentaire" in out and "'comment'" in out
