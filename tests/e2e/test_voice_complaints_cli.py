"""``emptychair voice complaints`` and ``voice closed-loop``, end to end on a small company
whose numbers are known (see tests/unit/voice/test_complaints.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.cli.output import console
from tests.e2e.test_cli import run
from tests.unit.voice.test_complaints import build_workspace

AS_OF = "2024-06-30"


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("complaints-cli")
    build_workspace(folder).close()
    return folder / "ws"


def test_complaints_by_team_as_json(company: Path) -> None:
    rows = json.loads(
        run("voice", "complaints", "-w", str(company), "--by", "team", "--as-of", AS_OF, "--json")
    )
    assert [r["team"] for r in rows] == ["A", "B"]
    assert [r["complaints"] for r in rows] == [2, 5]
    team_a = rows[0]
    assert team_a["days_to_close_median"] == pytest.approx(3)  # 2 and 4 days
    assert team_a["reopened_share"] == pytest.approx(0.5)
    assert team_a["small_group"] is True


def test_complaints_table_for_people(company: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 160)  # a terminal wide enough for one line a row
    text = run("voice", "complaints", "-w", str(company), "--as-of", AS_OF)
    assert "Complaints by category as of 2024-06-30" in text
    for category in ("billing", "delivery", "refund"):
        assert category in text
    by_month = run("voice", "complaints", "-w", str(company), "--by", "month", "--by", "severity")
    assert "2024-03" in by_month and "critical" in by_month
    delivery = next(line for line in text.splitlines() if "delivery" in line)
    assert "67%" in delivery  # two of three acknowledged within 48 hours


def test_closed_loop_to_csv_and_json(company: Path, tmp_path: Path) -> None:
    output = tmp_path / "call-back.csv"
    rows = json.loads(
        run(
            "voice",
            "closed-loop",
            "-w",
            str(company),
            "--as-of",
            AS_OF,
            "--output",
            str(output),
            "--json",
        )
    )
    assert [r["case_id"] for r in rows] == ["K7", "F7", "K4"]
    assert [r["customer_id"] for r in rows] == ["C2", "C1", "C3"]
    written = pd.read_csv(output, encoding="utf-8-sig")
    assert written["case_id"].tolist() == ["K7", "F7", "K4"]
    assert written["days_waiting"].tolist() == pytest.approx([61, 30, 113])
    text = run("voice", "closed-loop", "-w", str(company), "--as-of", AS_OF, "--days", "7")
    assert "3 case(s) with no follow-up contact within 7 days" in text
    assert "anne@example.fr" not in text


def test_bad_options_say_what_is_wrong(company: Path) -> None:
    text = run("voice", "complaints", "-w", str(company), "--by", "colour", code=2)
    assert "'colour'" in text and "category, channel, severity, team, month" in text
    text = run("voice", "closed-loop", "-w", str(company), "--as-of", "31/06/2024", code=2)
    assert "YYYY-MM-DD" in text
    text = run("voice", "closed-loop", "-w", str(company), "--days", "0", code=2)
    assert "days must be a whole number" in text


def test_empty_workspace(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "empty").close()
    folder = str(tmp_path / "empty")
    assert "no complaint" in run("voice", "complaints", "-w", folder, "--as-of", AS_OF)
    assert "every case was followed up" in run(
        "voice", "closed-loop", "-w", folder, "--as-of", AS_OF
    )
    text = run("voice", "complaints", "-w", folder, code=8)
    assert "no complaint, feedback or interaction" in text
