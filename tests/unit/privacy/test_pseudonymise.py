"""Pseudonymised exports: no raw id, no personal column, tokens that join across tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.privacy import identify_tokens, pseudonym, pseudonymise_tables, restrict

IDS = ("C1", "C2", "C3", "C4", "S1")


def test_tokens_replace_ids_consistently_across_tables(people: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "export"
    export = pseudonymise_tables(people, ["customers", "orders", "feedback"], out)
    customers = pd.read_csv(export.files["customers"])
    orders = pd.read_csv(export.files["orders"])
    feedback = pd.read_csv(export.files["feedback"])
    assert not {"email", "phone", "first_name", "last_name", "birth_date"} & set(customers.columns)
    assert "text" not in feedback.columns and export.dropped["feedback"] == ["text"]
    # the same person has the same token in every table, and it joins
    assert set(orders["customer_id"]) <= set(customers["customer_id"])
    assert orders.set_index("order_id").loc["O3", "customer_id"] == pseudonym(people, "C2")
    assert feedback.set_index("feedback_id").loc["F2", "customer_id"] == pseudonym(people, "C2")
    for path in out.glob("*.csv"):
        cells = set(pd.read_csv(path, dtype=str).stack())
        assert not cells & set(IDS), path.name
        text = path.read_text(encoding="utf-8").lower()
        assert not [raw for raw in ("dupont", "example.fr", "12 34 56", "hélène") if raw in text]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [t["rows"] for t in manifest["tables"]] == [5, 4, 2]
    assert not any(path.name.endswith(".key") for path in out.iterdir())


def test_tokens_are_keyed_by_the_workspace_secret(people: Workspace, tmp_path: Path) -> None:
    token = pseudonym(people, "C1")
    assert len(token) == 34 and token == pseudonym(people, "C1") != pseudonym(people, "C2")
    found = identify_tokens(people, [token, "p_unknown"])["customer_id"]
    assert found.iloc[0] == "C1" and pd.isna(found.iloc[1])
    other = Workspace.init(tmp_path / "other")
    try:
        assert pseudonym(other, "C1") != token
    finally:
        other.close()
    copy = tmp_path / "copy"
    shutil.copytree(people.path, copy, ignore=shutil.ignore_patterns("*.duckdb*"))
    assert (copy / ".emptychair-privacy.key").exists()


def test_restricted_persons_are_left_out(people: Workspace, tmp_path: Path) -> None:
    restrict(people, "C2", "processing", source="letter")
    export = pseudonymise_tables(people, ["orders"], tmp_path / "out", fmt="parquet")
    orders = pd.read_parquet(export.files["orders"])
    assert set(orders["order_id"]) == {"O1", "O2", "O4"} and export.restricted_rows == 1


def test_bad_requests_name_the_problem(people: Workspace, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        pseudonymise_tables(people, ["orders", "nope"], tmp_path)
    with pytest.raises(NotFoundError, match="_suppression"):
        pseudonymise_tables(people, ["_suppression"], tmp_path)
    with pytest.raises(InvalidParameterError, match="xlsx"):
        pseudonymise_tables(people, ["orders"], tmp_path, fmt="xlsx")
