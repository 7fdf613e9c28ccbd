"""Normalise customer verbatims for matching, and clean them for display.

Two forms of the same verbatim serve two purposes:

- :func:`normalise` gives the *matching* form: lower case, accents folded, French elisions
  split ("l'attente" -> "l attente"), apostrophes and quotes unified, HTML removed, URLs
  replaced by ``[url]``, sentiment-bearing emoji turned into words, repeated punctuation
  squeezed and whitespace collapsed. Lexicons, keyword rules and models read this form.
- :func:`clean` gives the *display* form: HTML removed and whitespace collapsed, but case,
  accents and emoji kept, so that a verbatim quoted on a dashboard reads as the customer wrote it.

Only the first :data:`MAX_ANALYSED_CHARACTERS` characters of a verbatim are analysed, so that a
pasted 50,000-character e-mail thread costs no more than an ordinary review;
:func:`normalise_verbatim` reports whether the text was cut.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MAX_ANALYSED_CHARACTERS = 5_000
"""Verbatims longer than this are cut (at the last space before the limit) before analysis."""

EMOJI_WORDS: dict[str, str] = {
    "😡": "angry",
    "😠": "angry",
    "🤬": "angry",
    "😤": "angry",
    "😞": "sad",
    "😢": "sad",
    "😭": "sad",
    "☹": "sad",
    "🙁": "sad",
    "😔": "sad",
    "😕": "disappointed",
    "😒": "disappointed",
    "🤮": "disgusting",
    "🤢": "disgusting",
    "👎": "bad",
    "💩": "bad",
    "😱": "shocked",
    "😀": "happy",
    "😃": "happy",
    "😄": "happy",
    "😁": "happy",
    "😊": "happy",
    "🙂": "happy",
    "😉": "happy",
    "🥰": "love",
    "😍": "love",
    "❤": "love",
    "💖": "love",
    "💕": "love",
    "😂": "funny",
    "🤣": "funny",
    "👍": "good",
    "👌": "good",
    "👏": "good",
    "🙏": "thanks",
    "⭐": "star",
    "🌟": "star",
    "🎉": "great",
    "🔥": "great",
    "💯": "great",
}
"""Common sentiment-bearing emoji and the English word that replaces them; other emoji are
dropped. Skin-tone modifiers and the emoji variation selector are ignored."""

_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]{0,500}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\u20e3]"
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"'})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d"})
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
_ELISION = re.compile(r"\b(l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=\w)")
_REPEATED_PUNCTUATION = re.compile(r"([!?.,;:*~_-])[!?.,;:*~_-]+")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class NormalisedText:
    """A verbatim in matching form.

    Attributes
    ----------
    text : str
        The normalised text (see :func:`normalise`).
    truncated : bool
        True when the verbatim was longer than :data:`MAX_ANALYSED_CHARACTERS` and only its
        beginning was normalised.
    """

    text: str
    truncated: bool


def _cut_for_analysis(text: str) -> tuple[str, bool]:
    if len(text) <= MAX_ANALYSED_CHARACTERS:
        return text, False
    head = text[:MAX_ANALYSED_CHARACTERS]
    last_space = head.rfind(" ")
    if last_space > MAX_ANALYSED_CHARACTERS // 2:
        head = head[:last_space]
    return head, True


def _strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    return _TAG.sub(" ", text)


def _emoji_to_words(text: str) -> str:
    if text.isascii():
        return text
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, f" {word} ")
    return _EMOJI.sub(" ", text)


def _fold_accents(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return _COMBINING_MARKS.sub("", text)


def normalise_verbatim(text: str | None) -> NormalisedText:
    """Normalise a verbatim for matching and say whether it was cut.

    Parameters
    ----------
    text : str or None
        The verbatim as the customer wrote it. None counts as empty.

    Returns
    -------
    NormalisedText
        The matching form and the truncation flag.
    """
    if not text or text.isspace():
        return NormalisedText("", truncated=False)
    text, truncated = _cut_for_analysis(text)
    text = _strip_html(text)
    text = _URL.sub(" [url] ", text)
    text = _emoji_to_words(text)
    text = text.translate(_APOSTROPHES).translate(_QUOTES)
    text = _fold_accents(text.casefold())
    text = _ELISION.sub(r"\1 ", text)
    text = _REPEATED_PUNCTUATION.sub(r"\1", text)
    return NormalisedText(_WHITESPACE.sub(" ", text).strip(), truncated=truncated)


def normalise(text: str | None) -> str:
    """Return the matching form of a verbatim.

    Lower case, accents folded, French elisions split ("qu'il" -> "qu il"), typographic
    apostrophes and quotes unified, HTML tags and entities removed, URLs replaced by ``[url]``,
    emoji of :data:`EMOJI_WORDS` replaced by their word and other emoji dropped, repeated
    punctuation squeezed ("!!!" -> "!") and whitespace collapsed. Only the first
    :data:`MAX_ANALYSED_CHARACTERS` characters are kept; use :func:`normalise_verbatim` to know
    when that happened.

    Parameters
    ----------
    text : str or None
        The verbatim as the customer wrote it. None, empty or blank text gives "".

    Returns
    -------
    str
        The matching form.

    Examples
    --------
    >>> normalise("L’attente était TROP longue!!! 😡")
    'l attente etait trop longue! angry'
    """
    return normalise_verbatim(text).text


def clean(text: str | None) -> str:
    """Return the display form of a verbatim: HTML removed, whitespace collapsed.

    Case, accents, punctuation and emoji are kept. The text is not truncated.

    Parameters
    ----------
    text : str or None
        The verbatim as the customer wrote it. None, empty or blank text gives "".

    Returns
    -------
    str
        The display form.

    Examples
    --------
    >>> clean("<p>Très&nbsp;déçu</p>\\n\\n  du service")
    'Très déçu du service'
    """
    if not text or text.isspace():
        return ""
    return _WHITESPACE.sub(" ", _strip_html(text)).strip()
