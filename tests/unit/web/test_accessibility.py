"""Colour contrast of the dashboard's style sheet: WCAG AA (4.5:1 for text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (
    Path(__file__).resolve().parents[3] / "src" / "emptychair" / "web" / "templates" / "app.css"
).read_text(encoding="utf-8")
VARIABLES = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _colour(value: str) -> str:
    value = value.strip()
    if value.startswith("var(--"):
        return VARIABLES[value[6:-1]]
    return {"#fff": "#ffffff"}.get(value, value)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(_colour(foreground)), _luminance(_colour(background))))[
        ::-1
    ]
    return (lighter + 0.05) / (darker + 0.05)


def _rule(selector: str) -> dict[str, str]:
    found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert found is not None, selector
    return {
        key.strip(): value.strip()
        for key, value in (part.split(":", 1) for part in found.group(1).split(";") if ":" in part)
    }


def test_the_formula_matches_known_pairs() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("what", "foreground", "background"),
    [
        ("body text", "var(--ink)", "var(--bg)"),
        ("sources and hints", "var(--muted)", "var(--bg)"),
        ("header and navigation", "#fff", "var(--brand)"),
        ("buttons", "#fff", "var(--accent)"),
        ("links in tables", "var(--accent)", "var(--bg)"),
        ("headings", "var(--brand)", "var(--bg)"),
    ],
)
def test_text_colours_meet_aa(what: str, foreground: str, background: str) -> None:
    assert contrast(foreground, background) >= 4.5, what


def test_error_and_note_colours_meet_aa() -> None:
    assert contrast(_rule(".error")["color"], "var(--bg)") >= 4.5
    assert contrast("var(--ink)", _rule(".note")["background"]) >= 4.5
    focus = re.search(r"outline:\s*3px solid (#[0-9a-fA-F]{6})", CSS)
    assert focus is not None, "a visible keyboard focus"
    # WCAG 1.4.11: the focus ring stands out (3:1) against the header it is drawn on.
    assert contrast(focus.group(1), "var(--brand)") >= 3
