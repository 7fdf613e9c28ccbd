"""The customers page: search, and one customer's 360° view, masked per role.

Viewers read aggregates only and are told so; analysts see personal fields and free texts
masked; admins see them. Every search and every customer view is written to the audit log
by the route (the search text never is: it may be a name or an e-mail).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from emptychair.accounts.roles import Role
from emptychair.errors import EmptyChairError
from emptychair.report.formatting import Formatter
from emptychair.web.page_model import Cell, Field, Form, Link, Page, PageContext, Table

#: Search answers shown at once (a search finds someone; it does not export).
SEARCH_SHOWN = 50
#: Timeline events shown, newest first.
EVENTS_SHOWN = 100
PREFIX = "/ui"


def _text(value: Any, f: Formatter) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return f.day(value)
    if isinstance(value, float):
        return f.number(value, 2 if value != round(value) else 0)
    return str(value)


def customers(context: PageContext) -> Page:
    """Search by id, e-mail, phone or name; a customer's profile, consents and timeline."""
    words = context.words
    page = Page("customers", words["nav"]["customers"])
    if not context.role.allows(Role.ANALYST):
        page.notes.append(words["aggregates_only"])
        return page
    if not context.role.sees_personal_data:
        page.notes.append(words["masked_note"])
    asked = context.param("q")
    page.forms.append(
        Form(
            [Field("q", words["search_label"], asked, kind="search", hint=words["search_hint"])],
            words["search"],
            words["search"],
        )
    )
    chosen = context.param("customer")
    if chosen:
        _customer(page, context, chosen)
    elif len(asked) >= 2:
        _search(page, context, asked)
    elif asked:
        page.errors.append(words["search_short"])
    return page


def _search(page: Page, context: PageContext, asked: str) -> None:
    words, f = context.words, Formatter(context.language)
    masked = not context.role.sees_personal_data
    found = context.workspace.search_customers(asked, limit=SEARCH_SHOWN, mask=masked)
    page.audit = f"{len(found)} records found"
    columns = ["customer_id", "first_name", "last_name", "email", "phone", "country"]
    rows: list[list[Cell]] = []
    for record in found.to_dict("records"):
        link = Link(str(record["customer_id"]), f"{PREFIX}/customers/{record['golden_id']}")
        rows.append([link, *(_text(record.get(c), f) for c in columns[1:])])
    labels = [words["columns"].get(c, c) for c in columns]
    title = words["found"].format(count=f.number(len(found)))
    page.tables.append(Table(title, labels, rows))


def _customer(page: Page, context: PageContext, customer_id: str) -> None:
    words, f = context.words, Formatter(context.language)
    try:
        view = context.workspace.customer(customer_id)
    except EmptyChairError as error:
        page.errors.append(str(error))
        page.audit = "not found"
        return
    if not context.role.sees_personal_data:
        view = view.masked()
    page.customer_id = view.customer_id
    page.audit = f"{len(view.timeline)} events"
    page.title = words["customer_title"].format(id=view.customer_id)
    labels = words["columns"]
    profile: list[list[Cell]] = [
        [labels.get(k, k), _text(v, f)] for k, v in view.profile.items() if k != "customer_id"
    ]
    profile.append([words["records"], ", ".join(view.records)])
    page.tables.append(Table(words["profile"], [words["field"], words["value"]], profile))
    summary: list[list[Cell]] = [
        [labels.get(k, k), ", ".join(v) if isinstance(v, list) else _text(v, f)]
        for k, v in view.summary.items()
    ]
    page.tables.append(Table(words["summary"], [words["field"], words["value"]], summary))
    consents = view.consents
    if len(consents):
        rows: list[list[Cell]] = [
            [
                str(row["purpose"]),
                words["yes"] if row["granted"] else words["no"],
                _text(row["recorded_at"], f),
                _text(row["source"], f),
            ]
            for row in consents.to_dict("records")
        ]
        headers = ["purpose", "granted", "recorded_at", "source"]
        page.tables.append(Table(words["consents"], [labels.get(h, h) for h in headers], rows))
    columns = ["occurred_at", "event", "channel", "activity", "amount", "score", "status", "text"]
    events = view.timeline.head(EVENTS_SHOWN)
    timeline: list[list[Cell]] = [
        [_text(row.get(c), f) for c in columns] for row in events.to_dict("records")
    ]
    shown, total = f.number(len(events)), f.number(len(view.timeline))
    title = words["timeline"].format(shown=shown, total=total)
    page.tables.append(Table(title, [labels.get(c, c) for c in columns], timeline))
