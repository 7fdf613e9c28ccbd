"""What every analysis router shares: the list of stored runs and the run parameter."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from emptychair.api.frames import plain
from emptychair.workspace import Workspace
from emptychair.workspace.results import runs

RunQuery = Annotated[
    str | None,
    Query(alias="run", max_length=64, description="A run id (default: the latest run)."),
]


class RunInfo(BaseModel):
    """One stored run of an analysis."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None
    library_version: str | None
    rows: int | None = Field(description="Customers, answers or events the run read.")
    parameters: dict[str, Any] = Field(description="The settings the run was asked for.")


def run_list(workspace: Workspace, analysis: str) -> list[RunInfo]:
    """The stored runs of ``analysis``, newest first, without their stored summaries."""
    history = runs(workspace, analysis)
    out = []
    for row in history.to_dict("records"):
        parameters = json.loads(row["parameters"] or "{}")
        parameters.pop("summary", None)
        out.append(
            RunInfo(
                run_id=row["run_id"],
                started_at=row["started_at"],
                finished_at=plain(row["finished_at"]),
                library_version=row["library_version"],
                rows=plain(row["customers"]),
                parameters={k: plain(v) for k, v in parameters.items()},
            )
        )
    return out
