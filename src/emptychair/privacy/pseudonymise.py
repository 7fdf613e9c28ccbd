"""Pseudonymised exports: tables for analysis with identities kept apart.

Each customer id (and visitor id) becomes a keyed token, HMAC-SHA256 under a key
derived from the workspace secret: the same person gets the same token in every
table and every export of the workspace, so tables can still be joined, but the
tokens cannot be turned back into ids without the secret, which stays in the
workspace folder. Personal columns (names, e-mail, phone, birth date) and free
texts that may name people are dropped. Rows of persons who restricted processing
are left out.

Re-identification, for the workspace's owner only, goes through
:func:`identify_tokens`, which recomputes the tokens of the ids the workspace
still holds (an erased person's token matches nothing any more).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from emptychair._version import __version__
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.privacy.locate import ID_COLUMNS
from emptychair.privacy.restriction import restricted_ids
from emptychair.privacy.secret import derived_key, keyed_token
from emptychair.schema import TABLES
from emptychair.workspace import Workspace, utc_now

logger = logging.getLogger(__name__)

KEY_USE = "pseudonym"
FORMATS = ("csv", "parquet")
TOKEN_PREFIX = "p_"
#: Columns replaced by tokens.
TOKENISED = (*ID_COLUMNS, "visitor_id")
#: Columns dropped: personal fields of the canonical tables and free texts.
DROPPED = tuple(
    sorted({c for t in TABLES.values() for c in t.pii} | {"text", "resolution", "clause"})
)
MANIFEST = "manifest.json"


@dataclass
class PseudonymisedExport:
    """Where the files went and what was done to each table."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)
    tokenised: dict[str, list[str]] = field(default_factory=dict)
    restricted_rows: int = 0


def pseudonym(workspace: Workspace, customer_id: str) -> str:
    """The token of one id in this workspace's exports."""
    return TOKEN_PREFIX + keyed_token(derived_key(workspace, KEY_USE), customer_id)


def pseudonymise_tables(
    workspace: Workspace, tables: Sequence[str], folder: str | Path, *, fmt: str = "csv"
) -> PseudonymisedExport:
    """Export ``tables`` to ``folder`` with ids replaced by tokens and personal columns dropped.

    Parameters
    ----------
    workspace
        The workspace (read-only is enough once its secret exists).
    tables
        Workspace table names (canonical or results), e.g. ``["orders", "feedback"]``.
    folder
        Where to write one file per table and ``manifest.json``.
    fmt
        ``"csv"`` or ``"parquet"``.

    Returns
    -------
    PseudonymisedExport
        Files, rows, dropped and tokenised columns per table.
    """
    if fmt not in FORMATS:
        raise InvalidParameterError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not tables:
        raise InvalidParameterError("no table given: name the tables to export")
    known = set(workspace.tables())
    unknown = [t for t in tables if t not in known or t.startswith("_")]
    if unknown:
        shown = ", ".join(sorted(t for t in known if not t.startswith("_")))
        raise NotFoundError(f"cannot export {', '.join(unknown)}: choose among {shown}")
    key = derived_key(workspace, KEY_USE)
    excluded = restricted_ids(workspace, "analysis")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    export = PseudonymisedExport(target)
    for table in dict.fromkeys(tables):
        frame = workspace.to_pandas(workspace.table(table))
        ids = [c for c in ID_COLUMNS if c in frame.columns]
        if excluded and ids:
            keep = ~frame[ids].isin(excluded).any(axis=1)
            export.restricted_rows += int((~keep).sum())
            frame = frame[keep]
        export.dropped[table] = [c for c in frame.columns if c in DROPPED]
        export.tokenised[table] = [c for c in frame.columns if c in TOKENISED]
        frame = frame.drop(columns=export.dropped[table])
        for column in export.tokenised[table]:
            frame[column] = _tokens(frame[column], key)
        path = target / f"{table}.{fmt}"
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        export.files[table] = path
        export.rows[table] = len(frame)
    _write_manifest(export, fmt)
    logger.info(
        "pseudonymised export: %d tables, %d rows", len(export.files), sum(export.rows.values())
    )
    return export


def _tokens(values: pd.Series, key: str) -> pd.Series:
    distinct = values.dropna().astype(str).unique()
    mapping = {v: TOKEN_PREFIX + keyed_token(key, v) for v in distinct}
    return values.map(lambda v: None if pd.isna(v) else mapping[str(v)])


def _write_manifest(export: PseudonymisedExport, fmt: str) -> None:
    manifest = {
        "generated_at": utc_now().isoformat(timespec="seconds"),
        "library_version": __version__,
        "format": fmt,
        "tokens": "HMAC-SHA256 under a key kept in the workspace; not reversible from this folder",
        "restricted_rows_left_out": export.restricted_rows,
        "tables": [
            {
                "table": table,
                "file": path.name,
                "rows": export.rows[table],
                "tokenised": export.tokenised[table],
                "dropped": export.dropped[table],
            }
            for table, path in export.files.items()
        ],
    }
    (export.folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def identify_tokens(workspace: Workspace, tokens: Sequence[str]) -> pd.DataFrame:
    """The customer id behind each token, for the ids the workspace still holds.

    Returns ``token`` and ``customer_id`` (null when no stored id has this token).
    """
    key = derived_key(workspace, KEY_USE)
    customers = workspace.to_pandas(workspace.table("customers").select("customer_id"))
    known = {TOKEN_PREFIX + keyed_token(key, c): c for c in customers["customer_id"].astype(str)}
    return pd.DataFrame({"token": list(tokens), "customer_id": [known.get(t) for t in tokens]})
