"""French / English detection on real reviews and customer-service phrases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from emptychair.voice.text.language import detect_language, detect_languages

REVIEWS = Path("/work/shared/data/reviews")
needs_reviews = pytest.mark.skipif(not REVIEWS.is_dir(), reason="review data not available")


@pytest.mark.parametrize(
    "phrase",
    [
        "colis jamais reçu",
        "remboursement toujours en attente",
        "service client injoignable",
        "à fuir",
        "frais cachés",
        "le colis est arrivé cassé",
        "je veux être remboursé",
        "taille trop petite",
        "merci",
        "nul",
        "parfait",
        "service client au top",
        "Très déçu 😡 https://example.com/commande/123",
    ],
)
def test_french_phrases_are_french(phrase: str) -> None:
    assert detect_language(phrase) == "fr"


@pytest.mark.parametrize(
    "phrase",
    [
        "never received my parcel",
        "the delivery was late",
        "great service thanks",
        "too expensive",
        "where is my refund?",
        "wrong size",
        "customer service was rude",
        "<p>Love this dress!</p>",
    ],
)
def test_english_phrases_are_english(phrase: str) -> None:
    assert detect_language(phrase) == "en"


@pytest.mark.parametrize(
    "text",
    [
        None,
        float("nan"),
        "",
        "   ",
        "ok",
        "OK !",
        "super",
        "top",
        "👍",
        "😡😡",
        "10/10",
        "A+",
        "???",
    ],
)
def test_empty_or_language_neutral_text_is_unknown(text: str | None) -> None:
    assert detect_language(text) == "unknown"


def test_mixed_text_gets_the_dominant_language() -> None:
    text = (
        "Commande passée il y a trois semaines, toujours rien reçu et personne ne répond "
        "au téléphone. Very disappointed."
    )
    assert detect_language(text) == "fr"


def test_bad_input_does_not_break_detection() -> None:
    assert detect_language("'; DROP TABLE customers; --") in {"en", "unknown"}
    assert detect_language("<script>alert('x')</script>") in {"en", "fr", "unknown"}
    assert detect_language("livraison très lente " * 2_500) == "fr"


def test_detect_languages_keeps_order_and_accepts_a_series() -> None:
    texts = pd.Series(["colis jamais reçu", None, "never received my parcel", "👍"])
    assert detect_languages(texts) == ["fr", "unknown", "en", "unknown"]
    assert detect_languages([]) == []


@needs_reviews
def test_french_reviews_are_recognised() -> None:
    reviews = pd.read_csv(REVIEWS / "fr_allocine_test.csv.gz")["text"].dropna().head(1_000)
    languages = detect_languages(reviews)
    assert languages.count("fr") / len(languages) >= 0.98


@needs_reviews
def test_english_reviews_are_recognised() -> None:
    reviews = pd.read_csv(REVIEWS / "en_womens_clothing_reviews.csv.gz")["Review Text"]
    languages = detect_languages(reviews.dropna().head(1_000))
    assert languages.count("en") / len(languages) >= 0.98
