"""Restriction and objection flags: who is left out of what, with the history kept."""

from __future__ import annotations

from datetime import datetime

import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError, NotFoundError
from emptychair.privacy import lift, restrict, restricted_ids, restriction_history


def test_each_flag_excludes_from_its_purposes(people: Workspace) -> None:
    restrict(people, "C2", "marketing", source="call", at=datetime(2026, 1, 1))
    restrict(people, "C3", "profiling", source="letter", at=datetime(2026, 1, 1))
    restrict(people, "C4", "processing", source="letter", at=datetime(2026, 1, 1))
    assert restricted_ids(people, "marketing") == {"C2", "C4"}
    assert restricted_ids(people, "profiling") == {"C3", "C4"}
    assert restricted_ids(people, "analysis") == {"C4"}


def test_a_flag_takes_the_linked_records_along(people: Workspace) -> None:
    restrict(people, "S1", "processing", source="letter")
    assert restricted_ids(people, "analysis") == {"C1", "S1"}


def test_lifting_keeps_the_history(people: Workspace) -> None:
    restrict(people, "C2", "marketing", source="call", at=datetime(2026, 1, 1))
    lift(people, "C2", "marketing", source="web", at=datetime(2026, 2, 1))
    restrict(people, "C2", "profiling", source="web", at=datetime(2026, 3, 1))
    assert restricted_ids(people, "marketing") == set()
    assert restricted_ids(people, "profiling") == {"C2"}
    history = restriction_history(people, "C2")
    assert list(zip(history["purpose"], history["restricted"], strict=True)) == [
        ("profiling", True),
        ("marketing", False),
        ("marketing", True),
    ]


def test_bad_flags_are_refused(people: Workspace) -> None:
    with pytest.raises(InvalidParameterError, match="'sales'"):
        restrict(people, "C2", "sales", source="x")
    with pytest.raises(NotFoundError, match="C9"):
        restrict(people, "C9", "marketing", source="x")
    with pytest.raises(InvalidParameterError, match="'anything'"):
        restricted_ids(people, "anything")
    assert restricted_ids(people, "marketing") == set()
