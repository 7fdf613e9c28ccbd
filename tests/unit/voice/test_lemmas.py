"""Lemmas and stop words for keyword labels."""

from __future__ import annotations

import pytest

from emptychair.errors import InvalidParameterError
from emptychair.voice.text.lemmas import (
    english_lemma,
    french_lemma,
    is_common_french_word,
    is_stop_word,
    keywords,
    keywords_many,
    lemmatise,
)


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("cartes", "carte"),
        ("Cadeaux", "cadeau"),
        ("expirées", "expirer"),
        ("livrées", "livrer"),
        ("remboursé", "rembourser"),
        ("était", "être"),
        ("Zorglub", "zorglub"),
    ],
)
def test_french_lemmas_come_from_the_table(word: str, lemma: str) -> None:
    assert french_lemma(word) == lemma


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("Cards", "card"),
        ("deliveries", "delivery"),
        ("boxes", "box"),
        ("watches", "watch"),
        ("glasses", "glass"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("bus", "bus"),
        ("expired", "expired"),
        ("fee", "fee"),
    ],
)
def test_english_plurals_are_removed(word: str, lemma: str) -> None:
    assert english_lemma(word) == lemma


def test_french_keywords_drop_stop_words_digits_and_placeholders() -> None:
    verbatim = "Ma carte cadeau de 50 € a expiré avant Noël ! Appelez [name] au [phone]"
    assert keywords(verbatim, "fr") == ["carte", "cadeau", "expirer", "noël", "appeler"]


def test_english_keywords_drop_stop_words() -> None:
    verbatim = "The gift cards I was given have expired and the codes don't work"
    assert keywords(verbatim, "en") == ["gift", "card", "given", "expired", "code", "work"]


def test_elisions_and_hyphens_split_words() -> None:
    assert lemmatise("l'attente des cartes-cadeaux", "fr") == [
        "l",
        "attente",
        "un",
        "carte",
        "cadeau",
    ]


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [
        ("Très", "fr", True),
        ("tres", "fr", True),
        ("être", "fr", True),
        ("bonjour", "fr", True),
        ("carte", "fr", False),
        ("The", "en", True),
        ("don't", "en", True),
        ("refund", "en", False),
    ],
)
def test_stop_words_ignore_case_and_accents(word: str, language: str, expected: bool) -> None:
    assert is_stop_word(word, language) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("livraison", True), ("Rapide", True), ("livrées", True), ("Dupont", False), ("Karim", False)],
)
def test_common_french_words_are_known(word: str, expected: bool) -> None:
    assert is_common_french_word(word) is expected


def test_missing_text_has_no_lemma() -> None:
    assert lemmatise(None, "fr") == []
    assert keywords("", "en") == []


def test_unknown_language_is_named() -> None:
    with pytest.raises(InvalidParameterError, match="'de'"):
        lemmatise("Hallo", "de")


def test_keywords_of_many_texts() -> None:
    assert keywords_many(["cartes cadeaux", "gift cards"], ["fr", "en"]) == [
        ["carte", "cadeau"],
        ["gift", "card"],
    ]
    assert keywords_many(["cartes", "codes"], "fr") == [["carte"], ["code"]]
    with pytest.raises(InvalidParameterError, match="1 languages for 2 texts"):
        keywords_many(["a", "b"], ["fr"])
