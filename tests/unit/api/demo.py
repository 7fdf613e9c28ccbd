"""A small demo company served by the API tests, built once per test run.

Kept on disk under pytest's base temporary folder so that the unit and end-to-end API
tests share one build; each test module that writes copies it first.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emptychair import Workspace
from emptychair.accounts import add_account, disable_account
from emptychair.api.app import create_app
from emptychair.demo.service import build_demo
from emptychair.identity import golden_id, member_ids
from tests.integration.conftest import END

DEMO_CUSTOMERS = 1_500


@dataclass(frozen=True)
class Tokens:
    """One token per role, and the token of a disabled account."""

    admin: str
    analyst: str
    viewer: str
    disabled: str

    def of(self, who: str) -> dict[str, str]:
        """The ``Authorization`` header of ``who`` (a role, ``disabled``, or ``none``)."""
        if who == "none":
            return {}
        return {"Authorization": f"Bearer {getattr(self, who)}"}


@dataclass(frozen=True)
class ServedDemo:
    """A copy of the demo workspace with accounts, its example customer and its tokens."""

    workspace: Path
    example_customer: str
    tokens: Tokens
    #: The example customer's e-mails, phones and names (to check they never leak).
    secrets: tuple[str, ...]


def demo_folder(factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The shared demo workspace (built on first use) and its example customer."""
    folder = factory.getbasetemp() / "api-demo"
    marker = folder / "example_customer.txt"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        report = build_demo(folder / "ws", customers=DEMO_CUSTOMERS, seed=3, end=END)
        marker.write_text(report.example_customer, encoding="utf-8")
    return folder / "ws", marker.read_text(encoding="utf-8")


def served_copy(factory: pytest.TempPathFactory, name: str) -> ServedDemo:
    """A private copy of the demo workspace with an admin, analyst, viewer and disabled user."""
    source, example = demo_folder(factory)
    target = factory.mktemp(name) / "ws"
    shutil.copytree(source, target)
    with Workspace(target) as workspace:
        tokens = Tokens(
            admin=add_account(workspace, "ada", "admin")[1],
            analyst=add_account(workspace, "alan", "analyst")[1],
            viewer=add_account(workspace, "vera", "viewer")[1],
            disabled=add_account(workspace, "gone", "analyst")[1],
        )
        disable_account(workspace, "gone")
        secrets = personal_values(workspace, example)
    return ServedDemo(target, example, tokens, secrets)


@contextmanager
def api_client(served: ServedDemo, **options: object) -> Iterator[TestClient]:
    """An in-process client of the API over ``served`` (the app closes on exit)."""
    with TestClient(create_app(served.workspace, **options)) as client:  # type: ignore[arg-type]
        yield client


def personal_values(workspace: Workspace, customer_id: str) -> tuple[str, ...]:
    """The e-mails, phones and names of every record of a customer."""
    records = member_ids(workspace, golden_id(workspace, customer_id))
    customers = workspace.table("customers")
    rows = workspace.to_pandas(
        customers.filter(customers["customer_id"].isin(records)).select(
            "email", "phone", "first_name", "last_name"
        )
    )
    values = {str(v) for v in rows.to_numpy().ravel() if v is not None and str(v) != "nan"}
    return tuple(sorted(values))
