"""Erasure and access on a copy of the demo company, with its value, voice and journeys runs.

One demo customer with orders, verbatims, complaints and a quarantined order is
exported, then erased; afterwards no table, result, export or log line may hold
their ids, e-mail, phone or name, and re-importing the demo files must not bring
them back while everyone else's rows are still there.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.demo.service import DATA_FOLDER, DemoReport
from emptychair.errors import NotFoundError
from emptychair.ingest.result import ImportResult
from emptychair.privacy import (
    ErasureReceipt,
    erase_person,
    erasure_receipts,
    export_person,
    pseudonym,
    pseudonymise_tables,
    read_export,
    suppressed_rows,
)
from emptychair.workspace.results import runs

EVENT_TABLES = {
    "orders": "order_id",
    "interactions": "interaction_id",
    "feedback": "feedback_id",
    "complaints": "complaint_id",
}


@dataclass
class Erased:
    """What happened to the copy of the demo workspace, step by step."""

    folder: Path
    subject: str
    records: list[str]
    personal: list[str]
    truth: dict[str, pd.DataFrame]
    archive: dict[str, Any]
    receipt: ErasureReceipt
    second: ErasureReceipt
    seconds: float
    totals_before: dict[str, int]
    reimports: list[ImportResult] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)


def _sql(ws: Workspace, query: str, *params: Any) -> pd.DataFrame:
    return ws.engine.raw.execute(query, list(params)).df()


def _all_tables(ws: Workspace) -> list[str]:
    frame = _sql(ws, "SELECT table_name FROM duckdb_tables() WHERE NOT temporary")
    return sorted(frame["table_name"])


def _pick_subject(ws: Workspace) -> str:
    """A customer with a quarantined order, complaints and verbatims: the most of them."""
    found = _sql(
        ws,
        """
        SELECT q.customer_id,
               (SELECT count(*) FROM complaints c WHERE c.customer_id = q.customer_id) AS k,
               (SELECT count(*) FROM feedback f
                 WHERE f.customer_id = q.customer_id AND f.text IS NOT NULL) AS v,
               (SELECT count(*) FROM orders o WHERE o.customer_id = q.customer_id) AS o
        FROM _quarantine_orders q JOIN customers USING (customer_id)
        ORDER BY k DESC, v DESC, o DESC, q.customer_id LIMIT 1
        """,
    ).iloc[0]
    assert found["k"] > 0 and found["v"] > 0 and found["o"] > 0
    return str(found["customer_id"])


def _truth(ws: Workspace, records: list[str]) -> dict[str, pd.DataFrame]:
    """The person's rows by direct queries: every table with a customer id, and the
    result tables keyed by one of their events."""
    truth = {}
    marks = ", ".join("?" for _ in records)
    keys: dict[str, list[str]] = {}
    for table, key in EVENT_TABLES.items():
        rows = _sql(ws, f"SELECT {key} FROM {table} WHERE customer_id IN ({marks})", *records)
        keys[key] = rows[key].tolist()
    for table in _all_tables(ws):
        columns = set(ws.engine.table(table).columns)
        conditions = []
        params: list[str] = []
        if "customer_id" in columns:
            conditions.append(f"trim(customer_id) IN ({marks})")
            params += records
        for key in set(EVENT_TABLES.values()) & columns:
            if table not in EVENT_TABLES and keys[key]:
                conditions.append(f"{key} IN ({', '.join('?' for _ in keys[key])})")
                params += keys[key]
        if conditions:
            rows = _sql(ws, f'SELECT * FROM "{table}" WHERE {" OR ".join(conditions)}', *params)
            if len(rows):
                truth[table] = rows
    return truth


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def erased(company: DemoReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Erased]:
    folder = tmp_path_factory.mktemp("privacy") / "ws"
    shutil.copytree(company.workspace, folder, ignore=shutil.ignore_patterns(DATA_FOLDER))
    handler = _Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with Workspace(folder) as ws:
            for analysis in ("value", "voice", "journeys"):
                assert len(runs(ws, analysis)) >= 1
            subject = _pick_subject(ws)
            customer = _sql(ws, "SELECT * FROM customers WHERE customer_id = ?", subject).iloc[0]
            records = [subject]
            personal = [
                str(customer["email"]),
                str(customer["phone"]),
                re.sub(r"\D", "", str(customer["phone"])),
                f"{customer['first_name']},{customer['last_name']}",
                f"{customer['first_name']} {customer['last_name']}",
            ]
            truth = _truth(ws, records)
            totals = {t: ws.count(t) for t in EVENT_TABLES}
            archive = read_export(export_person(ws, subject, folder.parent / "access"))
            started = time.perf_counter()
            receipt = erase_person(ws, subject)
            seconds = time.perf_counter() - started
            second = erase_person(ws, subject)
            reimports = [
                ws.import_file(result.table, result.file)
                for result in company.results
                if result.table in ("customers", "orders", "feedback", "complaints", "consents")
            ]
            pseudonymise_tables(
                ws, ["customers", "orders", "feedback", "value_customers"], folder / "for-analysis"
            )
        yield Erased(
            folder,
            subject,
            records,
            personal,
            truth,
            archive,
            receipt,
            second,
            seconds,
            totals,
            reimports,
            handler.lines,
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _mentions(text: str, erased: Erased) -> list[str]:
    """The person's identifiers found in ``text`` as whole words (Brun, not Brunet)."""
    return [
        value
        for value in (*erased.records, *erased.personal)
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, flags=re.IGNORECASE)
    ]


def test_no_table_holds_the_erased_person(erased: Erased) -> None:
    with Workspace(erased.folder, read_only=True) as ws:
        for table in _all_tables(ws):
            dump = _sql(ws, f'SELECT * FROM "{table}"').to_csv(index=False)
            assert not _mentions(dump, erased), table


def test_no_file_or_log_line_holds_the_erased_person(erased: Erased) -> None:
    files = [p for p in erased.folder.rglob("*") if p.is_file() and ".duckdb" not in p.name]
    assert any(p.parent.name == "for-analysis" for p in files)
    with Workspace(erased.folder, read_only=True) as ws:
        token = pseudonym(ws, erased.subject)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not _mentions(text, erased) and token not in text, path.name
    assert any("erasure" in line for line in erased.logs)
    assert not [line for line in erased.logs if _mentions(line, erased)]


def test_the_receipt_counts_what_the_access_export_held(erased: Erased) -> None:
    exported = {t["table"]: t["rows"] for t in erased.archive["manifest"]["tables"]}
    assert erased.receipt.counts == exported
    assert erased.receipt.records == 1 and erased.receipt.reason == "request"
    assert {"orders", "feedback", "complaints", "_quarantine_orders", "voice_verbatims"} <= set(
        erased.receipt.counts
    )
    assert erased.second.rows == 0 and erased.second.counts == {}
    with Workspace(erased.folder, read_only=True) as ws:
        receipts = erasure_receipts(ws, erased.subject)
    assert list(receipts["rows"]) == [0, erased.receipt.rows]
    # the hash answers "was this person erased?"; it is not the id itself
    assert erased.receipt.subject_hash not in erased.records
    assert len(erased.receipt.subject_hash) == 64
    print(f"erasure of one demo customer: {erased.receipt.rows} rows in {erased.seconds:.1f} s")


def test_the_access_export_holds_all_and_only_their_rows(erased: Erased) -> None:
    tables = erased.archive["tables"]
    # every table a direct query finds rows in is exported, with the same rows
    direct_tables = set(erased.truth) | {"_quarantine"}
    assert set(tables) == direct_tables
    for table, rows in erased.truth.items():
        assert len(tables[table]) == len(rows), table
        key = next((c for c in ("feedback_id", "order_id", "complaint_id") if c in rows), None)
        if key is not None:
            assert set(tables[table][key]) == set(rows[key]), table
        if "customer_id" in rows and "customer_id" in tables[table]:
            assert set(tables[table]["customer_id"].str.strip()) == set(erased.records), table
    problems = tables["_quarantine"]
    assert set(problems["row_number"]) == set(tables["_quarantine_orders"]["_row"])


def test_reimporting_the_demo_files_does_not_bring_them_back(erased: Erased) -> None:
    by_table: dict[str, int] = {}
    for result in erased.reimports:
        by_table[result.table] = by_table.get(result.table, 0) + suppressed_rows(result)
        # every other row is read again, unchanged or quarantined as before
        assert result.rows_loaded == 0 and result.rows_updated == 0
    truth = erased.truth
    assert by_table["orders"] == len(truth["orders"]) + len(truth["_quarantine_orders"])
    assert by_table["feedback"] == len(truth["feedback"])
    assert by_table["complaints"] == len(truth["complaints"])
    assert by_table["consents"] == len(truth["consents"])
    assert by_table["customers"] == 1
    with Workspace(erased.folder, read_only=True) as ws:
        for table in EVENT_TABLES:
            expected = erased.totals_before[table] - len(truth.get(table, []))
            assert ws.count(table) == expected, table
        with pytest.raises(NotFoundError):
            export_person(ws, erased.subject, erased.folder.parent / "after")


def test_new_rows_of_others_still_import(erased: Erased, tmp_path: Path) -> None:
    path = tmp_path / "new_orders.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,amount\n"
        f"NEW1,{erased.subject},2026-06-01 10:00:00,12\n"
        "NEW2,C000001,2026-06-01 10:00:00,15\n",
        encoding="utf-8",
    )
    with Workspace(erased.folder) as ws:
        result = ws.import_file("orders", path)
        stored = set(_sql(ws, "SELECT order_id FROM orders WHERE order_id LIKE 'NEW%'")["order_id"])
    assert (result.rows_loaded, suppressed_rows(result)) == (1, 1)
    assert stored == {"NEW2"}
