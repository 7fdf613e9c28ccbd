"""Tell French verbatims from English ones, offline.

Detection relies on `lingua <https://github.com/pemistahl/lingua-py>`_
(``lingua-language-detector``), whose wheel ships its language models, restricted to French and
English. A text is "unknown" when

- it holds fewer than :data:`MIN_LETTERS` letters once HTML, URLs, e-mail addresses, digits and
  emoji are removed ("👍", "10/10"),
- every word of it is shared by both languages (:data:`SHARED_WORDS`: "ok", "top", "super"), or
- lingua finds the two languages too close to call (relative distance below
  :data:`MIN_RELATIVE_DISTANCE`).

A text mixing both languages gets the language that dominates its first
:data:`MAX_DETECTED_CHARACTERS` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from emptychair.voice.text.normalise import clean

LanguageCode = Literal["fr", "en", "unknown"]

MIN_LETTERS = 2
"""Texts with fewer letters than this are "unknown"."""

MIN_RELATIVE_DISTANCE = 0.1
"""Lingua's minimum relative distance between French and English for a verdict."""

MAX_DETECTED_CHARACTERS = 1_000
"""Only the beginning of a long text is read: more adds time, not accuracy."""

SHARED_WORDS = frozenset(
    {"ok", "okay", "oki", "okey", "top", "super", "cool", "nickel", "bof", "ras", "na"}
    | {"bravo", "lol", "mdr", "wow", "ouf", "no", "a", "x", "bien", "bon"}
)
"""Words that, alone, say nothing reliable of the language ("ok", "top", "super" are used in
both; lingua cannot place "bof" or "no" from so few letters): a reply made only of them is
"unknown"."""

_NOT_WORDS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|[\d_]+|[^\w\s'’-]", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_CODES: dict[Language, LanguageCode] = {Language.FRENCH: "fr", Language.ENGLISH: "en"}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return (
        LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH)
        .with_minimum_relative_distance(MIN_RELATIVE_DISTANCE)
        .build()
    )


def _words_only(text: str) -> str:
    return " ".join(_NOT_WORDS.sub(" ", clean(text)[:MAX_DETECTED_CHARACTERS]).split())


def detect_language(text: str | None) -> LanguageCode:
    """Return the language of a verbatim: "fr", "en" or "unknown".

    Parameters
    ----------
    text : str or None
        The verbatim as the customer wrote it. None, a missing value (NaN) or blank text is
        "unknown".

    Returns
    -------
    {"fr", "en", "unknown"}
        The dominant language, or "unknown" when the text is too short or ambiguous.

    Examples
    --------
    >>> detect_language("colis jamais reçu")
    'fr'
    >>> detect_language("never received my parcel")
    'en'
    >>> detect_language("ok 👍")
    'unknown'
    """
    if not isinstance(text, str) or not text.strip():
        return "unknown"
    words = _words_only(text)
    if len(_LETTER.findall(words)) < MIN_LETTERS:
        return "unknown"
    if all(word.strip("'’-") in SHARED_WORDS for word in words.casefold().split()):
        return "unknown"
    language = _detector().detect_language_of(words)
    return _CODES.get(language, "unknown") if language is not None else "unknown"


def detect_languages(texts: Iterable[str | None]) -> list[LanguageCode]:
    """Return the language of each verbatim, in order.

    Parameters
    ----------
    texts : iterable of str or None
        Verbatims, e.g. a list or a pandas Series of text.

    Returns
    -------
    list of {"fr", "en", "unknown"}
        One code per verbatim, as :func:`detect_language` gives it.
    """
    return [detect_language(text) for text in texts]
