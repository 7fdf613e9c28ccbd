"""The command line, end to end, in process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emptychair.cli import app
from tests.conftest import CUSTOMERS_CSV

runner = CliRunner()
Writer = Callable[..., Path]


def run(*args: str, code: int = 0, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def folder(tmp_path: Path, write_file: Writer) -> Path:
    ws = tmp_path / "ws"
    run("init", str(ws))
    run("import", "customers", str(write_file("c.csv", CUSTOMERS_CSV)), "-w", str(ws))
    return ws


def test_import_json_reports_the_counts(folder: Path, write_file: Writer) -> None:
    path = write_file(
        "o.csv",
        "montant;client_id;num_commande;date_commande\n12,5;C1;O1;03/01/2024\n-1;C1;O2;04/01/2024\n",
    )
    out = json.loads(run("import", "orders", str(path), "-w", str(folder), "--json"))
    for key in ("rows_read", "rows_loaded", "rows_updated", "rows_unchanged", "rows_quarantined"):
        assert key in out
    assert (out["rows_read"], out["rows_loaded"], out["rows_quarantined"]) == (2, 1, 1)
    assert out["errors"][0]["row"] == 3 and out["errors"][0]["column"] == "amount"
    again = json.loads(run("import", "orders", str(path), "-w", str(folder), "--json"))
    assert again["rows_unchanged"] == 1 and again["previously_imported"] == out["batch_id"]


def test_human_summary_and_map_option(folder: Path, write_file: Writer) -> None:
    path = write_file("o.csv", "ref,who,when,price\nO1,C1,2024-01-02,10\n")
    out = run(
        "import",
        "orders",
        str(path),
        "-w",
        str(folder),
        "--map",
        "ref=order_id",
        "--map",
        "who=customer_id",
        "--map",
        "when=ordered_at",
        "--map",
        "price=amount",
    )
    assert "loaded (new)" in out and "rows/s" in out


def test_errors_exit_with_a_message_and_code(
    folder: Path, tmp_path: Path, write_file: Writer
) -> None:
    out = run("import", "orders", str(tmp_path / "missing.csv"), "-w", str(folder), code=5)
    assert "no such file" in out
    out = run("import", "orders", str(write_file("e.csv", "")), "-w", str(folder), code=5)
    assert "the file is empty" in out
    out = run("status", "-w", str(tmp_path), code=3)
    assert "is not an Empty Chair workspace" in out
    out = run("import", "nonsense", str(write_file("x.csv", "a\n1\n")), "-w", str(folder), code=2)
    assert "unknown table" in out
    bad = write_file("s.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02,-3\n")
    out = run("import", "orders", str(bad), "-w", str(folder), "--strict", code=5)
    assert "--strict refused the file" in out
    out = run("customer", "show", "NOPE", "-w", str(folder), code=6)
    assert "no customer with id 'NOPE'" in out


def test_workspace_from_environment(folder: Path) -> None:
    out = json.loads(run("status", "--json", env={"EMPTYCHAIR_WORKSPACE": str(folder)}))
    assert out["customers"] == 3


def test_quarantine_round_trip(folder: Path, write_file: Writer, tmp_path: Path) -> None:
    path = write_file(
        "o.csv",
        "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02,10\nO2,C1,2024-01-03,-4\nO3,C9,2024-01-03,4\n",
    )
    run("import", "orders", str(path), "-w", str(folder))
    listed = json.loads(run("quarantine", "list", "-w", str(folder), "--json"))
    assert listed[0]["rows"] == 2
    shown = json.loads(run("quarantine", "show", "orders", "-w", str(folder), "--json"))
    assert [p["row"] for p in shown] == [3, 4]
    fixes = tmp_path / "fix.csv"
    run("quarantine", "export", "orders", str(fixes), "-w", str(folder))
    fixes.write_text(fixes.read_text(encoding="utf-8-sig").replace(",-4,", ",4,"), "utf-8")
    results = json.loads(
        run("quarantine", "retry", "orders", "--file", str(fixes), "-w", str(folder), "--json")
    )
    assert results[0]["rows_loaded"] == 1 and results[0]["rows_quarantined"] == 1
    retried = json.loads(
        run(
            "quarantine",
            "retry",
            "orders",
            "--create-missing-customers",
            "-w",
            str(folder),
            "--json",
        )
    )
    assert retried[0]["rows_loaded"] == 1 and retried[0]["customers_created"] == 1
    assert json.loads(run("quarantine", "list", "-w", str(folder), "--json")) == []


def test_customer_show_search_and_identity(folder: Path, write_file: Writer) -> None:
    shop = write_file("shop.csv", "id_client;courriel\nB1;Helene.Dupont@example.fr\n")
    run("import", "customers", str(shop), "-w", str(folder))
    orders = write_file("o.csv", "order_id,customer_id,ordered_at,amount\nO1,B1,2024-05-01,10\n")
    run("import", "orders", str(orders), "-w", str(folder))
    view = json.loads(run("customer", "show", "B1", "-w", str(folder), "--json"))
    assert view["customer_id"] == "C1" and view["records"] == ["C1", "B1"]
    assert view["timeline"][0]["record_id"] == "O1"
    masked = run("customer", "show", "C1", "-w", str(folder), "--mask")
    assert "dupont" not in masked.lower() and "Timeline" in masked
    found = json.loads(run("customer", "search", "hélène", "-w", str(folder), "--json"))
    assert sorted(f["customer_id"] for f in found) == ["B1", "C1"]
    assert {f["golden_id"] for f in found} == {"C1"}
    why = json.loads(run("identity", "explain", "C1", "-w", str(folder), "--json"))
    assert {w["rule"] for w in why} == {"same e-mail"}
    run("identity", "unmerge", "B1", "-w", str(folder))
    resolved = json.loads(run("identity", "resolve", "-w", str(folder), "--json"))
    assert resolved["linked_records"] == 0
    batches = json.loads(run("batches", "-w", str(folder), "--json"))
    assert {b["kind"] for b in batches} >= {"import", "unmerge"}


def test_demo_command(tmp_path: Path) -> None:
    out = json.loads(run("demo", str(tmp_path / "demo"), "--customers", "300", "--json"))
    assert out["tables"]["customers"] > 300 and out["tables"]["orders"] > 0
    assert out["example_customer"]
    assert Path(out["truth"], "parameters.json").exists()


def test_every_command_that_prints_a_table_takes_json() -> None:
    import typer

    root = typer.main.get_command(app)
    missing = []

    def walk(command: object, path: str) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, f"{path} {name}".strip())
            return
        options = {o for p in getattr(command, "params", []) for o in getattr(p, "opts", [])}
        if "--json" not in options and path not in {"quarantine export", "serve"}:
            missing.append(path)

    walk(root, "")
    assert missing == []


def test_retry_reads_a_fixed_file_saved_by_french_excel(
    folder: Path, write_file: Writer, tmp_path: Path
) -> None:
    path = write_file("o.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02,-4\n")
    run("import", "orders", str(path), "-w", str(folder))
    fixes = tmp_path / "fix.csv"
    run("quarantine", "export", "orders", str(fixes), "-w", str(folder))
    text = fixes.read_text(encoding="utf-8-sig").replace(",-4,", ",4,").replace(",", ";")
    fixes.write_bytes(text.replace("O1", "O1é").encode("cp1252"))
    results = json.loads(
        run("quarantine", "retry", "orders", "--file", str(fixes), "-w", str(folder), "--json")
    )
    assert results[0]["rows_loaded"] == 1 and results[0]["seconds"] > 0
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    out = run("quarantine", "retry", "orders", "--file", str(empty), "-w", str(folder), code=5)
    assert "the file is empty" in out


def test_quarantine_dismiss(folder: Path, write_file: Writer) -> None:
    path = write_file("o.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02,-4\n")
    batch = json.loads(run("import", "orders", str(path), "-w", str(folder), "--json"))["batch_id"]
    done = json.loads(run("quarantine", "dismiss", batch, "-w", str(folder), "--json"))
    assert done["rows_dismissed"] == 1
    assert json.loads(run("quarantine", "list", "-w", str(folder), "--json")) == []
    out = run("quarantine", "dismiss", batch, "-w", str(folder), code=6)
    assert "no open quarantined problems" in out


def test_demo_refuses_too_few_customers(tmp_path: Path) -> None:
    out = run("demo", str(tmp_path / "tiny"), "--customers", "10", code=2)
    assert "at least 100 customers" in out
    assert not (tmp_path / "tiny").exists()


def test_search_can_mask(folder: Path) -> None:
    found = json.loads(run("customer", "search", "dupont", "-w", str(folder), "--mask", "--json"))
    assert found[0]["customer_id"] == "C1"
    assert "dupont" not in json.dumps(found).lower()
