"""Records sharing a normalised e-mail or phone become one customer; explain and unmerge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emptychair import Workspace
from emptychair.errors import IdentityError, NotFoundError
from emptychair.identity import explain, golden_id, member_ids, unmerge

SHOP = (
    "id_client;date_creation;courriel;telephone;prenom;nom\n"
    "B1;01/06/2024;  HELENE.DUPONT@EXAMPLE.FR ;;Hélène;Dupont\n"  # same e-mail as C1
    "B2;02/06/2024;marc@autre.fr;0698765432;Marc;Martin\n"  # same phone as C2
    "B3;03/06/2024;new@example.fr;;Nina;Nouveau\n"  # nobody
)


@pytest.fixture
def merged(with_customers: Workspace, write_file: Callable[..., Path]) -> Workspace:
    with_customers.import_file("customers", write_file("shop.csv", SHOP.encode("latin-1")))
    return with_customers


def test_records_with_the_same_email_or_phone_share_a_golden_id(merged: Workspace) -> None:
    assert golden_id(merged, "B1") == "C1"
    assert golden_id(merged, "B2") == "C2"
    assert golden_id(merged, "B3") == "B3"
    assert member_ids(merged, "C1") == ["C1", "B1"]


def test_explain_says_why_and_hides_personal_values(merged: Workspace) -> None:
    why = explain(merged, "B1")
    assert why["customer_id"].tolist() == ["C1", "B1"]
    assert set(why["rule"]) == {"same e-mail"}
    assert why.loc[why["customer_id"] == "B1", "linked_to"].item() == "C1"
    assert not why["email"].str.contains("dupont", case=False).any()
    phone = explain(merged, "C2")
    assert set(phone["rule"]) == {"same phone"}


def test_customer_360_gathers_every_record(
    merged: Workspace, write_file: Callable[..., Path]
) -> None:
    merged.import_file(
        "orders",
        write_file(
            "o.csv",
            "order_id,customer_id,ordered_at,amount,channel\n"
            "O1,C1,2024-01-02,10,web\nO2,B1,2024-07-01,20,store\n",
        ),
    )
    view = merged.customer("B1")
    assert view.customer_id == "C1"
    assert view.timeline["record_id"].tolist() == ["O2", "O1"]
    assert view.summary["orders"] == 2 and view.summary["total_spend"] == 30.0


def test_unmerge_is_remembered(merged: Workspace, write_file: Callable[..., Path]) -> None:
    batch = unmerge(merged, "B1")
    assert golden_id(merged, "B1") == "B1"
    assert golden_id(merged, "C1") == "C1"
    # a later import does not merge it again
    merged.import_file("customers", write_file("again.csv", SHOP.encode("latin-1")))
    assert golden_id(merged, "B1") == "B1"
    assert batch in merged.batches()["batch_id"].tolist()
    with pytest.raises(IdentityError, match="not merged with any other record"):
        unmerge(merged, "B1")


def test_unknown_customer(merged: Workspace) -> None:
    with pytest.raises(NotFoundError, match="no customer with id 'nobody'"):
        merged.customer("nobody")


def test_phone_normalisation() -> None:
    import ibis

    from emptychair.identity.resolution import normalised_phone

    phones = ibis.memtable(
        {"p": ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "12", "+44 20 7946 0958"]}
    )
    out = ibis.duckdb.connect().execute(phones.select(n=normalised_phone(phones["p"], "33")))
    assert out["n"].tolist()[:3] == ["33612345678"] * 3
    assert out["n"].isna().tolist()[3]
    assert out["n"].tolist()[4] == "442079460958"


def test_extra_composite_key_from_settings(
    with_customers: Workspace, write_file: Callable[..., Path]
) -> None:
    with_customers.settings.identity.match_on = ["email", "phone", "last_name+birth_date"]
    people = (
        "customer_id,last_name,birth_date\nK1,Durand,1980-04-02\nK2,DURAND,02/04/1980\nK3,Durand,\n"
    )
    with_customers.import_file("customers", write_file("k.csv", people))
    assert golden_id(with_customers, "K2") == golden_id(with_customers, "K1")
    assert golden_id(with_customers, "K3") == "K3"  # a missing part never matches
    why = explain(with_customers, "K1")
    assert set(why["rule"]) == {"same last_name+birth_date"}
