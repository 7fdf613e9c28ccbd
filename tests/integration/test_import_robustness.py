"""Encodings, formats, idempotency, atomicity under crashes, streaming and locking."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import WorkspaceLockedError

Writer = Callable[..., Path]
FRENCH = (
    "Num commande;Client;Date de commande;Montant TTC;Devise;Canal\r\n"
    "CMD1;C1;03/01/2024 14:05;1 234,50;EUR;Magasin\r\n"
    "CMD2;C2;15/02/2024;49,90;€;Téléphone\r\n"
)


def orders(ws: Workspace) -> pd.DataFrame:
    return ws.to_pandas(ws.table("orders")).set_index("order_id").sort_index()


def test_excel_french_export_in_windows_1252(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("commandes.csv", FRENCH.replace("€", "EUR"), encoding="cp1252")
    result = with_customers.import_file("orders", path)
    assert result.rows_loaded == 2 and result.rows_quarantined == 0
    assert result.encoding in ("cp1252", "latin-1") and result.delimiter == ";"
    loaded = orders(with_customers)
    assert loaded.loc["CMD1", "amount"] == 1234.5
    assert loaded.loc["CMD1", "ordered_at"] == pd.Timestamp(2024, 1, 3, 14, 5)
    assert loaded["channel"].tolist() == ["store", "phone"]
    assert loaded["currency"].tolist() == ["EUR", "EUR"]


def test_utf8_with_byte_order_mark(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("bom.csv", "\ufeff" + FRENCH)
    result = with_customers.import_file("orders", path)
    assert result.rows_loaded == 2
    assert result.mapping["Num commande"] == "order_id"


def test_mixed_encodings_are_converted_line_by_line(
    with_customers: Workspace, write_file: Writer
) -> None:
    content = (
        b"customer_id,created_at,first_name,last_name\n"
        + "C10,2024-01-01,Zoé,Lefèvre\n".encode()
        + "C11,2024-01-02,Hélène,Bénard\n".encode("cp1252")
    )
    result = with_customers.import_file("customers", write_file("mixed.csv", content))
    assert result.encoding == "mixed" and result.rows_loaded == 2
    assert any("mixed encodings" in note for note in result.notes)
    names = with_customers.to_pandas(with_customers.table("customers")).set_index("customer_id")
    assert names.loc["C10", "last_name"] == "Lefèvre"
    assert names.loc["C11", "first_name"] == "Hélène"


def test_parquet_and_json_lines(with_customers: Workspace, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "order_id": ["P1", "P2", "P3"],
            "customer_id": ["C1", "C2", "C1"],
            "ordered_at": pd.to_datetime(["2024-01-01", "2024-01-02", "2099-01-01"]),
            "amount": [10.0, -1.0, 5.0],
        }
    )
    frame.to_parquet(tmp_path / "o.parquet")
    result = with_customers.import_file("orders", tmp_path / "o.parquet")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    rows = with_customers.to_pandas(with_customers.table("_quarantine"))["row_number"]
    assert sorted(rows) == [2, 3]  # Parquet rows are numbered from 1
    lines = [
        {
            "feedback_id": "F1",
            "customer_id": "C1",
            "received_at": "2024-03-01T10:00:00",
            "kind": "nps",
            "score": 9,
            "text": "Très bien",
        },
        {
            "feedback_id": "F2",
            "customer_id": "C2",
            "received_at": "2024-03-02T10:00:00",
            "kind": "csat",
            "score": 7,
            "text": None,
        },
    ]
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), "utf-8")
    result = with_customers.import_file("feedback", path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    problems = with_customers.to_pandas(with_customers.table("_quarantine"))
    assert "above the top of the scale (5)" in problems["reason"].tolist()


def test_same_file_twice_and_overlapping_files(
    with_customers: Workspace, write_file: Writer
) -> None:
    header = "order_id,customer_id,ordered_at,amount\n"
    first = write_file("a.csv", header + "O1,C1,2024-01-02,10\nO2,C1,2024-01-03,-1\n")
    one = with_customers.import_file("orders", first)
    two = with_customers.import_file("orders", first)
    assert (two.rows_loaded, two.rows_updated, two.rows_unchanged) == (0, 0, 1)
    assert two.rows_quarantined == 1 and two.previously_imported == one.batch_id
    assert with_customers.count("orders") == 1
    assert with_customers.count("_quarantine") == 1  # replaced, not duplicated
    overlap = write_file("b.csv", header + "O1,C1,2024-01-02,10\nO2,C1,2024-01-03,12\n")
    three = with_customers.import_file("orders", overlap)
    assert (three.rows_loaded, three.rows_unchanged) == (1, 1)
    assert with_customers.count("orders") == 2
    # the fixed O2 resolves the quarantined one from the first file
    assert with_customers.count("_quarantine") == 0
    batches = with_customers.batches()
    assert batches["library_version"].notna().all() and len(batches) == 4


def test_interrupt_before_commit_changes_nothing(
    with_customers: Workspace, write_file: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emptychair.ingest import quarantine

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(quarantine, "resolve_loaded", interrupted)
    path = write_file("o.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02,10\n")
    before = {name: with_customers.count(name) for name in ("orders", "_batches", "_quarantine")}
    with pytest.raises(KeyboardInterrupt):
        with_customers.import_file("orders", path)
    after = {name: with_customers.count(name) for name in ("orders", "_batches", "_quarantine")}
    assert after == before


CRASHING_IMPORT = textwrap.dedent(
    """
    import os, signal, sys
    from emptychair import Workspace
    from emptychair.ingest import quarantine

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # the process dies mid-transaction

    quarantine.resolve_loaded = die
    Workspace(sys.argv[1]).import_file("orders", sys.argv[2])
    """
)


def test_killed_process_leaves_the_workspace_as_it_was(
    with_customers: Workspace, write_file: Writer, tmp_path: Path
) -> None:
    path = write_file("o.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-02,10\n")
    folder = with_customers.path
    with_customers.close()
    script = tmp_path / "crash.py"
    script.write_text(CRASHING_IMPORT)
    done = subprocess.run([sys.executable, str(script), str(folder), str(path)], check=False)
    assert done.returncode == -signal.SIGKILL
    with Workspace(folder) as reopened:
        assert reopened.count("orders") == 0
        assert reopened.count("_batches") == 1
        assert reopened.count("customers") == 3


def test_large_file_is_streamed_not_loaded_into_python(
    with_customers: Workspace, tmp_path: Path
) -> None:
    import tracemalloc

    rows = 300_000
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write("order_id,customer_id,ordered_at,amount\n")
        for start in range(0, rows, 50_000):
            handle.writelines(
                f"O{i},C{i % 3 + 1},2024-01-02 10:00:00,{i % 500}.5\n"
                for i in range(start, start + 50_000)
            )
    tracemalloc.start()
    result = with_customers.import_file("orders", path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.rows_loaded == rows
    # Python-side allocations stay far below the file size (~12 MB): the rows never
    # become Python objects
    assert peak < 4_000_000, peak
    assert os.path.getsize(path) > 3 * peak


def test_second_writer_gets_a_clear_message(workspace: Workspace) -> None:
    script = (
        "import sys\nfrom emptychair import Workspace\nfrom emptychair.errors import "
        "WorkspaceLockedError\ntry:\n    Workspace(sys.argv[1])\nexcept WorkspaceLockedError "
        "as e:\n    print(e)\n    sys.exit(4)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(workspace.path)], capture_output=True, text=True
    )
    assert done.returncode == 4
    assert "held by another process" in done.stdout and f"PID {os.getpid()}" in done.stdout
    assert issubclass(WorkspaceLockedError, Exception)


def test_a_file_with_fewer_columns_keeps_the_others(
    with_customers: Workspace, write_file: Writer
) -> None:
    path = write_file("countries.csv", "customer_id,country\nC1,BE\n")
    result = with_customers.import_file("customers", path)
    assert (result.rows_updated, result.rows_loaded) == (1, 0)
    row = with_customers.to_pandas(with_customers.table("customers")).set_index("customer_id")
    assert row.loc["C1", "country"] == "BE"
    assert row.loc["C1", "email"] == "helene.dupont@example.fr"  # kept, not blanked
    again = with_customers.import_file("customers", path)
    assert again.rows_unchanged == 1


def test_unreadable_lines_of_personal_tables_are_masked_in_reports(
    workspace: Workspace, write_file: Writer
) -> None:
    path = write_file(
        "c.csv", "customer_id,email\nC1,a@example.fr\nC2,secret.person@example.fr,extra\n"
    )
    result = workspace.import_file("customers", path)
    report = result.error_report()
    assert result.rows_quarantined == 1
    assert "secret.person" not in report.to_string()
    assert "secret.person" not in str(result.to_dict())


def test_unknown_settings_section(tmp_path: Path) -> None:
    from emptychair.errors import WorkspaceError

    folder = tmp_path / "ws"
    Workspace.init(folder).close()
    with (folder / "emptychair.toml").open("a") as handle:
        handle.write("\n[engin]\nbackend = 'duckdb'\n")
    with pytest.raises(WorkspaceError, match=r"unknown setting section\(s\) engin"):
        Workspace(folder)
