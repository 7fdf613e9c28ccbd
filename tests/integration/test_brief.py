"""The board brief on the demo company: findings traceable to their result tables, both
languages, missing analyses named, and a PDF of one or two pages."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from emptychair import Workspace
from emptychair.demo.service import DemoReport
from emptychair.errors import InvalidParameterError
from emptychair.report import all_findings, build_brief, write_brief
from emptychair.report.brief import find_chromium
from emptychair.workspace.results import resolve_run, result_table
from tests.e2e.test_cli import run


@pytest.fixture(scope="module")
def briefs(company: DemoReport) -> dict[str, str]:
    with Workspace(company.workspace, read_only=True) as ws:
        return {language: build_brief(ws, language).html() for language in ("fr", "en")}


def test_every_finding_points_to_a_source_with_its_run(
    company: DemoReport, briefs: dict[str, str]
) -> None:
    with Workspace(company.workspace, read_only=True) as ws:
        _, runs = all_findings(ws)
    assert runs["value"] and runs["voice"]
    for html in briefs.values():
        numbers = re.findall(r'data-source="(\d+)"', html)
        assert len(numbers) >= 5, "findings missing from the brief"
        for number in numbers:
            source = re.search(rf'<li id="source-{number}">([^<]+)</li>', html)
            assert source is not None
            analysis = next(a for a in runs if f"{a} run " in source.group(1))
            assert f"{analysis} run {runs[analysis]}" in source.group(1)


def test_figures_agree_with_the_stored_tables(company: DemoReport, briefs: dict[str, str]) -> None:
    with Workspace(company.workspace, read_only=True) as ws:
        run_id = resolve_run(ws, "value")["run_id"]
        curve = ws.to_pandas(result_table(ws, "value_concentration", run_id))
        voice_id = resolve_run(ws, "voice")["run_id"]
        scores = ws.to_pandas(result_table(ws, "voice_scores", voice_id))
    curve = curve.sort_values("share_of_customers")
    share = np.interp(0.15, curve["share_of_customers"], curve["share_of_revenue"])
    assert f"make {round(100 * share)}% of revenue" in briefs["en"]
    assert f"font {round(100 * share)}\u00a0% du chiffre d" in briefs["fr"]
    nps = scores[(scores["kind"] == "nps") & (scores["dimension"] == "all")].iloc[0]
    # one decimal, without a trailing zero (19.0 is written 19)
    written = f"{nps['score']:.1f}".removesuffix(".0")
    assert f"NPS {written.replace('.', ',')} [" in briefs["fr"]
    assert f"NPS {written} [" in briefs["en"]


def test_both_languages_use_their_own_formats(briefs: dict[str, str]) -> None:
    assert '<html lang="fr">' in briefs["fr"] and "Ce que disent nos clients" in briefs["fr"]
    assert re.search(r"\d\u00a0€", briefs["fr"])
    assert re.search(r"€\d{1,3}(,\d{3})*", briefs["en"])
    assert "What our customers say" in briefs["en"]
    # Charts are inline: nothing to fetch.
    assert "<svg" in briefs["en"] and "http://" not in briefs["en"].split("<svg")[0]


def test_missing_analyses_are_named(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "empty") as ws:
        html = build_brief(ws, "en").html()
    assert "Analysis not run: emptychair value run." in html
    assert "Analysis not run: emptychair voice run." in html


def test_the_pdf_has_one_or_two_pages(company: DemoReport, tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    try:
        find_chromium()
    except Exception as error:  # the test environment installs Chromium (make test)
        pytest.skip(str(error))
    target = tmp_path / "brief.pdf"
    out = run(
        "report", "-w", str(company.workspace), "--lang", "fr", "--format", "pdf", "-o", str(target)
    )
    assert "brief written" in out
    document = pdfium.PdfDocument(str(target))
    assert 1 <= len(document) <= 2
    for index in range(len(document)):
        image = document[index].render(scale=1.5).to_pil().convert("L")
        path = tmp_path / f"page-{index + 1}.png"
        image.save(path)
        ink = np.asarray(image) < 200
        assert ink.mean() > 0.0005, f"page {index + 1} is blank"
    first = document[0].get_textpage().get_text_range()
    document.close()
    assert "Ce que valent nos clients" in first


def test_bad_format_is_named(company: DemoReport, tmp_path: Path) -> None:
    with (
        Workspace(company.workspace, read_only=True) as ws,
        pytest.raises(InvalidParameterError, match="format 'docx' is not supported"),
    ):
        write_brief(ws, tmp_path / "b.docx", "en", "docx")


def test_the_actions_finding_counts_the_stored_decisions(company: DemoReport) -> None:
    with Workspace(company.workspace, read_only=True) as ws:
        findings, runs = all_findings(ws)
        decisions = ws.to_pandas(result_table(ws, "actions_decisions", str(runs["actions"])))
        guardrails = ws.to_pandas(result_table(ws, "actions_guardrails", str(runs["actions"])))
    found = next(f for f in findings if f.key == "actions")
    kinds = decisions["action_kind"].fillna("no_action")
    acting = kinds[kinds != "no_action"]
    assert found.figures["customers"] == len(decisions)
    assert found.figures["with_action"] == len(acting)
    serving = acting.isin(["service_recovery", "advice", "thanks"]).sum()
    assert found.figures["serving"] == serving
    top = guardrails.groupby("guardrail")["blocked_customers"].sum().idxmax()
    assert (
        found.figures[f"blocked_{top}"]
        == guardrails.groupby("guardrail")["blocked_customers"].sum().max()
    )
    assert f"{len(acting):,}" in found.text["en"]
    assert f"{round(100 * serving / len(acting))}%" in found.text["en"]


def test_what_customers_who_left_said_is_the_stored_comparison(company: DemoReport) -> None:
    with Workspace(company.workspace, read_only=True) as ws:
        findings, runs = all_findings(ws)
        lapsing = ws.to_pandas(result_table(ws, "voice_lapsing", str(runs["voice"])))
    found = next(f for f in findings if f.key == "lapsing")
    top = lapsing.sort_values(["q_value", "difference"], ascending=[True, False]).iloc[0]
    assert found.figures["q_value"] == top["q_value"]
    assert f"{100 * top['lapsing_share']:.1f}%" in found.text["en"]
    stands_out = "spoke more of" in found.text["en"]
    assert stands_out == bool(top["significant"])
    assert ("parlaient plus" in found.text["fr"]) == stands_out


def test_the_planted_harmful_practice_is_in_the_brief(company: DemoReport) -> None:
    with Workspace(company.workspace, read_only=True) as ws:
        findings, runs = all_findings(ws)
        brief = build_brief(ws, "en").html()
    assert runs["practices"], "the demo weighs its past campaigns"
    practices = [f for f in findings if f.key.startswith("practice_")]
    assert [f.key for f in practices] == ["practice_UPS"], "the upsell calls, not the e-mails"
    assert practices[0].figures["revenue_short"] > 0 and practices[0].figures["harms"] >= 2
    assert "Practice UPS pays now" in brief
