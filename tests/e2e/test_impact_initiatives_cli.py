"""``emptychair impact initiative``, end to end on a small shop with a planted effect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from emptychair.cli import _Commands
from emptychair.cli.impact_initiatives import register_initiatives
from tests.e2e.test_cli import run as run_main
from tests.unit.impact.test_initiatives import CSAT_EFFECT, write_shop

app = typer.Typer(cls=_Commands)


@app.callback()
def _root() -> None:
    """Empty Chair command line (test entry point)."""


register_initiatives(app)
runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shop(tmp_path_factory.mktemp("initiatives-cli"))


def test_add_list_and_measure_on_their_own_group(shop: Path, tmp_path: Path) -> None:
    added = json.loads(
        run(
            "initiative", "add", "Callback promise", "--start", "2026-03-02", "--end",
            "2026-03-30", "--target", "country=FR", "--kpi", "csat", "--by", "Claire",
            "-w", str(shop), "--json",
        )
    )  # fmt: skip
    assert added["initiative_id"] == "callback-promise" and added["recorded_by"] == "Claire"
    listed = json.loads(run("initiative", "list", "-w", str(shop), "--json"))
    assert [i["initiative_id"] for i in listed] == ["callback-promise"]
    table = run("initiative", "list", "-w", str(shop))
    assert "Initiatives" in table and "csat" in table
    chart = tmp_path / "callback.json"
    measured = json.loads(
        run(
            "initiative", "measure", "callback-promise", "-w", str(shop), "--min-units", "20",
            "--lang", "fr", "--chart", str(chart), "--json",
        )
    )  # fmt: skip
    effect = measured["effect"]
    assert effect["low"] > 0 and abs(effect["estimate"] - CSAT_EFFECT) < 4 * effect["std_error"]
    assert measured["verdict"].startswith("L'initiative a augmenté le CSAT")
    assert measured["periods_before"] == measured["periods_after"] == 4
    assert {m["group"] for m in measured["means"]} == {"treated", "comparison"}
    assert json.loads(chart.read_text(encoding="utf-8"))["layer"][1]["mark"]["type"] == "rule"
    shown = " ".join(
        run(
            "initiative", "measure", "callback-promise", "-w", str(shop), "--min-units", "20"
        ).split()
    )
    assert "The initiative raised the CSAT" in shown and "Mean per group" in shown


def test_bad_input_gets_a_message_and_an_exit_code(shop: Path) -> None:
    out = run(
        "initiative", "add", "Happier", "--start", "2026-03-02", "--target", "country=FR",
        "--kpi", "happiness", "-w", str(shop), code=2,
    )  # fmt: skip
    assert "unknown KPI 'happiness'" in out
    out = run("initiative", "measure", "nothing", "-w", str(shop), code=6)
    assert "no initiative 'nothing'" in out
    run(
        "initiative", "add", "Everyone", "--start", "2026-03-02", "--target", "country=FR,GB",
        "--kpi", "csat", "--by", "Paul", "-w", str(shop),
    )  # fmt: skip
    out = run("initiative", "measure", "everyone", "-w", str(shop), code=8)
    assert "the comparison group is empty" in out
    out = run("initiative", "measure", "everyone", "-w", str(shop), "--lang", "de", code=2)
    assert "--lang 'de'" in out


def test_the_commands_are_under_emptychair_impact(shop: Path) -> None:
    run_main(
        "impact", "initiative", "add", "Bigger baskets", "--start", "2026-03-02",
        "--end", "2026-03-30", "--target", "country=FR", "--comparison", "country=GB",
        "--kpi", "revenue_per_customer", "--by", "Paul", "-w", str(shop),
    )  # fmt: skip
    measured = json.loads(
        run_main(
            "impact", "initiative", "measure", "bigger-baskets", "-w", str(shop),
            "--min-units", "20", "--json",
        )
    )  # fmt: skip
    assert measured["effect"]["low"] > 0
    assert measured["money"]["currency"] == "EUR"
    assert measured["money"]["estimate"] == pytest.approx(measured["effect"]["estimate"] * 80 * 4)
    assert "revenue_per_customer" in " ".join(
        json.dumps(i)
        for i in json.loads(run_main("impact", "initiative", "list", "-w", str(shop), "--json"))
    )
