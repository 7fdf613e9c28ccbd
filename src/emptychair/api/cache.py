"""Answers computed from stored runs, kept in memory.

A stored run never changes: what a route computed from run ``R`` stays true, so it is kept
(the most recent few hundred answers). The *latest* run of each analysis changes only when
this server finishes a job (it is the workspace's only writer), so it is kept until then.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from emptychair.workspace import Workspace
from emptychair.workspace.results import resolve_run

Answer = TypeVar("Answer")


class RunCache:
    """Resolved run ids and the answers computed from them.

    Parameters
    ----------
    answers
        How many answers to keep (least recently used go first).
    """

    def __init__(self, answers: int = 512) -> None:
        self.size = answers
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._latest: dict[str, str] = {}
        self._known: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def run_id(self, workspace: Workspace, analysis: str, run_id: str | None) -> str:
        """``run_id`` checked to be a run of ``analysis``, or the latest run's id."""
        with self._lock:
            if run_id is None and analysis in self._latest:
                return self._latest[analysis]
            if run_id is not None and (analysis, run_id) in self._known:
                return run_id
        chosen = str(resolve_run(workspace, analysis, run_id)["run_id"])
        with self._lock:
            self._known.add((analysis, chosen))
            if run_id is None:
                self._latest[analysis] = chosen
        return chosen

    def answer(self, key: Hashable, compute: Callable[[], Answer]) -> Answer:
        """The kept answer for ``key`` (which must name the run), else ``compute()``."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return value

    def new_runs(self) -> None:
        """Forget which run is the latest (a job has written)."""
        with self._lock:
            self._latest.clear()
