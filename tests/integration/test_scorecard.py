"""The scorecard on the demo company: the planted fast team that resolves little is flagged,
its peers are not, and the run is stored; the same through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from emptychair import Workspace
from emptychair.demo.parameters import TEAMS
from emptychair.demo.service import DemoReport
from emptychair.scorecard import run_scorecard, scorecard
from emptychair.workspace.results import resolve_run, result_table
from tests.e2e.test_cli import run


@pytest.fixture(scope="module")
def workspace_copy(company: DemoReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("scorecard") / "ws"
    shutil.copytree(company.workspace, target)
    return target


def test_the_planted_team_is_flagged_and_its_peers_are_not(workspace_copy: Path) -> None:
    with Workspace(workspace_copy, read_only=True) as ws:
        card = scorecard(ws, "team")
    kpis = card.kpis.set_index("team")
    planted = {team.name: team for team in TEAMS}
    assert set(kpis.index) == set(planted)
    # Measured handle time follows the planted one (gamma draws around it).
    for name, team in planted.items():
        assert kpis.loc[name, "aht_s"] == pytest.approx(team.average_handle_time_s, rel=0.1)
    # The fastest phone team settles the fewest issues at first contact.
    phone = kpis[kpis["channel"] == "phone"]
    assert phone["aht_s"].idxmin() == "Express Relation"
    assert phone["fcr"].idxmin() == "Express Relation"
    peers = card.warnings[card.warnings["comparison"] == "peers"]
    assert set(peers["group"]) == {"Express Relation"}
    assert "fcr" in set(peers["kpi"])


def test_the_run_is_stored_by_team_and_channel(workspace_copy: Path) -> None:
    with Workspace(workspace_copy) as ws:
        run_id, cards = run_scorecard(ws)
        assert resolve_run(ws, "scorecard")["run_id"] == run_id
        stored = ws.to_pandas(result_table(ws, "scorecard_kpis", run_id))
        warnings = ws.to_pandas(result_table(ws, "scorecard_warnings", run_id))
    assert set(stored["grouping"]) == {"team", "channel"}
    assert set(stored.loc[stored["grouping"] == "channel", "group"]) >= {"phone", "email", "chat"}
    assert len(warnings) == sum(len(card.warnings) for card in cards.values())


def test_the_cli_shows_the_warning_in_both_languages(workspace_copy: Path) -> None:
    out = json.loads(run("scorecard", "show", "-w", str(workspace_copy), "--json"))
    assert {w["group"] for w in out["warnings"] if w["comparison"] == "peers"} == {
        "Express Relation"
    }
    french = run("scorecard", "show", "-w", str(workspace_copy), "--lang", "fr")
    assert "résolution au premier contact" in french
    bad = run("scorecard", "show", "-w", str(workspace_copy), "--agents", "CC Lille", code=2)
    assert "TEAM=COUNT" in bad
