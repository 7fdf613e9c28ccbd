"""What a dashboard page is made of: tables, links, forms, charts, notes and findings.

A page builder takes a :class:`PageContext` (workspace, language, filters, the reader's
role) and returns a :class:`Page`; the templates draw it. Nothing is computed here that
the library does not already store: a number on a page is the number of a run's table.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from emptychair.accounts.roles import Role
from emptychair.report.brief import COMMANDS
from emptychair.report.findings import RunTables, latest_run
from emptychair.web.chart_words import translate_spec
from emptychair.web.i18n import WORDS
from emptychair.workspace import Workspace


@dataclass(frozen=True)
class PageContext:
    """Who asks for which page, in which language, with which filters."""

    workspace: Workspace
    language: str
    params: Mapping[str, str] = field(default_factory=dict)
    role: Role = Role.VIEWER
    account: str | None = None

    @property
    def words(self) -> dict[str, Any]:
        return WORDS[self.language]

    def param(self, name: str) -> str:
        """A filter's value, stripped; empty when not given."""
        return str(self.params.get(name, "") or "").strip()


@dataclass(frozen=True)
class Link:
    """A table cell that leads to another page."""

    text: str
    href: str


Cell = str | Link


@dataclass
class Table:
    """A formatted table: a title, column labels and rows of text (or links)."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class Field:
    """One input of a page's form: a text box, or a list to choose from."""

    name: str
    label: str
    value: str = ""
    options: list[tuple[str, str]] | None = None
    kind: str = "text"
    hint: str = ""


@dataclass
class Form:
    """A filter or scenario form, sent with GET (it changes nothing)."""

    fields: list[Field]
    submit: str
    label: str


@dataclass
class Page:
    """One page's content in one language."""

    key: str
    title: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    #: Links under the title (e.g. the printable brief).
    links: list[Link] = field(default_factory=list)
    #: The customer whose data the page shows, for the audit log (``None``: aggregates).
    customer_id: str | None = None
    #: What the page did with customer-level data, for the audit log (no personal value).
    audit: str | None = None

    def add_chart(self, spec: dict[str, Any] | None, language: str = "en") -> None:
        if spec is not None:
            spec = translate_spec({**spec, "width": "container"}, language)
            self.charts.append(json.dumps(spec, ensure_ascii=False, default=str))


def make_table(
    frame: pd.DataFrame,
    title: str,
    columns: Sequence[str],
    words: dict[str, str],
    formats: dict[str, Callable[[Any], str]],
) -> Table:
    rows: list[list[Cell]] = [
        [formats.get(column, str)(row[column]) for column in columns]
        for row in frame.to_dict("records")
    ]
    return Table(title, [words.get(column, column) for column in columns], rows)


def add_missing(page: Page, language: str, analysis: str) -> None:
    """Say which command fills the page when its analysis was never run."""
    command = COMMANDS.get(analysis, f"emptychair {analysis} run")
    page.missing.append(WORDS[language]["not_run"].format(command=command))


def analysis_page(
    context: PageContext, key: str, analysis: str | None = None
) -> tuple[Page, RunTables | None]:
    """A page titled by its menu entry, and the latest run of its analysis (``None``, with
    the command to run noted on the page, when there is none)."""
    page = Page(key, context.words["nav"][key])
    run = latest_run(context.workspace, analysis or key)
    if run is None:
        add_missing(page, context.language, analysis or key)
    return page, run
