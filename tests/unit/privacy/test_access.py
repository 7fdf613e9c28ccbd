"""Right of access on the small workspace: all and only the person's rows, in an archive."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.privacy import erase_person, export_person, person_data, read_export, restrict


def test_the_archive_holds_every_row_about_the_person(people: Workspace, tmp_path: Path) -> None:
    restrict(people, "S1", "marketing", source="letter")
    path = export_person(people, "C1", tmp_path / "out")
    assert "C1" not in path.name
    archive = read_export(path)
    manifest, tables = archive["manifest"], archive["tables"]
    assert manifest["customer_id"] == "C1" and manifest["records"] == ["C1", "S1"]
    counts = {t["table"]: t["rows"] for t in manifest["tables"]}
    assert counts == {
        "_customer_links": 2,
        "_quarantine": 1,
        "_quarantine_orders": 1,
        "_restrictions": 1,
        "complaints": 1,
        "consents": 1,
        "customers": 2,
        "feedback": 1,
        "orders": 3,
    }
    assert set(tables["orders"]["order_id"]) == {"O1", "O2", "O4"}
    assert tables["_quarantine_orders"]["order_id"].tolist() == ["O5"]
    assert tables["_quarantine"]["column_name"].tolist() == ["amount"]
    assert tables["feedback"]["text"].tolist() == ["Livraison en retard"]
    assert manifest["library_version"] and manifest["generated_at"]
    with zipfile.ZipFile(path) as handle:
        assert sorted(handle.namelist())[0] == "complaints.json"


def test_csv_archives_hold_the_same_rows(people: Workspace, tmp_path: Path) -> None:
    archive = read_export(export_person(people, "C2", tmp_path, fmt="csv"))
    tables = archive["tables"]
    assert archive["manifest"]["records"] == ["C2"]
    assert set(tables) == {"consents", "customers", "feedback", "interactions", "orders"}
    assert tables["consents"]["purpose"].tolist() == ["email", "sms"]


def test_nothing_to_export_is_an_error(people: Workspace, tmp_path: Path) -> None:
    erase_person(people, "C3")
    with pytest.raises(NotFoundError, match="no data"):
        person_data(people, "C3")
    with pytest.raises(InvalidParameterError, match="xml"):
        export_person(people, "C2", tmp_path, fmt="xml")
