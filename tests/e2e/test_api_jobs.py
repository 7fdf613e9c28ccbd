"""Background jobs through the API: an import queued behind a write, reads answering meanwhile."""

from __future__ import annotations

import threading
import time
from typing import Any

import ibis
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from emptychair.workspace import Workspace
from tests.unit.api.demo import ServedDemo, api_client, served_copy

NEW_ORDERS = 20


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> ServedDemo:
    return served_copy(tmp_path_factory, "api-jobs")


def _finished(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Poll a job until it has finished (the cap only stops a hung test)."""
    for _ in range(1200):
        job = client.get(url, headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job['status']} at {job['step']}")


def _orders(customer: str) -> bytes:
    rows = [
        f"API-{i:04d},{customer},2026-05-{i + 1:02d} 10:00:00,{10 + i}.50,web"
        for i in range(NEW_ORDERS)
    ]
    return ("order_id,customer_id,ordered_at,amount,channel\n" + "\n".join(rows)).encode()


def test_import_job_waits_for_the_writer_while_reads_answer(served: ServedDemo) -> None:
    admin, viewer = served.tokens.of("admin"), served.tokens.of("viewer")
    customer = served.example_customer
    with api_client(served) as client:
        before = client.get(f"/customers/{customer}", headers=admin).json()["summary"]
        runner = client.app.state.server.jobs  # type: ignore[attr-defined]
        holding, release = threading.Event(), threading.Event()

        def hold(workspace: Workspace, report: Any) -> dict[str, Any]:
            """A write transaction left open until the test has read through it."""
            with workspace.engine.transaction():
                scratch = ibis.memtable(pd.DataFrame({"x": [1]}))
                workspace.engine.create_table("_held_write", scratch, overwrite=True)
                report("holding the writer", 0.5)
                holding.set()
                release.wait(120)
            return {"held": True}

        blocker = runner.submit("hold", "test", hold)
        assert holding.wait(60)
        answer = client.post(
            "/imports/orders",
            params={"filename": "late-orders.csv"},
            content=_orders(customer),
            headers={**admin, "Content-Type": "text/csv"},
        )
        assert answer.status_code == 202
        job = answer.json()
        assert answer.headers["location"] == job["url"]
        assert (job["kind"], job["account"], job["status"]) == ("import", "ada", "queued")

        # the writer is busy: reads still answer, from the last committed state
        assert client.get("/health").json()["status"] == "ok"
        segments = client.get("/value/segments", headers=viewer)
        assert segments.status_code == 200 and len(segments.json()) > 3
        held = client.get(f"/jobs/{blocker.id}", headers=admin).json()
        assert (held["status"], held["step"], held["progress"]) == (
            "running",
            "holding the writer",
            0.5,
        )
        assert client.get(job["url"], headers=admin).json()["status"] == "queued"
        during = client.get(f"/customers/{customer}", headers=admin).json()["summary"]
        assert during["orders"] == before["orders"]

        release.set()
        done = _finished(client, job["url"], admin)
        assert done["status"] == "succeeded", done
        assert done["progress"] == 1.0
        assert (done["result"]["rows_read"], done["result"]["rows_loaded"]) == (
            NEW_ORDERS,
            NEW_ORDERS,
        )
        assert done["result"]["file"] == "late-orders.csv"
        after = client.get(f"/customers/{customer}", headers=admin).json()["summary"]
        assert after["orders"] == before["orders"] + NEW_ORDERS
        uploads = served.workspace / "uploads"
        assert not any(uploads.iterdir())

        audit = client.get("/audit", params={"account": "ada"}, headers=admin).json()["items"]
        actions = {(row["action"], row["outcome"]) for row in audit}
        assert ("POST /imports/{table}", "allowed") in actions
        assert ("job import", "allowed") in actions


def test_a_bad_file_fails_its_job_with_a_clear_error(served: ServedDemo) -> None:
    admin = served.tokens.of("admin")
    with api_client(served) as client:
        answer = client.post(
            "/imports/orders",
            params={"filename": "broken.csv"},
            content=b"reference,when\nX1,yesterday\n",
            headers=admin,
        )
        assert answer.status_code == 202
        done = _finished(client, answer.json()["url"], admin)
    assert done["status"] == "failed"
    assert done["error"]["status"] == 422
    assert "broken.csv" in done["error"]["detail"]
    assert str(served.workspace) not in done["error"]["detail"]


def test_an_analysis_run_through_the_api_is_stored(served: ServedDemo) -> None:
    admin = served.tokens.of("admin")
    with api_client(served) as client:
        before = client.get("/journeys/runs", headers=admin).json()
        # the latest run's answer is now kept; the job must make the next one fresh
        assert client.get("/journeys/variants", headers=admin).json()["total"] > 50
        answer = client.post("/journeys/runs", json={"top_variants": 50}, headers=admin)
        assert answer.status_code == 202
        done = _finished(client, answer.json()["url"], admin)
        assert done["status"] == "succeeded", done
        runs = client.get("/journeys/runs", headers=admin).json()
        assert len(runs) == len(before) + 1
        assert runs[0]["run_id"] == done["result"]["run_id"]
        assert runs[0]["parameters"]["top_variants"] == 50
        variants = client.get(
            "/journeys/variants", params={"run": runs[0]["run_id"]}, headers=admin
        ).json()
        assert variants["total"] <= 50
        latest = client.get("/journeys/variants", headers=admin).json()
        assert latest["total"] == variants["total"]


def test_empty_uploads_and_unknown_tables_are_refused(served: ServedDemo) -> None:
    admin = served.tokens.of("admin")
    with api_client(served) as client:
        empty = client.post("/imports/orders", params={"filename": "e.csv"}, headers=admin)
        assert empty.status_code == 400
        unknown = client.post(
            "/imports/invoices", params={"filename": "i.csv"}, content=b"a\n1\n", headers=admin
        )
        assert unknown.status_code == 404
        assert "customers" in unknown.json()["detail"]
        sneaky = client.post(
            "/imports/orders", params={"filename": "../x.csv"}, content=b"a\n", headers=admin
        )
        assert sneaky.status_code == 422
