"""Background jobs: imports and analyses run one at a time on the writing connection.

The server is the workspace's only writer. A job runs in a worker thread with the
primary connection while requests keep reading through their own cursors; ``GET
/jobs/{id}`` reports its status and progress. Jobs live in memory: after a restart the
workspace is consistent (every write is one transaction) and a lost job is simply run
again.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emptychair.accounts import AuditEvent, record
from emptychair.api.problems import status_of
from emptychair.errors import EmptyChairError, NotFoundError
from emptychair.workspace import Workspace, new_batch_id, utc_now

logger = logging.getLogger("emptychair.api")
#: ``report(step, fraction)``: a job says what it does, and how far it is (0..1, or None).
Report = Callable[[str, float | None], None]
Work = Callable[[Workspace, Report], dict[str, Any]]
KEPT_JOBS = 500


@dataclass
class Job:
    """One background job and where it stands."""

    id: str
    kind: str
    account: str
    status: str = "queued"
    step: str = "waiting for the jobs before it"
    progress: float = 0.0
    created_at: datetime = field(default_factory=utc_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class JobRunner:
    """Runs jobs one after the other on ``workspace`` (the primary connection)."""

    def __init__(self, workspace: Workspace, on_finished: Callable[[], None] | None = None) -> None:
        self.workspace = workspace
        self.on_finished = on_finished
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emptychair-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, kind: str, account: str, work: Work) -> Job:
        """Queue ``work``; the returned job is updated as it runs."""
        job = Job(id=new_batch_id(), kind=kind, account=account)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT_JOBS:
                self._jobs.popitem(last=False)
        self._executor.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id!r} (jobs are kept until the server restarts)")
        return job

    def list(self) -> list[Job]:
        """Every kept job, newest first."""
        with self._lock:
            return list(reversed(self._jobs.values()))

    def _run(self, job: Job, work: Work) -> None:
        def report(step: str, fraction: float | None) -> None:
            job.step = step
            if fraction is not None:
                job.progress = max(job.progress, min(max(fraction, 0.0), 1.0))

        job.status, job.started_at, job.step = "running", utc_now(), "starting"
        try:
            job.result = work(self.workspace, report)
            job.status, job.progress, job.step = "succeeded", 1.0, "done"
        except EmptyChairError as error:
            job.status, job.step = "failed", "failed"
            folder = str(self.workspace.path.resolve())
            detail = str(error).replace(folder + "/", "").replace(folder, "the workspace")
            job.error = {"status": status_of(error), "detail": detail}
        except Exception:
            logger.exception("job %s (%s) failed", job.id, job.kind)
            job.status, job.step = "failed", "failed"
            job.error = {
                "status": 500,
                "detail": "an unexpected error occurred; it has been logged",
            }
        job.finished_at = utc_now()
        if self.on_finished is not None:
            self.on_finished()
        try:
            record(
                self.workspace,
                AuditEvent(
                    account=job.account,
                    role=None,
                    action=f"job {job.kind}",
                    outcome="allowed" if job.status == "succeeded" else "failed",
                    resource="jobs",
                    status=None if job.error is None else int(job.error["status"]),
                    detail=f"job {job.id} {job.status}",
                ),
            )
        except Exception:
            logger.exception("could not record job %s in the audit log", job.id)

    def wait(self, job_id: str, timeout: float = 300.0) -> Job:
        """Block until the job has finished (for scripts and tests)."""
        deadline = utc_now().timestamp() + timeout
        job = self.get(job_id)
        while job.status in ("queued", "running") and utc_now().timestamp() < deadline:
            threading.Event().wait(0.05)
        return job

    def shutdown(self) -> None:
        """Wait for the running job, drop the queued ones."""
        self._executor.shutdown(wait=True, cancel_futures=True)
