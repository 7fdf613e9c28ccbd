"""Customer-service training sentences composed from the project's own lexicon.

``src/emptychair/voice/models/lexicon_<language>.csv`` (written for this project, same licence
as the code) lists, per language: service subjects ("la livraison", "the refund"), positive and
negative predicates ("rapide", "injoignable"), standalone positive and negative phrases — with
the negation scope of the register: "aucun frais caché", "pas d'attente", "no hidden fees" are
positive, "jamais reçu", "never received" negative, politeness around anger ("merci de me
rembourser rapidement") negative —, pasted company replies, intensifiers and contrast words.

:func:`composed_sentences` draws, with a fixed seed, sentences of a known polarity from it:
subject + (intensifier) + predicate, standalone phrases, both together, contrast ("X mais Y"
takes the polarity of Y, the clause after the contrast), a negated positive predicate, and a
company reply pasted after a third of them (so that the reply's own words carry no polarity).
``bench/train_sentiment.py`` adds them to the training rows. They never come from cx-eval.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

LEXICON_DIRECTORY = Path(__file__).resolve().parents[1] / "src/emptychair/voice/models"
NEGATION = {"fr": "{subject} n'est pas {predicate}", "en": "{subject} was not {predicate}"}
LINK = {"fr": "{subject} {predicate}", "en": "{subject} was {predicate}"}
REPLY_SHARE = 0.3


def read_lexicon(language: str) -> dict[str, list[str]]:
    """The lexicon of a language, as lists of entries by kind."""
    table = pd.read_csv(LEXICON_DIRECTORY / f"lexicon_{language}.csv")
    return {kind: group["text"].tolist() for kind, group in table.groupby("kind")}


def composed_sentences(language: str, rows: int = 3_000, seed: int = 0) -> pd.DataFrame:
    """Sentences of known polarity composed from the lexicon: ``text`` and ``label`` (1 / 0).

    Half positive, half negative; deterministic for a given seed.
    """
    lexicon = read_lexicon(language)
    rng = np.random.default_rng(seed)
    pick = lambda kind: str(rng.choice(lexicon[kind]))  # noqa: E731

    def clause(positive: bool) -> str:
        good, phrase = ("good", "good_phrase") if positive else ("bad", "bad_phrase")
        form = rng.integers(0, 4)
        predicate = pick(good)
        if rng.random() < 0.3:
            predicate = f"{pick('intensifier')} {predicate}"
        simple = LINK[language].format(subject=pick("subject"), predicate=predicate)
        if form == 0:
            return simple
        if form == 1:
            return pick(phrase)
        if form == 2:
            return f"{simple}, {pick(phrase)}"
        if positive:
            return f"{pick('good_phrase')}, {simple}"
        return NEGATION[language].format(subject=pick("subject"), predicate=pick("good"))

    texts, labels = [], []
    for row in range(rows):
        positive = row % 2 == 0
        text = clause(positive)
        if rng.random() < 0.15:
            text = f"{clause(not positive)} {pick('contrast')} {text}"
        if rng.random() < 0.3:
            text = f"{text} {clause(positive)}"
        if rng.random() < REPLY_SHARE:
            text = f"{text}. {pick('reply')}"
        texts.append(text[0].upper() + text[1:])
        labels.append(int(positive))
    return pd.DataFrame({"text": texts, "label": labels})
