"""Pages of results: ``limit`` and ``offset`` in, the items, the total and a ``next`` link out."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500

Item = TypeVar("Item")


class PageParams(BaseModel):
    """Where a page starts and how long it is."""

    limit: int
    offset: int


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 500).")
    ] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[Item]):
    """One page of a longer list."""

    items: list[Item]
    total: int = Field(description="Items matching the request, over all pages.")
    limit: int
    offset: int
    next: str | None = Field(description="The URL of the next page; null on the last page.")


def next_link(request: Request, page: PageParams, total: int) -> str | None:
    """The URL of the page after ``page``, keeping the other query parameters."""
    following = page.offset + page.limit
    if following >= total:
        return None
    return str(request.url.include_query_params(limit=page.limit, offset=following))


def make_page(request: Request, page: PageParams, items: list[Item], total: int) -> Page[Item]:
    """A page of ``items`` (already cut to ``page``) out of ``total``."""
    return Page[Item](
        items=items,
        total=total,
        limit=page.limit,
        offset=page.offset,
        next=next_link(request, page, total),
    )
