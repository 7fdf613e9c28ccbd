"""Header mapping onto canonical columns."""

from __future__ import annotations

import pytest

from emptychair.errors import MappingError
from emptychair.ingest.mapping import map_headers, parse_map_options
from emptychair.schema import TABLES

ORDERS = TABLES["orders"]


def test_french_headers_map_by_alias() -> None:
    mapping = map_headers(
        ["Num commande", "Client ID", "Date de commande", "Montant TTC", "Canal", "Remarque"],
        ORDERS,
    )
    assert mapping.columns == {
        "Num commande": "order_id",
        "Client ID": "customer_id",
        "Date de commande": "ordered_at",
        "Montant TTC": "amount",
        "Canal": "channel",
    }
    assert mapping.ignored == ["Remarque"]


def test_explicit_mapping_wins() -> None:
    mapping = map_headers(
        ["ref", "cli", "quand", "total", "prix"],
        ORDERS,
        {"ref": "order_id", "cli": "customer_id", "quand": "ordered_at", "prix": "amount"},
    )
    assert mapping.columns["prix"] == "amount"
    assert "total" in mapping.ignored


def test_missing_required_column_names_it_and_the_headers() -> None:
    with pytest.raises(MappingError) as error:
        map_headers(["order_id", "customer_id", "amount"], ORDERS, source="orders.csv")
    message = str(error.value)
    assert "orders.csv" in message and "ordered_at" in message
    assert "Headers found: order_id, customer_id, amount" in message
    assert "--map HEADER=ordered_at" in message


def test_two_headers_for_one_column_is_an_error() -> None:
    with pytest.raises(MappingError, match=r"both map to orders\.amount"):
        map_headers(["order_id", "customer_id", "date", "montant", "total"], ORDERS)


def test_explicit_mapping_to_unknown_column_or_header() -> None:
    with pytest.raises(MappingError, match="not a column of orders"):
        map_headers(["a"], ORDERS, {"a": "price_eur"})
    with pytest.raises(MappingError, match="not in the file"):
        map_headers(["a"], ORDERS, {"b": "amount"})


def test_map_options_syntax() -> None:
    assert parse_map_options(["montant = amount"]) == {"montant": "amount"}
    with pytest.raises(MappingError, match="expected SOURCE=TARGET"):
        parse_map_options(["montant"])


def test_every_alias_is_unique_within_a_table() -> None:
    from emptychair.schema import normalise_label

    for table in TABLES.values():
        seen: dict[str, str] = {}
        for column in table.columns:
            for label in (column.name, *column.aliases):
                key = normalise_label(label)
                assert seen.setdefault(key, column.name) == column.name, (table.name, label)
