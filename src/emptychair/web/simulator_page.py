"""The simulator page: a scenario form and what it changes in revenue and customer value."""

from __future__ import annotations

from emptychair.web.page_model import Page, PageContext


def simulator(context: PageContext) -> Page:
    """The driver tree and the scenario form."""
    return Page("simulator", context.words["nav"]["simulator"])
