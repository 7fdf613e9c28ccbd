"""Right of access: every row about a person, from every table, in one archive.

The tables are found as erasure finds them (:mod:`emptychair.privacy.locate`), so
the archive holds exactly what an erasure would remove: canonical rows, quarantined
rows and their problems, identity links, result rows, consent details and
restriction flags. One file per table (JSON or CSV) and a ``manifest.json`` that
lists the tables, their row counts, when the archive was made and by which version.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from emptychair._version import __version__
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.privacy.locate import PERSON, owned_rows, person_keys, table_plans
from emptychair.schema import TABLES
from emptychair.workspace import Workspace, utc_now

logger = logging.getLogger(__name__)

FORMATS = ("json", "csv")
MANIFEST = "manifest.json"


@dataclass
class PersonData:
    """The rows about one person: ``tables`` maps a table name to its rows."""

    customer_id: str
    records: list[str]
    tables: dict[str, pd.DataFrame]

    @property
    def rows(self) -> int:
        return sum(len(f) for f in self.tables.values())


def person_data(workspace: Workspace, customer_id: str) -> PersonData:
    """Every row about the person of ``customer_id``, per table (tables without any left out).

    Raises
    ------
    NotFoundError
        When no table holds anything about this id.
    """
    subject = customer_id.strip()
    if not subject:
        raise InvalidParameterError("customer id: empty; give the id of the person")
    keys_frame = person_keys(workspace, [subject])
    keys = ibis.memtable(keys_frame)
    tables: dict[str, pd.DataFrame] = {}
    plans = table_plans(workspace)
    for plan in plans:
        frame = workspace.to_pandas(owned_rows(workspace, plan, keys, plans).drop(PERSON))
        if len(frame):
            tables[plan.table] = _sorted(frame)
    if not tables:
        raise NotFoundError(f"no data about customer {subject!r} in {workspace.path}")
    records = keys_frame.loc[keys_frame["kind"] == "customer_id", "value"].tolist()
    stored = set(tables.get("customers", pd.DataFrame(columns=["customer_id"]))["customer_id"])
    return PersonData(subject, [r for r in records if r in stored] or [subject], tables)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:2]), kind="stable").reset_index(drop=True)


def export_person(
    workspace: Workspace, customer_id: str, folder: str | Path, fmt: str = "json"
) -> Path:
    """Write the person's data as a zip archive in ``folder``; returns the archive's path.

    Parameters
    ----------
    workspace
        The workspace (read-only is enough).
    customer_id
        Any of the person's customer record ids; linked records are included.
    folder
        Where to write ``access-<time>-<random>.zip`` (created if missing). The name
        does not hold the id.
    fmt
        ``"json"`` (one array of records per table) or ``"csv"``.

    Returns
    -------
    Path
        The archive: one file per table and ``manifest.json``.
    """
    if fmt not in FORMATS:
        raise InvalidParameterError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    data = person_data(workspace, customer_id)
    generated = utc_now()
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"access-{generated:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}.zip"
    entries = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table, frame in data.tables.items():
            name = f"{table.lstrip('_')}.{fmt}"
            archive.writestr(name, _serialise(frame, fmt))
            entries.append({"table": table, "file": name, "rows": len(frame), **_about(table)})
        manifest = _manifest(data, entries, generated, fmt)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    logger.info("access export: %d tables, %d rows", len(entries), data.rows)
    return path


def _serialise(frame: pd.DataFrame, fmt: str) -> str:
    if fmt == "csv":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, date_format="%Y-%m-%dT%H:%M:%S")
        return buffer.getvalue()
    text = frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=2)
    return str(text)


def _about(table: str) -> dict[str, str]:
    if table in TABLES:
        return {"description": TABLES[table].description}
    if table.startswith("_quarantine_"):
        return {"description": "Rows of a file that failed validation and were not loaded."}
    if table == "_quarantine":
        return {"description": "Problems found in those rows."}
    if table == "_customer_links":
        return {"description": "Which customer records are the same person, and why."}
    return {"description": "Analysis results about this person (one row per run)."}


def _manifest(
    data: PersonData, entries: list[dict[str, Any]], generated: Any, fmt: str
) -> dict[str, Any]:
    return {
        "customer_id": data.customer_id,
        "records": data.records,
        "generated_at": generated.isoformat(timespec="seconds"),
        "library_version": __version__,
        "format": fmt,
        "rows": data.rows,
        "tables": entries,
    }


def read_export(path: str | Path) -> dict[str, Any]:
    """The manifest of an access archive, with each table read back as a data frame."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        frames = {}
        for entry in manifest["tables"]:
            with archive.open(entry["file"]) as handle:
                if manifest["format"] == "csv":
                    frames[entry["table"]] = pd.read_csv(handle, dtype=str)
                else:
                    frames[entry["table"]] = pd.read_json(handle, orient="records", dtype=False)
    return {"manifest": manifest, "tables": frames}
