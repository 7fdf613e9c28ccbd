"""Clauses split at sentence ends and contrast markers."""

from __future__ import annotations

import pytest

from emptychair.voice.text.clauses import Clause, split_clauses


def texts(verbatim: str, language: str = "unknown") -> list[str]:
    return [clause.text for clause in split_clauses(verbatim, language)]


@pytest.mark.parametrize(
    ("verbatim", "language", "expected"),
    [
        ("livraison rapide mais produit cassé", "fr", ["livraison rapide", "produit cassé"]),
        ("Great product. Delivery was late though.", "en", ["Great product", "Delivery was late"]),
        (
            "Produit conforme, par contre le SAV est injoignable",
            "fr",
            ["Produit conforme", "le SAV est injoignable"],
        ),
        ("Prix correct ; livraison lente", "fr", ["Prix correct", "livraison lente"]),
        ("Bon produit sauf que la notice manque", "fr", ["Bon produit", "la notice manque"]),
        ("Cher, cependant très solide", "fr", ["Cher", "très solide"]),
        ("Joli pourtant fragile", "fr", ["Joli", "fragile"]),
        ("Nice fabric but too small", "en", ["Nice fabric", "too small"]),
        ("Fits well, however the colour faded", "en", ["Fits well", "the colour faded"]),
        ("Although it arrived late, it works", "en", ["it arrived late, it works"]),
        ("All good except the box", "en", ["All good", "the box"]),
        ("rapide et bien emballé", "fr", ["rapide et bien emballé"]),
        ("fast and well packed", "en", ["fast and well packed"]),
        ("Jamais reçu !!! Remboursez-moi ?", "fr", ["Jamais reçu", "Remboursez-moi"]),
        ("Ligne un\nLigne deux", "fr", ["Ligne un", "Ligne deux"]),
        ("Merci M. Durand pour votre aide.", "fr", ["Merci M. Durand pour votre aide"]),
        ("Prix 129.90 € mais livré", "fr", ["Prix 129.90 €", "livré"]),
        ("Butter and bread", "en", ["Butter and bread"]),
        ("Jamais content", "fr", ["Jamais content"]),
        ("livraison rapide mais produit cassé", "unknown", ["livraison rapide", "produit cassé"]),
        ("good but broken", "unknown", ["good", "broken"]),
    ],
)
def test_clauses_are_split_at_sentences_and_contrast(
    verbatim: str, language: str, expected: list[str]
) -> None:
    assert texts(verbatim, language) == expected


def test_contrast_is_reported_and_positions_point_into_the_text() -> None:
    verbatim = "livraison rapide mais produit cassé"
    assert split_clauses(verbatim, "fr") == [
        Clause("livraison rapide", 0, 16, after_contrast=False),
        Clause("produit cassé", 22, 35, after_contrast=True),
    ]


def test_trailing_though_flags_the_clause_it_ends() -> None:
    clauses = split_clauses("Great product. Delivery was late though.", "en")
    assert [clause.after_contrast for clause in clauses] == [False, True]


def test_a_sentence_opening_with_mais_is_after_contrast() -> None:
    clauses = split_clauses("Le produit est beau. Mais il est arrivé cassé.", "fr")
    assert [(clause.text, clause.after_contrast) for clause in clauses] == [
        ("Le produit est beau", False),
        ("il est arrivé cassé", True),
    ]


def test_french_markers_do_not_split_english_text() -> None:
    assert texts("mais is corn in French", "en") == ["mais is corn in French"]


@pytest.mark.parametrize("blank", [None, "", "   ", "\n", "...", "mais", "👍"])
def test_blank_or_marker_only_text_gives_no_or_one_clause(blank: str | None) -> None:
    clauses = split_clauses(blank, "fr")
    assert all(clause.text.strip() for clause in clauses)
    assert len(clauses) <= 1


def test_emoji_only_text_is_one_clause() -> None:
    assert texts("👍👍", "fr") == ["👍👍"]


def test_bad_input_is_split_safely() -> None:
    assert texts("'; DROP TABLE customers; --", "en") == ["DROP TABLE customers"]
    assert texts("<b>Bien</b> mais cher", "fr") == ["<b>Bien</b>", "cher"]


def test_long_text_positions_match_the_text() -> None:
    verbatim = "Livraison rapide mais produit cassé. " * 1_400
    clauses = split_clauses(verbatim, "fr")
    assert len(clauses) == 2_800
    assert all(verbatim[clause.start : clause.end] == clause.text for clause in clauses)
