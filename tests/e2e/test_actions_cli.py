"""``emptychair actions``, end to end on a small demo company."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from emptychair import Workspace
from emptychair.cli import _Commands
from emptychair.cli import actions as actions_cli
from tests.e2e.test_cli import run as run_main

app = typer.Typer(cls=_Commands)


@app.callback()
def _root() -> None:
    """Empty Chair command line (test entry point)."""


actions_cli.register(app)
runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("actions-cli") / "ws"
    run_main("demo", str(folder), "--customers", "600", "--json")
    return folder


def test_catalogue_shows_the_actions_in_ranking_order(demo: Path) -> None:
    shown = json.loads(run("actions", "catalogue", "-w", str(demo), "--json", "--lang", "fr"))
    ids = [a["id"] for a in shown["actions"]]
    assert ids[0] == "complaint_follow_up" and ids[-1] == "leave_alone"
    assert shown["actions"][-1]["label"] == "Ne rien faire"
    assert shown["guardrails"]["max_contacts"] == 3
    assert "Guardrails" in run("actions", "catalogue", "-w", str(demo))


def test_check_names_the_problem_in_a_bad_catalogue(tmp_path: Path) -> None:
    bad = tmp_path / "actions.yaml"
    bad.write_text(
        "actions:\n  - id: upsell\n    label: {fr: Vente, en: Sale}\n    kind: offer\n"
        "    rule: clv > 10 and clv < 5\n"
        "    benefit: {amount: 5, unit: score, explanation: {fr: x, en: x}}\n"
        "    business_value: 5\n    cost: 1\n    channel: email\n    consent: email\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["actions", "catalogue", "--check", str(bad)])
    assert result.exit_code == 2
    assert "action 'upsell', field rule: no customer can meet" in " ".join(result.output.split())
    bad.write_text(bad.read_text().replace("clv > 10 and clv < 5", "clv > 10"), encoding="utf-8")
    checked = " ".join(run("actions", "catalogue", "--check", str(bad)).split())
    assert "actions.yaml: 1 action(s), no problem found" in checked


def test_run_summary_decide_and_override(demo: Path) -> None:
    stored = json.loads(run("actions", "run", "-w", str(demo), "--json"))
    with Workspace(demo, read_only=True) as ws:
        people = (
            ws.count("customers")
            - ws.to_pandas(
                ws.table("_customer_links").filter(lambda t: t.customer_id != t.golden_id)
            ).shape[0]
        )
    assert stored["customers"] == people
    assert sum(r["customers"] for r in stored["actions"]) == people
    summary = json.loads(run("actions", "summary", "-w", str(demo), "--json"))
    assert summary["run_id"] == stored["run_id"]
    assert "Decisions per action" in run("actions", "summary", "-w", str(demo))

    with Workspace(demo, read_only=True) as ws:
        first = ws.to_pandas(ws.table("actions_decisions").limit(1))["customer_id"].iloc[0]
    decision = json.loads(run("actions", "decide", first, "-w", str(demo), "--json"))
    assert decision["customer_id"] == first
    assert decision["why"] and len(decision["why_not"]) == 6
    text = run("actions", "decide", first, "-w", str(demo), "--lang", "fr")
    assert first in text

    run("actions", "override", first, "--action", "none", "--reason", "demande client",
        "--by", "Equipe CX", "-w", str(demo))  # fmt: skip
    decision = json.loads(run("actions", "decide", first, "-w", str(demo), "--json"))
    assert decision["override"]["action_id"] is None
    assert decision["override"]["decided_by"] == "Equipe CX"
    assert "Equipe CX" in run("actions", "decide", first, "-w", str(demo))
    wrong = runner.invoke(
        app, ["actions", "override", first, "--action", "upsell", "--reason", "x", "--by", "y",
              "-w", str(demo)],
    )  # fmt: skip
    assert wrong.exit_code == 2 and "no action 'upsell'" in wrong.output
    missing = runner.invoke(app, ["actions", "decide", "NOBODY", "-w", str(demo)])
    assert missing.exit_code == 6 and "no customer with id 'NOBODY'" in missing.output


def test_practices_are_compared_stored_and_shown_again(demo: Path) -> None:
    found = json.loads(run("actions", "practices", "-w", str(demo), "--json"))
    assert found["run_id"] is None
    practices = {p["practice"]: p for p in found["practices"]}
    assert set(practices) == {"UPS", "CMP"}
    assert practices["UPS"]["channel"] == "phone" and practices["CMP"]["channel"] == "email"
    assert "CMP" not in found["flagged"]
    assessed = {e["practice"] for e in found["effects"]}
    assert assessed == {p for p, row in practices.items() if row["status"] == "assessed"}
    assert all(e["low"] <= e["effect"] <= e["high"] for e in found["effects"])
    assert found["settings"]["long_days"] == 180

    stored = json.loads(run("actions", "practices", "-w", str(demo), "--store", "--json"))
    again = json.loads(run("actions", "practices", "-w", str(demo), "--stored", "--json"))
    assert stored["run_id"] and again["run_id"] == stored["run_id"]
    assert again["flagged"] == stored["flagged"]
    text = " ".join(run("actions", "practices", "-w", str(demo), "--run", stored["run_id"]).split())
    assert f"run {stored['run_id']}" in text and "Practices" in text
    assert "Effects on the contacted customers (95% intervals)" in text


def test_practices_bad_input_gets_a_message(demo: Path) -> None:
    result = runner.invoke(
        app, ["actions", "practices", "-w", str(demo), "--min-contacted", "100000"]
    )
    assert result.exit_code == 8
    said = " ".join(result.output.split())
    assert "no practice could be assessed" in said and "too few contacted customers" in said
    result = runner.invoke(app, ["actions", "practices", "-w", str(demo), "--alpha", "2"])
    assert result.exit_code == 2 and "alpha=2.0" in result.output
    result = runner.invoke(app, ["actions", "practices", "-w", str(demo), "--stored", "--store"])
    assert result.exit_code == 2 and "drop --store" in " ".join(result.output.split())
