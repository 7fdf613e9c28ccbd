"""The 360 view: profile, consents and one timeline across channels; search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ibis
import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.customers import Customer360
from emptychair.customers.service import (
    CONSENTS_QUERY,
    IDENTITY_QUERY,
    PROFILE_QUERY,
    TIMELINE_QUERY,
)
from emptychair.demo.service import DemoReport
from emptychair.errors import NotFoundError, WorkspaceError
from emptychair.identity import golden_id, member_ids
from emptychair.workspace import Engine, QueryTemplate
from emptychair.workspace.engine import DuckDBEngine
from tests.conftest import CUSTOMERS_CSV


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("busy")

    def write_file(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    ws = Workspace.init(folder / "ws")
    ws.import_file("customers", write_file("customers.csv", CUSTOMERS_CSV))
    ws.import_file(
        "orders",
        write_file(
            "o.csv",
            "order_id,customer_id,ordered_at,amount,channel\n"
            "O1,C1,2024-01-02 10:00,10,web\nO2,C1,2024-03-01 09:00,35,store\n"
            "O3,C2,2024-01-05,5,app\n",
        ),
    )
    ws.import_file(
        "interactions",
        write_file(
            "i.csv",
            "interaction_id,customer_id,occurred_at,channel,touchpoint,reason,outcome\n"
            "I1,C1,2024-01-03 08:00,phone,call,delivery,unresolved\n"
            "I2,C1,2024-01-04 08:00,phone,call,delivery,resolved\n"
            "I3,,2024-01-04 09:00,web,visit,,\n",
        ),
    )
    ws.import_file(
        "feedback",
        write_file(
            "f.csv",
            "feedback_id,customer_id,received_at,kind,score,text\n"
            "F1,C1,2024-01-05,nps,4,Livraison en retard\n"
            "F2,C1,2024-03-02,csat,5,Parfait\n",
        ),
    )
    ws.import_file(
        "complaints",
        write_file(
            "c.csv",
            "complaint_id,customer_id,opened_at,acknowledged_at,status,category\n"
            "K1,C1,2024-01-04 12:00,2024-01-04 15:00,acknowledged,delivery\n",
        ),
    )
    ws.import_file(
        "consents",
        write_file(
            "k.csv",
            "customer_id,purpose,granted,recorded_at\n"
            "C1,email,oui,2023-01-05\nC1,email,non,2024-02-01\nC1,sms,oui,2023-01-05\n",
        ),
    )
    yield ws
    ws.close()


def test_timeline_is_every_event_newest_first(busy: Workspace) -> None:
    view = busy.customer("C1")
    assert view.timeline["record_id"].tolist() == ["F2", "O2", "F1", "K1", "I2", "I1", "O1"]
    assert set(view.timeline["channel"].dropna()) == {"web", "store", "phone"}
    assert view.summary["orders"] == 2
    assert view.summary["open_complaints"] == 1
    assert view.summary["last_nps"] == 4 and view.summary["last_csat"] == 5


def test_current_consent_is_the_latest(busy: Workspace) -> None:
    consents = busy.customer("C1").consents.set_index("purpose")["granted"].to_dict()
    assert consents == {"email": False, "sms": True}


def test_profile_and_masking(busy: Workspace) -> None:
    view = busy.customer("C1")
    assert view.profile["email"] == "helene.dupont@example.fr"
    masked = view.masked()
    assert "dupont" not in str(masked.profile).lower()
    assert masked.profile["country"] == "FR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("helene", ["C1"]),
        ("DUPONT", ["C1"]),
        ("example.com", ["C3"]),
        ("c2", ["C2"]),
        ("06 98 76 54 32", ["C2"]),
        ("nobody", []),
        ("hel\x00ene", ["C1"]),  # a NUL byte (from a URL) is left out, not sent to the engine
        ("o'brien \"x", []),
    ],
)
def test_search(busy: Workspace, text: str, expected: list[str]) -> None:
    found = busy.search_customers(text)
    assert (found["customer_id"].tolist() if len(found) else []) == expected


def _same_view(first: Customer360, second: Customer360) -> None:
    assert (first.customer_id, first.records, first.profile) == (
        second.customer_id,
        second.records,
        second.profile,
    )
    assert first.summary == second.summary
    pd.testing.assert_frame_equal(first.timeline, second.timeline)
    pd.testing.assert_frame_equal(first.consents, second.consents)


def test_the_compiled_queries_answer_as_the_ibis_expressions(
    company: DemoReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On DuckDB the 360 runs compiled SQL with the ids bound; other engines (Spark) run
    the Ibis expressions: both give the same view, from any record of the person."""
    with Workspace(company.workspace, read_only=True) as ws:
        links = ws.to_pandas(ws.table("_customer_links"))
        linked = links[links["customer_id"] != links["golden_id"]].head(15)
        assert len(linked)
        ids = ws.to_pandas(ws.table("customers").select("customer_id").limit(15))
        wanted = [*linked["customer_id"], *linked["golden_id"], *ids["customer_id"]]
        compiled = {i: ws.customer(i) for i in wanted}
        assert set(ws.engine.prepared._compiled) == {
            IDENTITY_QUERY,
            PROFILE_QUERY,
            TIMELINE_QUERY,
            CONSENTS_QUERY,
        }
        monkeypatch.setattr(DuckDBEngine, "run_prepared", Engine.run_prepared)
        monkeypatch.setattr(DuckDBEngine, "run_prepared_rows", Engine.run_prepared_rows)
        for customer_id, view in compiled.items():
            _same_view(view, ws.customer(customer_id))
            golden = golden_id(ws, customer_id)
            assert view.customer_id == golden
            assert view.records == member_ids(ws, golden)
            assert len(view.records) > 1 or customer_id in set(ids["customer_id"])


def test_ids_are_bound_as_values_never_read_as_sql(busy: Workspace) -> None:
    for odd in ("C1' OR '1'='1", "$record", "C1; DROP TABLE orders", "é\u200b"):
        with pytest.raises(NotFoundError, match="no customer with id"):
            busy.customer(odd)
    assert busy.count("orders") == 3
    assert busy.customer("C1").records == ["C1"]


def test_a_prepared_query_takes_exactly_its_parameters(busy: Workspace) -> None:
    def build(workspace: Workspace) -> QueryTemplate:
        wanted = ibis.param("string")
        orders = workspace.table("orders")
        return QueryTemplate(orders.filter(orders["customer_id"] == wanted), {"customer": wanted})

    found = busy.run_prepared("test.orders-of", build, customer="C1")
    assert sorted(found["order_id"]) == ["O1", "O2"]
    assert busy.run_prepared_rows("test.orders-of", build, customer="C2")[0]["order_id"] == "O3"
    with pytest.raises(WorkspaceError, match="takes the values"):
        busy.run_prepared("test.orders-of", build, client="C1")

    def by_amount(workspace: Workspace) -> QueryTemplate:
        least = ibis.param("float64")
        orders = workspace.table("orders")
        return QueryTemplate(orders.filter(orders["amount"] > least), {"least": least})

    with pytest.raises(WorkspaceError, match="only string and list-of-string"):
        busy.run_prepared("test.orders-over", by_amount, least=10.0)
