"""Answers kept per stored run; the latest run forgotten when a job has written."""

from __future__ import annotations

import pandas as pd
import pytest

from emptychair import Workspace
from emptychair.api.cache import RunCache
from emptychair.errors import NotFoundError
from emptychair.workspace import utc_now
from emptychair.workspace.results import write_results


def _store_run(workspace: Workspace, run_id: str) -> None:
    write_results(
        workspace,
        run_id,
        "example",
        {"example_rows": pd.DataFrame({"x": [1, 2]})},
        parameters={},
        started_at=utc_now(),
        rows=2,
    )


def test_latest_run_is_kept_until_new_runs(workspace: Workspace) -> None:
    cache = RunCache()
    _store_run(workspace, "20260101T000000-aaaaaa")
    assert cache.run_id(workspace, "example", None) == "20260101T000000-aaaaaa"
    _store_run(workspace, "20260102T000000-bbbbbb")
    assert cache.run_id(workspace, "example", None) == "20260101T000000-aaaaaa"
    cache.new_runs()
    assert cache.run_id(workspace, "example", None) == "20260102T000000-bbbbbb"
    assert cache.run_id(workspace, "example", "20260101T000000-aaaaaa") == (
        "20260101T000000-aaaaaa"
    )
    with pytest.raises(NotFoundError, match="no example run 'nope'"):
        cache.run_id(workspace, "example", "nope")


def test_answers_are_computed_once_per_key_and_bounded() -> None:
    cache = RunCache(answers=2)
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert cache.answer(("a",), lambda: compute("a")) == "A"
    assert cache.answer(("a",), lambda: compute("a")) == "A"
    cache.answer(("b",), lambda: compute("b"))
    cache.answer(("c",), lambda: compute("c"))  # "a" is the least recently used: dropped
    cache.answer(("a",), lambda: compute("a"))
    assert calls == ["a", "b", "c", "a"]
