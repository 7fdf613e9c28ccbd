"""Reading scenarios: the written form, mappings and files; nonsense is refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from emptychair.errors import InvalidParameterError
from emptychair.impact.scenarios import (
    Scenario,
    as_scenarios,
    describe,
    parse_scenario,
    read_scenarios,
    scenario_from_mapping,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("items+1@5% in visitors", Scenario("items", "absolute", 1.0, 0.05, "visitors")),
        ("retention +2pt in at risk", Scenario("retention", "points", 2.0, 1.0, "at risk")),
        ("retention + 2 points", Scenario("retention", "points", 2.0)),
        ("conversion -10%", Scenario("conversion", "relative", -0.1)),
        ("basket +5% in 'tier:top'", Scenario("basket", "relative", 0.05, 1.0, "tier:top")),
        ("irritant:delivery x0.5", Scenario("irritant", "factor", 0.5, theme="delivery")),
        ("mentions:delivery -50%", Scenario("irritant", "relative", -0.5, theme="delivery")),
        ("Items_Per_Order +0.5", Scenario("items", "absolute", 0.5)),
        ("margin_rate +1pt @ 20%", Scenario("margin", "points", 1.0, 0.2)),
    ],
)
def test_written_scenarios(text: str, expected: Scenario) -> None:
    found = parse_scenario(text)
    assert (found.lever, found.mode, found.amount, found.share, found.segment, found.theme) == (
        expected.lever,
        expected.mode,
        pytest.approx(expected.amount),
        pytest.approx(expected.share),
        expected.segment,
        expected.theme,
    )
    assert found.label == text.strip()
    again = parse_scenario(describe(found))
    assert (again.lever, again.mode, again.share, again.segment) == (
        found.lever,
        found.mode,
        found.share,
        found.segment,
    )
    assert again.amount == pytest.approx(found.amount)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "cannot read the scenario"),
        ("more sales please", "cannot read the scenario"),
        ("happiness +5%", "unknown lever 'happiness'"),
        ("irritant x0.5", "needs a theme"),
        ("items:delivery +1", "only irritant takes a :THEME"),
        ("retention x2", "retention does not take a factor change"),
        ("retention +2", "points \\(\\+2pt\\)"),
        ("visitors +10@5%", "a share applies to a rate or an average"),
        ("customers +5%@50%", "not to customers"),
        ("items +0", "leaves items_per_order as it is"),
        ("irritant:delivery x1", "leaves retention as it is"),
        ("basket -100%", "-100% would remove every basket"),
        ("basket -150%", "cannot go below -100%"),
        ("retention +150pt", "at most 100 points"),
        ("items+1@0%", "share must lie in"),
        ("items+1@120%", "share must lie in"),
        ("conversion +1pt in champions", "visitors are anonymous"),
        ("items +1.2.3", "cannot read the numbers"),
    ],
)
def test_nonsense_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        parse_scenario(text)


def test_mappings_and_mixed_lists() -> None:
    found = scenario_from_mapping(
        {
            "lever": "items",
            "change": "1",
            "share": "5%",
            "segment": "visitors",
            "name": "cross-sell",
        }
    )
    assert (found.mode, found.amount, found.share, found.label) == (
        "absolute",
        1.0,
        0.05,
        "cross-sell",
    )
    assert (
        scenario_from_mapping({"lever": "retention", "change": "+2pt", "share": 0.5}).share == 0.5
    )
    mixed = as_scenarios(["price+2%", {"lever": "margin", "change": "+1pt"}, found])
    assert [s.lever for s in mixed] == ["price", "margin", "items"]
    with pytest.raises(InvalidParameterError, match="unknown field\\(s\\) levier"):
        scenario_from_mapping({"levier": "items", "change": "+1"})
    with pytest.raises(InvalidParameterError, match="at least a lever and a change"):
        scenario_from_mapping({"lever": "items"})
    with pytest.raises(InvalidParameterError, match="share 'half' is not a number"):
        scenario_from_mapping({"lever": "items", "change": "+1", "share": "half"})
    with pytest.raises(InvalidParameterError, match="at least one scenario"):
        as_scenarios([])


def test_scenario_files_in_yaml_and_toml(tmp_path: Path) -> None:
    yaml_file = tmp_path / "plan.yaml"
    yaml_file.write_text(
        "scenarios:\n"
        "  - lever: items\n    change: '+1'\n    share: 5%\n    segment: visitors\n"
        "  - retention +2pt in at risk\n",
        encoding="utf-8",
    )
    toml_file = tmp_path / "plan.toml"
    toml_file.write_text(
        '[[scenarios]]\nlever = "irritant:delivery"\nchange = "x0.5"\nname = "fix delivery"\n',
        encoding="utf-8",
    )
    from_yaml = read_scenarios(yaml_file)
    assert [(s.lever, s.share, s.segment) for s in from_yaml] == [
        ("items", 0.05, "visitors"),
        ("retention", 1.0, "at risk"),
    ]
    (fixed,) = read_scenarios(toml_file)
    assert (fixed.theme, fixed.amount, fixed.label) == ("delivery", 0.5, "fix delivery")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  - lever: items\n    change: '+1'\n    share: 300%\n")
    with pytest.raises(InvalidParameterError, match="share must lie in"):
        read_scenarios(bad)
    bad.write_text("scenarios: [")
    with pytest.raises(InvalidParameterError, match="not valid YAML/TOML"):
        read_scenarios(bad)
    bad.write_text("nothing: here\n")
    with pytest.raises(InvalidParameterError, match="non-empty list 'scenarios'"):
        read_scenarios(bad)
    with pytest.raises(InvalidParameterError, match="no scenario file"):
        read_scenarios(tmp_path / "missing.yaml")
