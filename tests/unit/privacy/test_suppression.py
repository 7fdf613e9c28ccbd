"""The suppression list keeps erased persons out of later imports, and only them."""

from __future__ import annotations

from pathlib import Path

from emptychair import Workspace
from emptychair.privacy import erase_person, is_suppressed, suppressed_rows, suppression_summary
from tests.unit.privacy.conftest import CUSTOMERS, ORDERS


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_erased_person_is_not_imported_again(people: Workspace, tmp_path: Path) -> None:
    erase_person(people, "C1")
    # C1 and S1 (one person): ids, both e-mails (one case), one phone
    assert suppression_summary(people) == {"customer_id": 2, "email": 1, "phone": 1}
    again = people.import_file("customers", _write(tmp_path, "c.csv", CUSTOMERS))
    assert suppressed_rows(again) == again.rows_suppressed == 2
    assert (again.rows_read, again.rows_unchanged, again.rows_loaded) == (3, 3, 0)
    orders = people.import_file("orders", _write(tmp_path, "o.csv", ORDERS))
    # O1, O2, O5 (C1) and O4 (S1) are skipped, not quarantined; O3 (C2) is unchanged
    assert suppressed_rows(orders) == 4
    assert (orders.rows_read, orders.rows_unchanged, orders.rows_quarantined) == (1, 1, 0)
    assert people.count("_quarantine") == 0
    assert any("4 row(s) suppressed" in note for note in orders.notes)


def test_a_new_record_with_their_e_mail_or_phone_is_suppressed(
    people: Workspace, tmp_path: Path
) -> None:
    erase_person(people, "C1")
    text = (
        "customer_id,email,phone,first_name\n"
        "N1, Helene.Dupont@Example.fr ,,H\n"  # the e-mail, other case and spaces
        "N2,,+33 6 12 34 56 78,H\n"  # the phone, international form
        "N3,new.person@example.fr,06 00 00 00 01,N\n"
    )
    result = people.import_file("customers", _write(tmp_path, "n.csv", text))
    assert suppressed_rows(result) == 2 and result.rows_loaded == 1
    stored = set(people.to_pandas(people.table("customers"))["customer_id"])
    assert "N3" in stored and not {"N1", "N2"} & stored
    assert is_suppressed(people, "C1") and is_suppressed(people, " S1 ")
    assert is_suppressed(people, "HELENE.DUPONT@example.fr", "email")
    assert is_suppressed(people, "0612345678", "phone")
    assert not is_suppressed(people, "C2")


def test_without_erasures_imports_are_untouched(people: Workspace, tmp_path: Path) -> None:
    result = people.import_file("orders", _write(tmp_path, "o.csv", ORDERS))
    assert suppressed_rows(result) == 0 and result.rows_unchanged == 4
    assert not is_suppressed(people, "C1")
    assert suppression_summary(people) == {"customer_id": 0, "email": 0, "phone": 0}
