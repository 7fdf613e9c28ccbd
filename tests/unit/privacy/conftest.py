"""A small workspace with every kind of row about a few people, written by hand."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emptychair import Workspace

Writer = Callable[..., Path]

CUSTOMERS = (
    "customer_id,created_at,country,language,email,phone,first_name,last_name\n"
    "C1,2021-01-05 10:00:00,FR,fr,helene.dupont@example.fr,06 12 34 56 78,Hélène,Dupont\n"
    "C2,2021-02-01 09:30:00,FR,fr,marc.martin@example.fr,+33 6 98 76 54 32,Marc,Martin\n"
    "C3,2020-03-15 14:00:00,GB,en,jane.smith@example.com,+44 20 7946 0958,Jane,Smith\n"
    "C4,2019-06-01 08:00:00,FR,fr,,,Paul,Durand\n"
    "S1,2022-01-01 12:00:00,FR,fr,HELENE.DUPONT@example.fr,,Hélène,Dupont\n"
)
ORDERS = (
    "order_id,customer_id,ordered_at,amount,channel\n"
    "O1,C1,2022-01-01 10:00:00,10.5,web\n"
    "O2,C1,2022-02-01 10:00:00,20,store\n"
    "O3,C2,2024-05-01 10:00:00,30,web\n"
    "O4,S1,2022-06-01 10:00:00,40,store\n"
    "O5,C1,2022-03-01 10:00:00,-5,web\n"
)
INTERACTIONS = (
    "interaction_id,customer_id,occurred_at,channel,direction\n"
    "I1,C3,2025-01-01 10:00:00,email,outbound\n"
    "I2,C2,2022-01-01 10:00:00,web,inbound\n"
)
FEEDBACK = (
    "feedback_id,customer_id,received_at,kind,score,text\n"
    "F1,C1,2022-01-05 10:00:00,nps,2,Livraison en retard\n"
    "F2,C2,2024-05-05 10:00:00,nps,9,Parfait\n"
)
COMPLAINTS = (
    "complaint_id,customer_id,opened_at,category,text\n"
    "K1,C1,2022-01-06 10:00:00,delivery,Colis perdu\n"
    "K2,C4,2023-07-01 10:00:00,billing,Erreur de facture\n"
)
CONSENTS = (
    "customer_id,purpose,granted,recorded_at,source\n"
    "C1,email,true,2021-01-05 10:00:00,signup\n"
    "C2,email,true,2021-02-01 09:30:00,signup\n"
    "C2,sms,false,2021-02-01 09:30:00,signup\n"
)
FILES = {
    "customers": CUSTOMERS,
    "orders": ORDERS,
    "interactions": INTERACTIONS,
    "feedback": FEEDBACK,
    "complaints": COMPLAINTS,
    "consents": CONSENTS,
}


@pytest.fixture(scope="session")
def people_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: C1 and S1 are one person (same e-mail, other case); O5 is quarantined."""
    root = tmp_path_factory.mktemp("people")
    with Workspace.init(root / "ws") as ws:
        for table, text in FILES.items():
            path = root / f"{table}.csv"
            path.write_text(text, encoding="utf-8")
            ws.import_file(table, path)
    return root / "ws"


@pytest.fixture
def people(people_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A fresh copy of the small workspace, open for writing."""
    folder = tmp_path / "people"
    shutil.copytree(people_template, folder)
    with Workspace(folder) as ws:
        yield ws
