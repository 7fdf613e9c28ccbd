"""Sentiment of customer verbatims: clear cases, clauses, odd inputs, held-out quality."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emptychair.errors import InvalidParameterError
from emptychair.voice.sentiment import (
    MODEL_DIRECTORY,
    NEUTRAL_BAND,
    SentimentModel,
    char_ngrams,
    load_model,
    model_metadata,
    score_clause_table,
    score_clauses,
    score_texts,
    sentiment_label,
    word_ngrams,
)
from emptychair.voice.text import normalise

REVIEWS = Path("/work/shared/data/reviews")
ALLOCINE_TEST = REVIEWS / "fr_allocine_test.csv.gz"
CLOTHING = REVIEWS / "en_womens_clothing_reviews.csv.gz"
HELD_OUT_SAMPLE = 400
HELD_OUT_MACRO_F1_FLOOR = 0.87
"""Measured 0.895 on this sample (0.910 on the whole French test split), minus a margin."""
ENGLISH_SAMPLE = 1_500
ENGLISH_MACRO_F1_FLOOR = 0.87
"""Measured 0.891 on this sample of the English test split (0.901 on all of it), minus a margin."""
ENGLISH_SPEARMAN_FLOOR = 0.67
"""Measured 0.706 with the 1–5 stars of this sample (0.706 on all of it), minus a margin."""


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Colis jamais reçu, remboursement toujours en attente", "fr", "negative"),
        ("Conseiller injoignable, une heure d'attente", "fr", "negative"),
        ("Attention aux frais cachés, à fuir", "fr", "negative"),
        ("Je ne suis pas satisfait du service", "fr", "negative"),
        ("Livraison rapide, conseiller très aimable", "fr", "positive"),
        ("Très contente de ma commande, je recommande", "fr", "positive"),
        ("I never received my parcel", "en", "negative"),
        ("I was on hold for an hour, not happy", "en", "negative"),
        ("Hidden fees everywhere, avoid", "en", "negative"),
        ("Quick refund and a very friendly agent", "en", "positive"),
        ("Great service, thank you!", "en", "positive"),
    ],
)
def test_clear_customer_service_sentences(text: str, language: str, label: str) -> None:
    given = score_texts([text], language)
    detected = score_texts([text])
    assert given.label.tolist() == [label]
    assert detected.language.tolist() == [language]
    assert detected.label.tolist() == [label]


@pytest.mark.parametrize(
    ("plain", "negated", "language"),
    [
        ("satisfait", "pas satisfait", "fr"),
        ("content", "pas content", "fr"),
        ("happy", "not happy", "en"),
        ("satisfied", "not satisfied", "en"),
    ],
)
def test_negation_turns_the_sentiment(plain: str, negated: str, language: str) -> None:
    assert score_texts([plain, negated], language).label.tolist() == ["positive", "negative"]


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        # Negation scope: the negated irritant is praise.
        ("Aucun frais caché, tout est clair", "fr", "positive"),
        ("Pas d'attente au guichet, rien à redire", "fr", "positive"),
        pytest.param(
            "No hidden fees and no waiting",
            "en",
            "positive",
            marks=pytest.mark.xfail(
                strict=True, reason="known weakness: English has no customer-service training set"
            ),
        ),
        ("Colis jamais reçu malgré mes relances", "fr", "negative"),
        # Politeness around anger.
        ("Merci de me rembourser au plus vite", "fr", "negative"),
        ("Please refund me as soon as possible", "en", "negative"),
        # Contrast and missing accents: the clause after "mais" / "but" decides.
        ("Conseiller tres aimable mais toujours pas rembourse", "fr", "negative"),
        ("Friendly staff but my parcel never arrived", "en", "negative"),
        # A pasted company reply does not turn the customer's verbatim.
        (
            "Service client injoignable depuis trois semaines. Réponse de l'entreprise : "
            "Bonjour, nous sommes désolés pour la gêne occasionnée. Cordialement",
            "fr",
            "negative",
        ),
        (
            "Livraison rapide, je recommande. Réponse de l'entreprise : Bonjour, nous sommes "
            "désolés pour la gêne occasionnée. Cordialement",
            "fr",
            "positive",
        ),
        (
            "Quick and easy, thank you. Hi, we are sorry for the inconvenience. Kind regards",
            "en",
            "positive",
        ),
    ],
)
def test_customer_service_register(text: str, language: str, label: str) -> None:
    assert score_texts([text], language).label.tolist() == [label]


@pytest.mark.parametrize(("text", "language"), [("pas mal", "fr"), ("not bad", "en")])
def test_negated_criticism_is_praise(text: str, language: str) -> None:
    assert score_texts([text], language).label.tolist() == ["positive"]


def test_clauses_are_scored_one_by_one() -> None:
    clauses = score_clauses("livraison rapide mais produit cassé", "fr")
    assert clauses.clause.tolist() == ["livraison rapide", "produit cassé"]
    assert clauses.label.tolist() == ["positive", "negative"]
    assert clauses.after_contrast.tolist() == [False, True]


def test_clause_table_scores_many_verbatims_in_one_batch() -> None:
    texts = ["livraison rapide mais produit cassé", None, "great support, thanks", "   "]
    table = score_clause_table(texts, ["fr", "fr", "en", "en"])
    assert table.verbatim.tolist() == [0, 0, 2]
    assert table.clause.tolist() == ["livraison rapide", "produit cassé", "great support, thanks"]
    assert table.label.tolist() == ["positive", "negative", "positive"]
    assert table.language.tolist() == ["fr", "fr", "en"]
    one_by_one = score_clauses(texts[0], "fr")
    np.testing.assert_allclose(table.sentiment[:2], one_by_one.sentiment, atol=1e-12)
    assert score_clause_table([]).empty


def _reference_probability(model: SentimentModel, text: str) -> float:
    """The model's formula written out n-gram by n-gram, without the batch machinery."""
    logit = model.intercept
    for block, grams in ((model.word, word_ngrams(text)), (model.char, char_ngrams(text))):
        columns = [block.terms.get_loc(gram) for gram in grams if gram in block.terms]
        if columns:
            counts = pd.Series(columns).value_counts()
            values = (1.0 + np.log(counts.to_numpy())) * block.idf[counts.index]
            logit += float(values @ block.coef[counts.index]) / float(np.sqrt(values @ values))
    return 1.0 / (1.0 + math.exp(-logit))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_batch_scoring_follows_the_formula_text_by_text(language: str) -> None:
    texts = [
        "colis jamais reçu, service client injoignable !",
        "quick refund, thanks",
        "très très très bien bien",
        "中文 ümlaut 𝔘 ok",
        "a",
        "pas mal du tout? never again",
    ]
    model = load_model(language)
    expected = [_reference_probability(model, model_text) for model_text in map(normalise, texts)]
    batch = model.probability_positive(texts)
    np.testing.assert_allclose(batch, expected, atol=1e-12)
    one_by_one = [model.probability_positive([text])[0] for text in texts]
    np.testing.assert_allclose(batch, one_by_one, atol=1e-12)


def test_clauses_of_nothing() -> None:
    assert score_clauses(None).empty
    assert score_clauses("   ", "fr").empty


@pytest.mark.parametrize("text", [None, "", "   ", "🦄"])
def test_nothing_to_score_gives_a_missing_sentiment(text: str | None) -> None:
    scores = score_texts([text])
    assert math.isnan(scores.sentiment[0])
    assert scores.label[0] is None


def test_emoji_with_a_meaning_are_scored() -> None:
    scores = score_texts(["👍", "😡"])
    assert scores.language.tolist() == ["unknown", "unknown"]
    assert scores.label.tolist() == ["positive", "negative"]


def test_very_long_text_is_scored() -> None:
    scores = score_texts(["Service client injoignable. " * 2_000])
    assert scores.label.tolist() == ["negative"]
    assert len("x" * 50_000) == 50_000
    assert -1 <= score_texts(["x" * 50_000]).sentiment[0] <= 1


def test_series_keeps_its_index_and_languages_must_match() -> None:
    texts = pd.Series(["top", "nul"], index=["a", "b"])
    assert score_texts(texts, "fr").index.tolist() == ["a", "b"]
    with pytest.raises(InvalidParameterError, match="one each"):
        score_texts(["a", "b"], ["fr"])
    with pytest.raises(InvalidParameterError, match="No sentiment model"):
        load_model("de")


def test_neutral_band() -> None:
    assert sentiment_label(0.0) == "neutral"
    assert sentiment_label(NEUTRAL_BAND) == "positive"
    assert sentiment_label(-NEUTRAL_BAND) == "negative"
    assert sentiment_label(math.nan) is None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_shipped_model_reproduces_the_training_pipeline(language: str) -> None:
    record = model_metadata()["languages"][language]
    model = load_model(language)
    probabilities = model.probability_positive(record["reference_texts"])
    np.testing.assert_allclose(probabilities, record["reference_probabilities"], atol=1e-4)


def test_model_files_are_small() -> None:
    total = sum(path.stat().st_size for path in MODEL_DIRECTORY.glob("sentiment*"))
    assert total < 4_000_000


def test_export_matches_scikit_learn(tmp_path: Path) -> None:
    sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    scipy_sparse = pytest.importorskip("scipy.sparse")
    texts = ["tres bon service", "service nul", "pas bon du tout", "livraison rapide", "nul nul"]
    labels = [1, 0, 0, 1, 0]
    word = sklearn_text.TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True)
    char = sklearn_text.TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True)
    features = scipy_sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)])
    classifier = sklearn_linear.LogisticRegression().fit(features.tocsr(), labels)
    path = tmp_path / "model.npz"
    SentimentModel.from_estimators("fr", word, char, classifier).save(path)
    probes = ["bon service", "nul", "rapide mais nul", "zzz"]
    expected = classifier.predict_proba(
        scipy_sparse.hstack([word.transform(probes), char.transform(probes)]).tocsr()
    )[:, 1]
    np.testing.assert_allclose(
        SentimentModel.load(path).probability_positive(probes), expected, atol=1e-5
    )


def _flipped(model: SentimentModel) -> SentimentModel:
    """The model with every weight and the bias negated: p becomes 1 - p, the sentiment -s."""
    return dataclasses.replace(
        model,
        word=dataclasses.replace(model.word, coef=-model.word.coef),
        char=dataclasses.replace(model.char, coef=-model.char.coef),
        intercept=-model.intercept,
    )


MIXED = ["colis jamais reçu", "livraison rapide", "never received my parcel", "great support"]
MIXED_LANGUAGES = ["fr", "fr", "en", "en"]


def test_a_given_model_replaces_the_shipped_one_for_its_language_only() -> None:
    shipped = score_texts(MIXED, MIXED_LANGUAGES)
    models = {"en": _flipped(load_model("en"))}
    given = score_texts(MIXED, MIXED_LANGUAGES, models=models)
    np.testing.assert_allclose(given.sentiment[:2], shipped.sentiment[:2], atol=1e-12)
    np.testing.assert_allclose(given.sentiment[2:], -shipped.sentiment[2:], atol=1e-12)
    assert shipped.label.tolist() == ["negative", "positive", "negative", "positive"]
    assert given.label.tolist() == ["negative", "positive", "positive", "negative"]
    assert score_texts(MIXED, MIXED_LANGUAGES, models={}).equals(shipped)


def test_clause_scoring_uses_the_given_model() -> None:
    models = {"fr": _flipped(load_model("fr"))}
    text = "livraison rapide mais produit cassé"
    assert score_clauses(text, "fr", models=models).label.tolist() == ["negative", "positive"]
    table = score_clause_table([text, "great support"], ["fr", "en"], models=models)
    assert table.label.tolist() == ["negative", "positive", "positive"]
    shipped = score_clause_table([text, "great support"], ["fr", "en"])
    np.testing.assert_allclose(table.sentiment[:2], -shipped.sentiment[:2], atol=1e-12)
    assert table.sentiment[2] == shipped.sentiment[2]


def test_unknown_language_is_scored_with_the_given_models() -> None:
    flipped = {language: _flipped(load_model(language)) for language in ("fr", "en")}
    shipped = score_texts(["👍", "😡"])
    given = score_texts(["👍", "😡"], models=flipped)
    np.testing.assert_allclose(given.sentiment, -shipped.sentiment, atol=1e-12)


def test_given_models_are_checked() -> None:
    english = load_model("en")
    with pytest.raises(InvalidParameterError, match="'de'"):
        score_texts(["bon"], "fr", models={"de": english})
    with pytest.raises(InvalidParameterError, match=r"models\['fr'\] must be a SentimentModel"):
        score_texts(["bon"], "fr", models={"fr": english})


@pytest.mark.skipif(not ALLOCINE_TEST.exists(), reason="review data not available")
def test_held_out_french_quality() -> None:
    f1_score = pytest.importorskip("sklearn.metrics").f1_score
    test = pd.read_csv(ALLOCINE_TEST).sample(HELD_OUT_SAMPLE, random_state=0)
    predicted = (score_texts(test["text"], "fr").sentiment >= 0).astype(int)
    assert f1_score(test["label"], predicted, average="macro") >= HELD_OUT_MACRO_F1_FLOOR


@pytest.mark.skipif(not CLOTHING.exists(), reason="review data not available")
def test_held_out_english_quality_and_rank_correlation_with_stars() -> None:
    f1_score = pytest.importorskip("sklearn.metrics").f1_score
    reviews = pd.read_csv(CLOTHING, index_col=0)
    reviews = reviews[np.isin(reviews.index % 10, (7, 8, 9)) & reviews["Review Text"].notna()]
    reviews = reviews.sample(ENGLISH_SAMPLE, random_state=0)
    title = reviews["Title"].fillna("").astype(str).str.strip()
    body = reviews["Review Text"].astype(str).str.strip()
    texts = (title + ". " + body).str.strip(". ").where(title != "", body)
    sentiment = score_texts(texts, "en").sentiment.to_numpy()
    stars = reviews["Rating"].to_numpy()
    binary = stars != 3
    predicted = sentiment[binary] >= 0
    assert f1_score(stars[binary] >= 4, predicted, average="macro") >= ENGLISH_MACRO_F1_FLOOR
    spearman = pd.Series(stars).corr(pd.Series(sentiment), method="spearman")
    assert spearman >= ENGLISH_SPEARMAN_FLOOR
