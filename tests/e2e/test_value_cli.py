"""``emptychair value``, end to end: a demo run, its report and charts, and fitting a
summary file the user already has."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.test_cli import run
from tests.value_data import lifetimes_dataset, simulate_summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("value-cli") / "ws"
    run("demo", str(folder), "--customers", "800", "--json")
    return folder


def test_run_and_report(demo: Path, tmp_path: Path) -> None:
    out = json.loads(run("value", "run", "-w", str(demo), "--months", "6", "--json"))
    assert out["headline"]["customers"] > 700
    assert {p["parameter"] for p in out["parameters"]} == {"r", "alpha", "a", "b", "p", "q", "v"}
    assert out["statements"]["fr"][0].startswith("les ")
    charts = tmp_path / "charts"
    report = json.loads(run("value", "report", "-w", str(demo), "--charts", str(charts), "--json"))
    assert report["run_id"] == out["run_id"] and report["settings"]["months"] == 6
    written = sorted(Path(c).name for c in report["charts"])
    assert sorted(p.name for p in charts.iterdir()) == written
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in charts.iterdir())
    text = run("value", "report", "-w", str(demo))
    assert "Customer value" in text and "Retention" in text and "champions" in text


def test_fit_a_french_summary_file(tmp_path: Path) -> None:
    cdnow = pd.read_csv(lifetimes_dataset("cdnow_customers_summary.csv"))
    french = cdnow.rename(columns={"frequency": "nb_achats", "recency": "anciennete_dernier"})
    path = tmp_path / "resume.csv"
    french.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")
    out = json.loads(
        run(
            "value",
            "fit",
            "--summary",
            str(path),
            "--model",
            "bgnbd",
            "--map",
            "nb_achats=frequency",
            "--map",
            "anciennete_dernier=recency",
            "--json",
        )
    )
    estimates = {p["parameter"]: p["estimate"] for p in out["parameters"]}
    assert estimates["r"] == pytest.approx(0.243, abs=5e-4)
    assert estimates["alpha"] == pytest.approx(4.414, abs=5e-3)
    assert out["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    assert out["customers"] == 2357


def test_predict_writes_every_scored_row(tmp_path: Path) -> None:
    summary = simulate_summary(3000, seed=4)
    summary.loc[0, "customer_id"] = '=HYPERLINK("x")'
    path = tmp_path / "summary.parquet"
    summary.to_parquet(path)
    output = tmp_path / "scores.csv"
    out = json.loads(
        run("value", "predict", "--summary", str(path), "--output", str(output), "--json")
    )
    assert out["rows"] == 3000 and set(out["parameters"]) == {"bgnbd", "gammagamma"}
    scores = pd.read_csv(output)
    assert len(scores) == 3000
    assert {"clv", "clv_lower", "clv_upper", "probability_alive"} <= set(scores.columns)
    assert scores.loc[0, "customer_id"].startswith("'=")  # never a live formula


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("frequency;recency\n1;2\n", "no column 'T'"),
        ("frequency;recency;T\n0;0;5\n0;0;8\n", "no customer has a repeat purchase"),
        ("frequency;recency;T\n1;2;5\n2;9;8\n", "row 3: recency 9 is greater than T 8"),
    ],
)
def test_bad_summaries_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    out = run("value", "fit", "--summary", str(path), code=8)
    assert message in " ".join(out.split()) and "bad.csv" in out


def test_bad_options(tmp_path: Path) -> None:
    out = run("value", "fit", "--summary", str(tmp_path / "missing.csv"), code=5)
    assert "no such file" in out
    path = tmp_path / "s.csv"
    path.write_text("frequency,recency,T\n1,2,5\n")
    out = run("value", "fit", "--summary", str(path), "--model", "magic", code=2)
    assert "unknown model 'magic'" in out
    out = run("value", "fit", "--summary", str(path), "--map", "frequency", code=5)
    assert "SOURCE=TARGET" in out
