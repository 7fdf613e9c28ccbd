"""Each kind of bad input gets a clear message and leaves the workspace consistent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import ImportFileError, MappingError, StrictImportError, WorkspaceError

ORDERS_HEADER = "order_id,customer_id,ordered_at,amount,channel\n"
Writer = Callable[..., Path]


def problems(ws: Workspace) -> pd.DataFrame:
    return ws.to_pandas(ws.table("_quarantine")).sort_values(["row_number", "column_name"])


def test_empty_file(workspace: Workspace, write_file: Writer) -> None:
    with pytest.raises(ImportFileError, match=r"empty\.csv: the file is empty"):
        workspace.import_file("orders", write_file("empty.csv", ""))
    assert workspace.count("_batches") == 0


def test_header_only_loads_nothing(with_customers: Workspace, write_file: Writer) -> None:
    result = with_customers.import_file("orders", write_file("h.csv", ORDERS_HEADER))
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (0, 0, 0)
    assert with_customers.count("orders") == 0


def test_unknown_columns_are_reported_and_ignored(
    with_customers: Workspace, write_file: Writer
) -> None:
    path = write_file(
        "u.csv", "order_id,customer_id,ordered_at,amount,gift_wrap\nO1,C1,2024-01-02,10,yes\n"
    )
    result = with_customers.import_file("orders", path)
    assert result.rows_loaded == 1
    assert result.ignored_columns == ["gift_wrap"]
    assert any("gift_wrap" in note for note in result.notes)


def test_missing_required_column(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("m.csv", "order_id,customer_id,amount\nO1,C1,10\n")
    with pytest.raises(
        MappingError, match=r"m\.csv: missing required column\(s\) for orders: ordered_at"
    ):
        with_customers.import_file("orders", path)
    assert with_customers.count("orders") == 0


def test_wrong_types_negative_absurd_and_bad_dates_are_quarantined(
    with_customers: Workspace, write_file: Writer
) -> None:
    path = write_file(
        "bad.csv",
        ORDERS_HEADER
        + "O1,C1,2024-01-02,10,web\n"  # row 2: good
        + "O2,C1,2024-01-02,ten,web\n"  # row 3: not a number
        + "O3,C1,2024-01-02,-5,web\n"  # row 4: negative
        + "O4,C1,2024-01-02,5000000,web\n"  # row 5: absurd
        + "O5,C1,2099-01-01,10,web\n"  # row 6: future
        + "O6,C1,31/02/2024,10,web\n"  # row 7: unparseable
        + "O7,C1,2024-01-02,10,fax\n"  # row 8: unknown channel
        + "O8,C1,,10,web\n",  # row 9: missing date
    )
    result = with_customers.import_file("orders", path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (8, 1, 7)
    found = problems(with_customers)
    reasons = dict(zip(found["row_number"], found["reason"], strict=True))
    assert reasons[3] == "not a number"
    assert reasons[4].startswith("negative")
    assert reasons[5].startswith("implausibly large")
    assert reasons[6] == "in the future"
    assert reasons[7].startswith("not a valid date")
    assert reasons[8].startswith("not one of")
    assert reasons[9] == "missing required value"
    assert found.set_index("row_number").loc[3, "value"] == "ten"
    assert set(found["source_file"]) == {str(path)}
    assert with_customers.to_pandas(with_customers.table("orders"))["order_id"].tolist() == ["O1"]


def test_duplicate_keys_inside_one_file(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("d.csv", ORDERS_HEADER + "O1,C1,2024-01-02,10,web\nO1,C1,2024-01-03,12,web\n")
    result = with_customers.import_file("orders", path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert problems(with_customers)["reason"].tolist() == [
        "duplicate order_id: first seen on row 2"
    ]


def test_duplicate_keys_across_files_update_instead_of_duplicating(
    with_customers: Workspace, write_file: Writer
) -> None:
    first = write_file(
        "a.csv", ORDERS_HEADER + "O1,C1,2024-01-02,10,web\nO2,C1,2024-01-03,20,web\n"
    )
    second = write_file(
        "b.csv", ORDERS_HEADER + "O2,C1,2024-01-03,25,web\nO3,C2,2024-01-04,30,app\n"
    )
    with_customers.import_file("orders", first)
    result = with_customers.import_file("orders", second)
    assert (result.rows_loaded, result.rows_updated, result.rows_unchanged) == (1, 1, 0)
    orders = with_customers.to_pandas(with_customers.table("orders")).set_index("order_id")
    assert orders["amount"].to_dict() == {"O1": 10.0, "O2": 25.0, "O3": 30.0}


def test_orders_for_unknown_customers(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("x.csv", ORDERS_HEADER + "O1,C9,2024-01-02,10,web\nO2,C1,2024-01-02,10,web\n")
    result = with_customers.import_file("orders", path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert problems(with_customers)["reason"].iloc[0].startswith("unknown customer")


def test_create_missing_customers(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("x.csv", ORDERS_HEADER + "O1,C9,2024-01-02,10,web\n")
    result = with_customers.import_file("orders", path, create_missing_customers=True)
    assert (result.rows_loaded, result.customers_created) == (1, 1)
    customers = with_customers.to_pandas(with_customers.table("customers"))
    assert "C9" in customers["customer_id"].tolist()


def test_file_that_does_not_exist(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"nope\.csv: no such file"):
        workspace.import_file("orders", tmp_path / "nope.csv")


def test_spreadsheet_files_get_a_hint(workspace: Workspace, write_file: Writer) -> None:
    with pytest.raises(ImportFileError, match="save the sheet as"):
        workspace.import_file("orders", write_file("orders.xlsx", b"PK\x03\x04"))


def test_workspace_that_is_not_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="is not an Empty Chair workspace"):
        Workspace(tmp_path)
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace(tmp_path / "missing")


def test_unknown_table(workspace: Workspace, write_file: Writer) -> None:
    from emptychair.errors import UnknownTableError

    with pytest.raises(UnknownTableError, match="choose one of customers, orders"):
        workspace.import_file("order", write_file("o.csv", ORDERS_HEADER))


def test_strict_refuses_the_whole_file(with_customers: Workspace, write_file: Writer) -> None:
    path = write_file("s.csv", ORDERS_HEADER + "O1,C1,2024-01-02,10,web\nO2,C1,2024-01-02,-1,web\n")
    with pytest.raises(StrictImportError, match="1 of 2 rows are bad; nothing was loaded"):
        with_customers.import_file("orders", path, strict=True)
    assert with_customers.count("orders") == 0
    assert with_customers.count("_quarantine") == 0
    assert with_customers.count("_batches") == 1  # only the customers import


def test_lines_with_the_wrong_number_of_fields(
    with_customers: Workspace, write_file: Writer
) -> None:
    path = write_file(
        "r.csv",
        ORDERS_HEADER
        + "O1,C1,2024-01-02,10,web\n"
        + "O2,C1,2024-01-02,10,web,extra\n"
        + "O3,C1,2024-01-02\n"
        + "O4,C1,2024-01-02,10,web\n",
    )
    result = with_customers.import_file("orders", path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    found = problems(with_customers)
    assert found["row_number"].tolist() == [3, 4]
    assert found["reason"].str.startswith("unreadable line").all()
    loaded = with_customers.to_pandas(with_customers.table("orders"))
    assert sorted(loaded["order_id"]) == ["O1", "O4"]
    # row numbers after the rejected lines are still right
    bad = write_file(
        "r2.csv", ORDERS_HEADER + "O5,C1,2024-01-02,10,web,x\nO6,C1,2024-01-02,-1,web\n"
    )
    with_customers.import_file("orders", bad)
    found = problems(with_customers)
    assert found[found["source_file"] == str(bad)]["row_number"].tolist() == [2, 3]


def test_formula_cells_are_kept_as_data_and_escaped_on_export(
    with_customers: Workspace, write_file: Writer, tmp_path: Path
) -> None:
    from emptychair.ingest.retry import export_open_rows

    formula = '=HYPERLINK("http://example.com","click")'
    path = write_file(
        "f.csv",
        ORDERS_HEADER
        + "O1,C1,2024-01-02,10,web\n"
        + '"'
        + formula.replace('"', '""')
        + '",C1,2024-01-02,-1,web\n',
    )
    with_customers.import_file("orders", path)
    out = tmp_path / "quarantine.csv"
    export_open_rows(with_customers, "orders", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    exported = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert exported["order_id"].iloc[0] == "'" + formula
    assert exported["amount"].iloc[0] == "-1"  # plain negative numbers are not escaped
