"""Matching and display forms of verbatims."""

from __future__ import annotations

import pytest

from emptychair.voice.text.normalise import (
    MAX_ANALYSED_CHARACTERS,
    clean,
    normalise,
    normalise_verbatim,
)


@pytest.mark.parametrize(
    ("verbatim", "expected"),
    [
        ("Livraison RAPIDE", "livraison rapide"),
        ("Très déçu, où est ma commande ?", "tres decu, ou est ma commande ?"),
        ("l'attente était longue", "l attente etait longue"),
        ("qu'il me rembourse", "qu il me rembourse"),
        ("L’attente, j’en ai marre", "l attente, j en ai marre"),
        ("c'est jusqu'à demain", "c est jusqu a demain"),
        ("aujourd'hui", "aujourd'hui"),
        ("I don't know, it's fine", "i don't know, it's fine"),
        ("«Nul» et “cher”", '"nul" et "cher"'),
        ("<p>Colis <b>cassé</b></p>", "colis casse"),
        ("Prix&nbsp;&eacute;lev&eacute; &amp; d&eacute;lai", "prix eleve & delai"),
        ("voir https://shop.example.com/order?id=12 svp", "voir [url] svp"),
        ("see www.example.com now", "see [url] now"),
        ("Nul!!!!!", "nul!"),
        ("Vraiment ?!?!", "vraiment ?"),
        ("Bof...", "bof."),
        ("  trop   \n\t lent  ", "trop lent"),
        ("Œuvre cœur", "oeuvre coeur"),
        ("a < b et c > d", "a < b et c > d"),
        ("SAV 😡😡", "sav angry angry"),
        ("Parfait 👍", "parfait good"),
        ("❤️", "love"),
        ("👍🏽", "good"),
        ("🦄🚀", ""),
        ("super 😂🦄", "super funny"),
        ("'; DROP TABLE customers; --", "'; drop table customers; -"),
    ],
)
def test_normalise_gives_the_matching_form(verbatim: str, expected: str) -> None:
    assert normalise(verbatim) == expected


@pytest.mark.parametrize("blank", [None, "", " ", "\n\t  "])
def test_normalise_and_clean_give_empty_text_for_blank_input(blank: str | None) -> None:
    assert normalise(blank) == ""
    assert clean(blank) == ""
    assert normalise_verbatim(blank).truncated is False


@pytest.mark.parametrize(
    ("verbatim", "expected"),
    [
        ("<p>Très&nbsp;déçu</p>\n\n  du service", "Très déçu du service"),
        ("Livraison   RAPIDE 👍", "Livraison RAPIDE 👍"),
        ("<br/>L’attente", "L’attente"),
        ("Merci !!!", "Merci !!!"),
    ],
)
def test_clean_keeps_case_accents_and_emoji(verbatim: str, expected: str) -> None:
    assert clean(verbatim) == expected


def test_long_verbatims_are_cut_and_flagged() -> None:
    verbatim = "très déçu du service " * 2_500
    assert len(verbatim) > 50_000
    result = normalise_verbatim(verbatim)
    assert result.truncated is True
    assert len(result.text) <= MAX_ANALYSED_CHARACTERS
    assert result.text.startswith("tres decu du service")
    assert not result.text.endswith(" ")


def test_short_verbatims_are_not_flagged() -> None:
    assert normalise_verbatim("Colis reçu").truncated is False
