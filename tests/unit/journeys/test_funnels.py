"""Funnels on a hand-built event log whose conversions and times are known."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.journeys import read_event_log
from emptychair.journeys.funnels import funnel
from tests.unit.journeys.test_paths import minutes, write

#: visit → cart → pay:
#: J1 all three (cart at 5, pay at 20 min); J2 visit, cart (10), no pay; J3 visit then pay
#: without a cart; J4 cart BEFORE its visit, then pay (the cart does not count: it comes
#: before the visit); J5 visit, cart at the same minute, pay at 30; J6 only a cart.
ROWS = [
    ("J1", "visit", minutes(0)), ("J1", "cart", minutes(5)), ("J1", "pay", minutes(20)),
    ("J2", "visit", minutes(100)), ("J2", "cart", minutes(110)),
    ("J3", "visit", minutes(200)), ("J3", "pay", minutes(210)),
    ("J4", "cart", minutes(295)), ("J4", "visit", minutes(300)), ("J4", "pay", minutes(310)),
    ("J5", "visit", minutes(400)), ("J5", "cart", minutes(400)), ("J5", "pay", minutes(430)),
    ("J6", "cart", minutes(500)),
]  # fmt: skip


def test_conversion_drop_off_and_time_from_start(tmp_path: Path) -> None:
    log = read_event_log(write(tmp_path, ROWS))
    table = funnel(log, ["visit", "cart", "pay"])
    assert table["activity"].tolist() == ["visit", "cart", "pay"]
    assert table["journeys"].tolist() == [5, 3, 2]  # J1-J5; J1, J2, J5; J1, J5
    assert table["dropped"].tolist() == [0, 2, 1]
    assert table["conversion_from_previous"].tolist() == pytest.approx([1.0, 0.6, 2 / 3])
    assert table["conversion_from_start"].tolist() == pytest.approx([1.0, 0.6, 0.4])
    # cart: 5, 10 and 0 minutes after the visit; pay: 20 and 30 minutes.
    assert table["median_time_from_start_s"].tolist() == pytest.approx([0.0, 300.0, 1500.0])


def test_two_step_funnel_and_clear_errors(tmp_path: Path) -> None:
    log = read_event_log(write(tmp_path, ROWS))
    direct = funnel(log, ["visit", "pay"])
    assert direct["journeys"].tolist() == [5, 4]  # J1, J3, J4, J5
    with pytest.raises(InvalidParameterError, match="at least two"):
        funnel(log, ["visit"])
    with pytest.raises(InvalidParameterError, match=r"'checkout'.*include: cart, pay, visit"):
        funnel(log, ["visit", "checkout"])
    with pytest.raises(InvalidParameterError, match="no column 'channel'"):
        funnel(log, ["visit", "cart"], by="channel")
    assert isinstance(direct, pd.DataFrame)
