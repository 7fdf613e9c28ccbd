"""Split a verbatim into clauses, so that each opinion can be scored on its own.

"Livraison rapide mais produit cassé" holds two opinions of opposite sign; scoring the whole
sentence blurs both. The rule is deliberately simple:

1. split into sentences at ".", "!", "?", "…" followed by a space or the end, at line breaks and
   at ";" (a dot after a common abbreviation such as "M." or "Mr." does not end a sentence);
2. split each sentence at a contrast marker (:data:`CONTRAST_MARKERS`). The marker is left out of
   the clause text, and the clause that follows it is flagged ``after_contrast``. A marker that
   ends a sentence ("Delivery was late though.") flags the clause it ends.

Commas and "et" / "and" do not split: "rapide et bien emballé" stays one clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONTRAST_MARKERS: dict[str, tuple[str, ...]] = {
    "fr": (
        "par contre",
        "en revanche",
        "sauf que",
        "cependant",
        "pourtant",
        "toutefois",
        "néanmoins",
        "neanmoins",
        "mais",
    ),
    "en": ("however", "although", "even though", "though", "except that", "except", "but"),
}
"""Contrast markers per language; a language outside this table uses all of them."""

_ABBREVIATIONS = frozenset({"m", "mme", "mlle", "mr", "mrs", "ms", "dr", "st", "etc", "vs"})
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n+|;")
_EDGE_PUNCTUATION = " \t\r\n,:;-–—.!?…\"'«»“”()"


@dataclass(frozen=True)
class Clause:
    """One clause of a verbatim.

    Attributes
    ----------
    text : str
        The clause, without its contrast marker and edge punctuation.
    start, end : int
        Position of ``text`` in the verbatim: ``verbatim[start:end] == text``.
    after_contrast : bool
        True when a contrast marker introduces (or, at a sentence end, qualifies) the clause:
        its opinion usually outweighs the one before.
    """

    text: str
    start: int
    end: int
    after_contrast: bool


def _marker_pattern(language: str) -> re.Pattern[str]:
    markers = CONTRAST_MARKERS.get(language)
    if markers is None:
        markers = tuple(marker for group in CONTRAST_MARKERS.values() for marker in group)
    ordered = sorted(markers, key=len, reverse=True)
    words = "|".join(re.escape(marker).replace(r"\ ", r"\s+") for marker in ordered)
    return re.compile(rf"(?<![\w'’])(?:{words})(?![\w'’])", re.IGNORECASE)


_MARKER_PATTERNS = {language: _marker_pattern(language) for language in ("fr", "en", "unknown")}


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group() == "." and _ends_with_abbreviation(text, start, match.start()):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _ends_with_abbreviation(text: str, start: int, end: int) -> bool:
    words = text[start:end].split()
    return bool(words) and words[-1].casefold() in _ABBREVIATIONS


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE_PUNCTUATION:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCTUATION:
        end -= 1
    return start, end


def _sentence_clauses(text: str, start: int, end: int, markers: re.Pattern[str]) -> list[Clause]:
    pieces: list[tuple[int, int, bool]] = []
    piece_start, after_contrast = start, False
    for match in markers.finditer(text, start, end):
        pieces.append((piece_start, match.start(), after_contrast))
        piece_start, after_contrast = match.end(), True
    pieces.append((piece_start, end, after_contrast))
    clauses: list[Clause] = []
    for piece_start, piece_end, contrast in pieces:
        clause_start, clause_end = _trimmed(text, piece_start, piece_end)
        if clause_start < clause_end:
            clause_text = text[clause_start:clause_end]
            clauses.append(Clause(clause_text, clause_start, clause_end, contrast))
        elif contrast and clauses and piece_end == end:
            last = clauses[-1]
            clauses[-1] = Clause(last.text, last.start, last.end, after_contrast=True)
    return clauses


def split_clauses(text: str | None, language: str = "unknown") -> list[Clause]:
    """Split a verbatim into sentences, then clauses at contrast markers.

    Parameters
    ----------
    text : str or None
        The verbatim, preferably in display form (:func:`~emptychair.voice.text.normalise.clean`)
        so that positions point into what the user sees. None or blank text gives no clause.
    language : {"fr", "en", "unknown"}, default "unknown"
        Which contrast markers to use; "unknown" (or any other value) uses both lists.

    Returns
    -------
    list of Clause
        The clauses in reading order; empty pieces are dropped.

    Examples
    --------
    >>> [c.text for c in split_clauses("livraison rapide mais produit cassé", "fr")]
    ['livraison rapide', 'produit cassé']
    >>> [c.after_contrast for c in split_clauses("Great product. Delivery was late though.", "en")]
    [False, True]
    """
    if not isinstance(text, str) or not text.strip():
        return []
    markers = _MARKER_PATTERNS.get(language, _MARKER_PATTERNS["unknown"])
    clauses: list[Clause] = []
    for start, end in _sentence_spans(text):
        clauses.extend(_sentence_clauses(text, start, end, markers))
    return clauses
