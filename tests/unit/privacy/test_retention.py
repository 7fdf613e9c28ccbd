"""Retention on a hand-built case: exactly the persons whose last own contact is too old."""

from __future__ import annotations

from datetime import date

import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError
from emptychair.privacy import erasure_receipts, is_suppressed, purge_expired
from emptychair.privacy.retention import retention_cut
from emptychair.workspace.settings import Settings

TODAY = date(2026, 6, 30)


def test_the_cut_is_the_same_day_years_earlier() -> None:
    assert retention_cut(TODAY, 3) == date(2023, 6, 30)
    assert retention_cut(date(2024, 2, 29), 1) == date(2023, 2, 28)


def test_a_dry_run_finds_exactly_the_persons_past_the_period(people: Workspace) -> None:
    # last own contacts: C1+S1 one person, S1's order 2022-06-01; C2 2024-05-05;
    # C3 only an outbound e-mail (2025), signed up 2020; C4 a complaint 2023-07-01
    report = purge_expired(people, years=3, today=TODAY)
    assert report.cut == date(2023, 6, 30)
    assert report.customer_ids == ["C1", "C3"]
    assert report.dry_run and report.receipts == [] and people.count("customers") == 5
    # two days later C4's complaint is past the period too; C2 (2024) is not
    assert purge_expired(people, years=3, today=date(2026, 7, 2)).customer_ids == [
        "C1",
        "C3",
        "C4",
    ]
    assert purge_expired(people, years=1, today=TODAY).persons == 4


def test_applying_erases_them_without_suppressing_them(people: Workspace) -> None:
    report = purge_expired(people, years=3, today=TODAY, dry_run=False)
    assert [r.reason for r in report.receipts] == ["retention", "retention"]
    assert [r.records for r in report.receipts] == [2, 1]
    remaining = set(people.to_pandas(people.table("customers"))["customer_id"])
    assert remaining == {"C2", "C4"}
    assert erasure_receipts(people, "C3")["reason"].tolist() == ["retention"]
    # a person purged for retention may come back as a customer
    assert not is_suppressed(people, "C1")
    assert purge_expired(people, years=3, today=TODAY).customer_ids == []


def test_the_period_comes_from_the_settings(people: Workspace) -> None:
    people.settings.privacy.retention_years = 1
    assert purge_expired(people, today=TODAY).years == 1
    with pytest.raises(InvalidParameterError, match="--years 0"):
        purge_expired(people, years=0, today=TODAY)


def test_old_settings_files_stay_valid() -> None:
    old = Settings.from_dict({"name": "x", "identity": {"match_on": ["email"]}})
    assert old.privacy.retention_years == 3
    assert Settings.from_dict({"privacy": {"retention_years": 5}}).privacy.retention_years == 5
