"""Scorecard KPIs on a hand-built workspace whose every count is known."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from emptychair import Workspace
from emptychair.errors import InvalidParameterError
from emptychair.scorecard import ScorecardSettings, kpi_table

INTERACTIONS = (
    "interaction_id,customer_id,occurred_at,channel,touchpoint,direction,reason,duration_s,outcome,"
    "team\n"
    """I01,C1,2024-01-01 10:00:00,phone,call,inbound,delivery,100,unresolved,Team A
I02,C1,2024-01-03 09:00:00,phone,queue,inbound,delivery,60,,Team B
I03,C1,2024-01-03 09:01:00,phone,call,inbound,delivery,300,resolved,Team B
I04,C2,2024-01-10 10:00:00,phone,call,inbound,billing,200,resolved,Team A
I05,C2,2024-01-12 10:00:00,phone,call,inbound,delivery,500,resolved,Team B
I06,C3,2024-01-20 10:00:00,phone,call,inbound,refund,300,resolved,Team A
I07,C3,2024-02-05 10:00:00,phone,call,inbound,refund,400,resolved,Team A
I08,C3,2024-02-10 10:00:00,phone,call,outbound,refund,900,resolved,Team A
I09,C1,2024-02-28 10:00:00,phone,call,inbound,product,100,resolved,Team B
I10,C2,2024-03-01 10:00:00,web,visit,inbound,,30,,
"""
)
ORDERS = """order_id,customer_id,ordered_at,amount
O1,C1,2024-02-15 12:00:00,50
O2,C3,2024-01-25 12:00:00,20
O3,C2,2024-12-01 12:00:00,10
"""
COMPLAINTS = """complaint_id,customer_id,opened_at,closed_at,status,team,channel
R1,C1,2024-01-02 10:00:00,2024-01-06 10:00:00,closed,Team A,phone
"""
FEEDBACK = """feedback_id,customer_id,received_at,kind,score,scale_max,channel
F1,C1,2024-01-02 12:00:00,csat,2,5,phone
F2,C2,2024-01-13 12:00:00,csat,5,5,phone
"""


@pytest.fixture
def contact_centre(with_customers: Workspace, write_file: Callable[..., Path]) -> Workspace:
    for table, content in (
        ("interactions", INTERACTIONS),
        ("orders", ORDERS),
        ("complaints", COMPLAINTS),
        ("feedback", FEEDBACK),
    ):
        result = with_customers.import_file(table, write_file(f"{table}.csv", content))
        assert result.rows_quarantined == 0, table
    return with_customers


def test_counts_of_each_team_follow_the_definitions(contact_centre: Workspace) -> None:
    kpis = kpi_table(contact_centre, "team").set_index("team")
    a, b = kpis.loc["Team A"], kpis.loc["Team B"]
    # Waits (I02) and outbound calls (I08) are not handled contacts.
    assert (a["handled"], b["handled"]) == (4, 3)
    assert a["aht_s"] == pytest.approx(250.0)
    assert b["aht_s"] == pytest.approx(300.0)
    # I01 is followed by a contact for the same reason two days later; I07 comes 16 days
    # after I06; I04's next contact is for another reason.
    assert (a["fcr_n"], a["fcr_resolved"]) == (4, 3)
    # I09 is within 7 days of the last contact (I10): too recent to tell.
    assert (b["fcr_n"], b["fcr_resolved"]) == (2, 2)
    # Orders within 90 days after the contact: I01 (O1), I06 (O2); I03 (O1).
    assert (a["retention_n"], a["retained"]) == (4, 2)
    assert (b["retention_n"], b["retained"]) == (3, 1)
    assert a["complaints"] == 1
    assert a["complaints_per_1000"] == pytest.approx(250.0)
    assert a["resolution_days"] == pytest.approx(4.0)
    assert b["complaints"] == 0
    # Answers take the team of the customer's last contact in the 7 days before.
    assert (a["csat_n"], a["csat_satisfied"], b["csat_n"], b["csat_satisfied"]) == (1, 0, 1, 1)
    assert a["channel"] == "phone"


def test_longer_repeat_window_counts_more_repeats(contact_centre: Workspace) -> None:
    kpis = kpi_table(contact_centre, "team", ScorecardSettings(repeat_days=20)).set_index("team")
    # I06 → I07 (16 days) now repeats; I07 is still 25 days before the last contact.
    assert (kpis.loc["Team A", "fcr_n"], kpis.loc["Team A", "fcr_resolved"]) == (4, 2)


def test_contacts_per_agent_needs_team_sizes(contact_centre: Workspace) -> None:
    kpis = kpi_table(contact_centre, "team", ScorecardSettings(agents={"Team A": 2}))
    per_agent = kpis.set_index("team")["contacts_per_agent"]
    assert per_agent["Team A"] == pytest.approx(2.0)
    assert per_agent.isna()["Team B"]


def test_periods_split_the_counts(contact_centre: Workspace) -> None:
    kpis = kpi_table(contact_centre, "team", period="month")
    a = kpis[kpis["team"] == "Team A"].set_index("period")["handled"]
    assert a.to_dict() == {"2024-01-01": 3, "2024-02-01": 1}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"by": "agent"}, "by 'agent' is not supported"),
        ({"period": "year"}, "period 'year' is not supported"),
        ({"settings": ScorecardSettings(repeat_days=0)}, "repeat_days must be 1 day or more"),
        ({"settings": ScorecardSettings(agents={"Team A": 0})}, "agents for team 'Team A'"),
    ],
)
def test_bad_parameters_are_named(
    contact_centre: Workspace, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        kpi_table(contact_centre, **arguments)  # type: ignore[arg-type]
