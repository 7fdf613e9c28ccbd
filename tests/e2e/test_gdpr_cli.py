"""``emptychair gdpr`` and ``emptychair consent``, end to end through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from emptychair.privacy import read_export
from tests.e2e.test_cli import run
from tests.unit.privacy.conftest import FILES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    run("init", str(ws))
    for table, text in FILES.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        run("import", table, str(path), "-w", str(ws))
    return ws


def test_export_erase_receipts_and_suppression(folder: Path, tmp_path: Path) -> None:
    w = ["-w", str(folder)]
    out = json.loads(run("gdpr", "export", "C1", "--out", str(tmp_path / "a"), *w, "--json"))
    assert out["records"] == ["C1", "S1"] and out["rows"] == 12
    archive = read_export(out["archive"])
    assert set(archive["tables"]["orders"]["order_id"]) == {"O1", "O2", "O4"}
    csv = run("gdpr", "export", "C2", "--out", str(tmp_path / "b"), "--format", "csv", *w)
    assert "orders" in csv and "access-" in csv

    # without --yes the command asks, and a "no" changes nothing
    run("gdpr", "erase", "C1", *w, code=1, env={"TERM": "dumb"})
    receipt = json.loads(run("gdpr", "erase", "C1", "--yes", *w, "--json"))
    assert receipt["records"] == 2 and receipt["rows"] == 12
    assert "C1" not in json.dumps(receipt) and "dupont" not in json.dumps(receipt).lower()
    again = run("gdpr", "erase", "S1", "--yes", *w)
    assert "0 rows" in again and "nothing left to erase" in again

    receipts = json.loads(run("gdpr", "receipts", *w, "--json"))
    assert [r["rows"] for r in receipts] == [0, 12]
    mine = json.loads(run("gdpr", "receipts", "--customer", "C1", *w, "--json"))
    assert [r["receipt_id"] for r in mine] == [receipt["receipt_id"]]
    assert "Erasure receipts" in run("gdpr", "receipts", *w)

    counts = json.loads(run("gdpr", "suppressed", *w, "--json"))
    assert counts == {"customer_id": 2, "email": 1, "phone": 1}
    assert "customer_id" in run("gdpr", "suppressed", *w)
    missing = run("gdpr", "export", "C1", "--out", str(tmp_path / "c"), *w, code=6)
    assert "no data" in missing


def test_purge_is_a_dry_run_unless_applied(folder: Path) -> None:
    w = ["-w", str(folder), "--today", "2026-06-30"]
    dry = json.loads(run("gdpr", "purge", *w, "--json"))
    assert (dry["persons"], dry["dry_run"], dry["cut"]) == (2, True, "2023-06-30")
    assert "--apply" in run("gdpr", "purge", *w)
    applied = json.loads(run("gdpr", "purge", *w, "--apply", "--json"))
    assert applied["persons"] == 2 and applied["rows_erased"] > 0
    assert json.loads(run("gdpr", "purge", *w, "--years", "1", "--json"))["persons"] == 2
    assert "YYYY-MM-DD" in run("gdpr", "purge", "-w", str(folder), "--today", "June", code=2)


def test_restrict_and_consent(folder: Path) -> None:
    w = ["-w", str(folder)]
    change = json.loads(run("gdpr", "restrict", "C2", "--purpose", "marketing", *w, "--json"))
    assert change["restricted"] and change["purpose"] == "marketing"
    assert "lifted" in run("gdpr", "restrict", "C2", "--purpose", "marketing", "--lift", *w)
    run("gdpr", "restrict", "C3", "--purpose", "profiling", "--source", "letter", *w)
    flags = json.loads(run("gdpr", "restrictions", *w, "--json"))
    assert [(f["customer_id"], f["purpose"]) for f in flags] == [("C3", "profiling")]
    history = json.loads(run("gdpr", "restrictions", "--customer", "C2", *w, "--json"))
    assert [h["restricted"] for h in history] == [False, True]
    assert "'sales'" in run("gdpr", "restrict", "C2", "--purpose", "sales", *w, code=2)

    given = ["consent", "grant", "C2", "sms", "--source", "web form", "--wording", "v3"]
    run(*given, "--channel", "web", "--at", "2026-03-01T10:00", *w)
    out = run("consent", "withdraw", "C2", "sms", "--source", "reply STOP", *w)
    assert "withdrawn" in out
    current = json.loads(run("consent", "show", "C2", *w, "--json"))["consents"]
    sms = next(c for c in current if c["purpose"] == "sms")
    assert sms["granted"] is False and sms["source"] == "reply STOP"
    history = json.loads(run("consent", "show", "C2", "--history", *w, "--json"))["consents"]
    assert [h["wording_version"] for h in history if h["purpose"] == "sms"] == [None, "v3", None]
    assert "Current consents of C2" in run("consent", "show", "C2", *w)
    assert "newsletter" in run("consent", "grant", "C2", "newsletter", *w, code=2)


def test_pseudonymise(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "analysis"
    args = ["gdpr", "pseudonymise", "orders", "customers", "--out", str(out), "-w", str(folder)]
    written = json.loads(run(*args, "--json"))
    assert [t["rows"] for t in written["tables"]] == [4, 5]
    orders = pd.read_csv(out / "orders.csv")
    assert orders["customer_id"].str.startswith("p_").all()
    assert "Pseudonymised export" in run(*args)
