"""Request threads read through their own cursors and share the compiled customer queries."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from emptychair.api.connections import WorkspaceConnections
from emptychair.customers import Customer360
from tests.unit.api.demo import served_copy


def _fingerprint(view: Customer360) -> tuple[object, ...]:
    return (
        view.customer_id,
        tuple(view.records),
        tuple(sorted((k, str(v)) for k, v in view.profile.items())),
        tuple(sorted((k, str(v)) for k, v in view.summary.items())),
        pd.util.hash_pandas_object(view.timeline.astype(str), index=False).sum(),
        pd.util.hash_pandas_object(view.consents.astype(str), index=False).sum(),
    )


def test_concurrent_customer_reads_give_the_answers_read_one_by_one(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    served = served_copy(tmp_path_factory, "connections")
    connections = WorkspaceConnections(served.workspace)
    try:
        primary = connections.primary
        ids = primary.to_pandas(primary.table("customers").select("customer_id").limit(60))
        wanted = [served.example_customer, *ids["customer_id"]]
        expected = {i: _fingerprint(primary.customer(i)) for i in wanted}
        primary.engine.prepared.clear()
        engines: set[int] = set()

        def read(customer_id: str) -> tuple[str, tuple[object, ...]]:
            workspace = connections.reader()
            engines.add(id(workspace.engine))
            assert workspace.engine.prepared is primary.engine.prepared
            return customer_id, _fingerprint(workspace.customer(customer_id))

        start = threading.Barrier(6)

        def read_after_start(task: tuple[int, str]) -> tuple[str, tuple[object, ...]]:
            if task[0] < 6:
                start.wait(timeout=30)  # six threads compile and read at the same moment
            return read(task[1])

        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(read_after_start, enumerate(wanted * 3)))
        assert len(engines) == 6
        for customer_id, fingerprint in answers:
            assert fingerprint == expected[customer_id], customer_id
    finally:
        connections.close()
