"""Where a person's rows are: every table, found by its columns rather than by a list.

A person is asked for by one customer id; they are every source record linked to it
(identity links), with the e-mails and phones of those records and the keys of
their orders, contacts, answers and complaints. A table holds rows about them when
it has a column that carries one of these identifiers:

* ``customer_id``, ``golden_id``, ``linked_to``: one of their record ids;
* ``order_id``, ``interaction_id``, ``feedback_id``, ``complaint_id``: one of their
  events (result tables keyed by a verbatim or an order), ``case_id``: any of them;
* in quarantine tables, where rows are raw text: the id trimmed, the e-mail and
  the phone normalised as identity resolution does; ``_quarantine`` problems
  follow their quarantined rows, and unreadable lines that quote an identifier.

A table added later (a new analysis' results) is covered as soon as it uses one of
these column names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from emptychair.identity.resolution import normalised_email, normalised_phone
from emptychair.privacy.tables import RECEIPTS, SUPPRESSION
from emptychair.schema import TABLES
from emptychair.workspace import Workspace
from emptychair.workspace.internal import quarantine_table_name

#: Columns that hold a customer record id, wherever they appear.
ID_COLUMNS = ("customer_id", "golden_id", "linked_to")
#: The key column of each canonical event table.
EVENT_KEYS = {
    "orders": "order_id",
    "interactions": "interaction_id",
    "feedback": "feedback_id",
    "complaints": "complaint_id",
}
#: Columns that may hold the key of any event (the voice closed loop's cases).
CASE_COLUMNS = ("case_id",)
QUARANTINE_PREFIX = quarantine_table_name("")
PROBLEMS = "_quarantine"
#: Tables that never hold a person's identifiers (batches, receipts, hashes).
NOT_PERSONAL = frozenset({"_batches", RECEIPTS, SUPPRESSION})
PERSON = "_person"
_DELIMITERS = r"""\s*[,;\t|"']\s*"""


@dataclass(frozen=True)
class Rule:
    """``column`` of a table holds identifiers of kind ``kinds`` (normalised by ``form``)."""

    column: str
    kinds: tuple[str, ...]
    form: str = "exact"  # or "trimmed", "email", "phone"


@dataclass(frozen=True)
class TablePlan:
    """How one table's rows about a person are found and removed.

    ``key`` identifies a row for deletion (quarantine tables); without one, rows are
    deleted by the value of each exact rule's column.
    """

    table: str
    rules: tuple[Rule, ...]
    key: tuple[str, ...] | None = None


def person_keys(workspace: Workspace, subjects: Sequence[str]) -> pd.DataFrame:
    """The identifiers of each subject: ``person`` (the id asked for), ``kind``, ``value``.

    Kinds are ``customer_id`` (every linked record), ``email`` and ``phone``
    (normalised, from their stored and quarantined customer records) and the event
    keys ``order_id``, ``interaction_id``, ``feedback_id``, ``complaint_id``. An
    identifier shared by two subjects is attributed to the first.
    """
    subjects = list(dict.fromkeys(subjects))
    links = workspace.to_pandas(
        workspace.table("_customer_links").select("customer_id", "golden_id")
    )
    golden_of = dict(zip(links["customer_id"], links["golden_id"], strict=True))
    members = links.groupby("golden_id")["customer_id"].agg(list).to_dict()
    records = []
    for subject in subjects:
        golden = golden_of.get(subject, subject)
        for record in dict.fromkeys([subject, golden, *members.get(golden, [])]):
            records.append({"person": subject, "kind": "customer_id", "value": record})
    ids = pd.DataFrame(records, columns=["person", "kind", "value"])
    frames = [ids, *_contacts(workspace, ids), *_events(workspace, ids)]
    keys = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
    keys["value"] = keys["value"].astype(str)
    return keys.drop_duplicates(["kind", "value"]).reset_index(drop=True)


def _contacts(workspace: Workspace, ids: pd.DataFrame) -> list[pd.DataFrame]:
    """E-mails and phones of the records, stored or quarantined, normalised."""
    code = workspace.settings.identity.default_country_code
    record_ids = ibis.memtable(ids[["person", "value"]].rename(columns={"value": "_record"}))
    frames = []
    for name, id_column in (
        ("customers", "customer_id"),
        (quarantine_table_name("customers"), "customer_id"),
    ):
        table = workspace.table(name)
        joined = table.join(
            record_ids, table[id_column].cast("string").strip() == record_ids["_record"]
        )
        for kind, value in (
            ("email", normalised_email(joined["email"].cast("string"))),
            ("phone", normalised_phone(joined["phone"].cast("string"), code)),
        ):
            selected = joined.select(person=joined["person"], kind=ibis.literal(kind), value=value)
            frames.append(workspace.to_pandas(selected.filter(selected["value"].notnull())))
    return frames


def _events(workspace: Workspace, ids: pd.DataFrame) -> list[pd.DataFrame]:
    record_ids = ibis.memtable(ids[["person", "value"]].rename(columns={"value": "_record"}))
    frames = []
    for table_name, key in EVENT_KEYS.items():
        table = workspace.table(table_name)
        joined = table.join(record_ids, table["customer_id"] == record_ids["_record"])
        selected = joined.select(
            person=joined["person"], kind=ibis.literal(key), value=joined[key].cast("string")
        )
        frames.append(workspace.to_pandas(selected))
    return frames


def table_plans(workspace: Workspace) -> list[TablePlan]:
    """A plan for every workspace table that can hold rows about a person."""
    plans = []
    for name in workspace.tables():
        if name in NOT_PERSONAL:
            continue
        columns = set(workspace.engine.table(name).columns)
        if name == PROBLEMS:
            plans.append(TablePlan(name, (), key=("table_name", "file_hash", "row_number")))
        elif name.startswith(QUARANTINE_PREFIX):
            rules = [Rule(c, ("customer_id",), "trimmed") for c in ID_COLUMNS if c in columns]
            rules += [Rule(c, (c,), c) for c in ("email", "phone") if c in columns]
            if rules:
                plans.append(TablePlan(name, tuple(rules), key=("_file_hash", "_row")))
        else:
            rules = [Rule(c, ("customer_id",)) for c in ID_COLUMNS if c in columns]
            if name not in TABLES:  # canonical events belong to whoever they name
                rules += [Rule(k, (k,)) for k in EVENT_KEYS.values() if k in columns]
                rules += [Rule(c, tuple(EVENT_KEYS.values())) for c in CASE_COLUMNS if c in columns]
            if rules:
                plans.append(TablePlan(name, tuple(rules)))
    return plans


def _normalised(column: ir.Column, form: str, country_code: str) -> ir.StringValue:
    text = column.cast("string")
    if form == "trimmed":
        return text.strip()
    if form == "email":
        return normalised_email(text)
    if form == "phone":
        return normalised_phone(text, country_code)
    return text


def owned_rows(
    workspace: Workspace,
    plan: TablePlan,
    keys: ir.Table,
    plans: Sequence[TablePlan] | None = None,
) -> ir.Table:
    """The rows of ``plan.table`` about the people of ``keys``, with a ``_person`` column.

    ``keys`` has ``person``, ``kind`` and ``value`` (see :func:`person_keys`),
    unique per kind and value, so no row is repeated. ``plans`` (default: every
    table's) tell where the quarantined rows that problems follow are.
    """
    table = workspace.engine.table(plan.table)
    if plan.table == PROBLEMS:
        return _owned_problems(workspace, table, keys, plans or table_plans(workspace))
    code = workspace.settings.identity.default_country_code
    joined = table
    found = []
    for index, rule in enumerate(plan.rules):
        wanted = keys.filter(keys["kind"].isin(rule.kinds))
        wanted = wanted.select(**{f"_v{index}": wanted["value"], f"_p{index}": wanted["person"]})
        value = _normalised(joined[rule.column], rule.form, code)
        joined = joined.left_join(wanted, value == wanted[f"_v{index}"])
        found.append(joined[f"_p{index}"])
    person = ibis.coalesce(*found) if len(found) > 1 else found[0]
    selected = joined.select(**{PERSON: person}, **{c: joined[c] for c in table.columns})
    return selected.filter(selected[PERSON].notnull())


def _owned_problems(
    workspace: Workspace, problems: ir.Table, keys: ir.Table, plans: Sequence[TablePlan]
) -> ir.Table:
    """Problems of the person's quarantined rows, and unreadable lines quoting them."""
    parts = []
    for plan in plans:
        if plan.key != ("_file_hash", "_row"):
            continue
        rows = owned_rows(workspace, plan, keys)
        parts.append(
            rows.select(
                _table=ibis.literal(plan.table[len(QUARANTINE_PREFIX) :]),
                _hash=rows["_file_hash"],
                _number=rows["_row"],
                _owner=rows[PERSON],
            )
        )
    of_rows = ibis.union(*parts, distinct=True)
    joined = problems.left_join(
        of_rows,
        (problems["table_name"] == of_rows["_table"])
        & (problems["file_hash"] == of_rows["_hash"])
        & (problems["row_number"] == of_rows["_number"]),
    )
    quoted = keys.filter(keys["kind"].isin(["customer_id", "email"]))
    quoted = quoted.select(_quoted=quoted["value"], _quoter=quoted["person"])
    pieces = joined["value"].lower().re_split(_DELIMITERS)
    joined = joined.left_join(
        quoted,
        joined["column_name"].isnull()
        & joined["_owner"].isnull()
        & pieces.contains(quoted["_quoted"].lower()),
    )
    person = ibis.coalesce(joined["_owner"], joined["_quoter"])
    selected = joined.select(**{PERSON: person}, **{c: joined[c] for c in problems.columns})
    return selected.filter(selected[PERSON].notnull()).distinct()
