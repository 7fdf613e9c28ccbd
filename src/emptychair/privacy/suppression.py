"""The suppression list: erased persons, known only by salted hashes, kept out of imports.

Each erasure adds the hashes of the person's record ids, normalised e-mails and
normalised phones (SHA-256 salted with a key derived from the workspace secret).
An import skips every row whose ``customer_id`` (or, for customer records, e-mail
or phone) hashes to an entry, and says how many rows it skipped; the rows are
neither loaded nor quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.errors import WorkspaceError
from emptychair.identity.resolution import normalised_email, normalised_phone
from emptychair.privacy.secret import derived_key, salted_hash, secret_path
from emptychair.privacy.tables import SUPPRESSION
from emptychair.schema import TableSchema
from emptychair.workspace import Workspace, utc_now

if TYPE_CHECKING:
    from emptychair.ingest.result import ImportResult

SALT_USE = "suppression"
#: Identifier kinds kept on the list.
KINDS = ("customer_id", "email", "phone")
NOTE = "{rows} row(s) suppressed: they belong to erased persons on the suppression list"
_NOTE_PATTERN = re.compile(r"^(\d+) row\(s\) suppressed: ")


def suppression_salt(workspace: Workspace) -> str:
    """The salt of identifier hashes (refuses to invent one when entries already exist)."""
    if not secret_path(workspace).exists() and _entries(workspace):
        raise WorkspaceError(
            f"{secret_path(workspace)} is missing but the suppression list has entries: "
            "restore the file from a backup, or erased persons would be imported again"
        )
    return derived_key(workspace, SALT_USE)


def identifier_hash(workspace: Workspace, value: str) -> str:
    """The salted hash of one identifier, as stored on the list and in receipts."""
    return salted_hash(suppression_salt(workspace), value)


def _entries(workspace: Workspace) -> int:
    if not workspace.engine.has_table(SUPPRESSION):
        return 0
    return workspace.count(SUPPRESSION)


def add_to_suppression(workspace: Workspace, keys: pd.DataFrame, receipts: dict[str, str]) -> int:
    """Put the identifiers of ``keys`` (``person``, ``kind``, ``value``) on the list.

    ``receipts`` maps each person to the receipt of their erasure. Returns how many
    new entries were added (an identifier already listed is not added twice).
    """
    salt = suppression_salt(workspace)
    listed = keys[keys["kind"].isin(KINDS)]
    frame = pd.DataFrame(
        {
            "identifier_hash": [salted_hash(salt, v) for v in listed["value"]],
            "kind": listed["kind"].to_numpy(),
            "receipt_id": listed["person"].map(receipts).to_numpy(),
            "added_at": utc_now(),
        }
    ).drop_duplicates("identifier_hash")
    stored = workspace.table(SUPPRESSION)
    new = ibis.memtable(frame).cast(stored.schema()).anti_join(stored, "identifier_hash")
    count = int(workspace.engine.execute(new.count()))
    if count:
        workspace.engine.insert(SUPPRESSION, new)
    return count


def suppression_summary(workspace: Workspace) -> dict[str, int]:
    """How many identifiers are listed, per kind (never the identifiers themselves)."""
    counts = dict.fromkeys(KINDS, 0)
    if workspace.engine.has_table(SUPPRESSION):
        table = workspace.table(SUPPRESSION)
        frame = workspace.to_pandas(table.group_by("kind").aggregate(n=table.count()))
        counts.update({str(k): int(n) for k, n in zip(frame["kind"], frame["n"], strict=True)})
    return counts


def is_suppressed(workspace: Workspace, identifier: str, kind: str = "customer_id") -> bool:
    """Whether an identifier (a customer id, an e-mail or a phone) is on the list."""
    if not _entries(workspace):
        return False
    code = workspace.settings.identity.default_country_code
    literal = ibis.literal(identifier)
    normal = {"email": normalised_email(literal), "phone": normalised_phone(literal, code)}
    value = workspace.engine.execute(normal[kind]) if kind in normal else identifier.strip()
    if value is None:
        return False
    table = workspace.table(SUPPRESSION)
    wanted = identifier_hash(workspace, str(value))
    return bool(workspace.engine.execute(table.filter(table.identifier_hash == wanted).count()))


def skip_suppressed(
    workspace: Workspace, schema: TableSchema, mapped: ir.Table, notes: list[str]
) -> ir.Table:
    """The import hook: ``mapped`` without the rows of suppressed persons.

    Rows are matched on ``customer_id`` (trimmed) and, where the file has them, on
    the normalised ``email`` and ``phone``. When rows are skipped, a note saying how
    many is added to ``notes`` (read back with :func:`suppressed_rows`).
    """
    if not _entries(workspace):
        return mapped
    salt = ibis.literal(suppression_salt(workspace))
    listed = workspace.table(SUPPRESSION)
    code = workspace.settings.identity.default_country_code
    forms = {
        "customer_id": lambda v: v.strip().nullif(""),
        "email": normalised_email,
        "phone": lambda v: normalised_phone(v, code),
    }
    condition = ibis.literal(False)
    for kind, form in forms.items():
        if kind not in mapped.columns or (kind != "customer_id" and schema.name != "customers"):
            continue
        hashes = listed.filter(listed["kind"] == kind)["identifier_hash"]
        hashed = (salt + form(mapped[kind].cast("string"))).hexdigest("sha256")
        condition |= hashed.isin(hashes).fill_null(False)
    kept = mapped.filter(~condition)
    skipped = int(workspace.engine.execute(mapped.count())) - int(
        workspace.engine.execute(kept.count())
    )
    if skipped:
        notes.append(NOTE.format(rows=skipped))
        return kept
    return mapped


def suppressed_rows(result: ImportResult | Sequence[str]) -> int:
    """How many rows an import skipped because of the suppression list."""
    notes = result if isinstance(result, Sequence) else result.notes
    for note in notes:
        match = _NOTE_PATTERN.match(note)
        if match:
            return int(match.group(1))
    return 0
