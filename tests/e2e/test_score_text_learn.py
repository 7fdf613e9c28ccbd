"""``emptychair voice score-text --learn-from``: sentiment learned from the file's own scores."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.test_cli import run
from tests.unit.voice.test_crossfit import simulated_company

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    company = simulated_company(1_000, seed=3)
    path = tmp_path_factory.mktemp("learn") / "nps.csv"
    frame = company.drop(columns="truth").assign(nps=company["nps"].astype(int).astype(str))
    frame.loc[5, "nps"] = ""  # a comment without a score is still scored
    frame.to_csv(path, sep=";", index=False)
    return path


def test_learn_from_prints_the_cross_validated_figures(export: Path, tmp_path: Path) -> None:
    output = tmp_path / "scored.csv"
    text = run(
        "voice", "score-text", str(export), "--text-column", "comment",
        "--learn-from", "nps", "--lang", "fr", "--output", str(output),
    )  # fmt: skip
    assert "cross-validated" in text and "macro_f1" in text and "used" in text
    scored = pd.read_csv(output)
    assert len(scored) == 1_000 and scored["sentiment"].notna().all()
    assert set(scored["sentiment_method"]) == {"combined"}
    assert {"themes", "negative_themes", "text_redacted"} <= set(scored.columns)


def test_learn_from_json_gives_rows_and_validation(export: Path) -> None:
    out = run(
        "voice", "score-text", str(export), "--text-column", "comment",
        "--learn-from", "nps", "--scale-max", "10", "--lang", "fr", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert len(data["rows"]) == 1_000
    figures = {row["method"]: row for row in data["validation"]}
    assert set(figures) == {"shipped", "learned", "combined"}
    best_alone = max(figures["shipped"]["macro_f1"], figures["learned"]["macro_f1"])
    assert figures["combined"]["macro_f1"] >= best_alone
    assert figures["combined"]["chosen"] is True


def test_learn_from_names_a_bad_score_column(export: Path, tmp_path: Path) -> None:
    out = run(
        "voice", "score-text", str(export), "--text-column", "comment", "--learn-from", "note",
        code=5,
    )  # fmt: skip
    assert "'note'" in out and "nps" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("comment;nps\nsuper;10\nnul;dix\n", encoding="utf-8")
    out = run("voice", "score-text", str(bad), "--text-column", "comment", "--learn-from", "nps",
              code=5)  # fmt: skip
    assert "row 2" in out and "'dix'" in out
