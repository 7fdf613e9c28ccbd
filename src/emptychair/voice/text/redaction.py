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
name      ``[name]``   a capitalised name after an introduction ("je m'appelle", "my name
                       is"), a title ("Mme", "M.", "Monsieur", "Mr", "Mrs", "Dr") or a
                       closing ("Cordialement,", "Kind regards,")
========  ===========  =====================================================================

Order numbers, amounts ("129,90 €") and dates survive, unless they happen to look like one of the
above (a 10-digit reference starting with 0 reads as a French phone number; one 13-19-digit
reference in ten passes the Luhn check). Names are found only in these patterns: a bare
"Jean Dupont" in the middle of a sentence is not recognised.
"""

from __future__ import annotations

import re
from collections.abc import Callable

KINDS = ("email", "iban", "card", "phone", "name")
"""Kinds of personal data, in the order they are searched."""

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\w+])\d(?:[ -]?\d){12,18}(?![\w,.]\d)(?!\w)")
_FRENCH_PHONE = r"(?:(?:\+|00)33[ .-]?(?:\(0\)[ .-]?)?|0)[1-9](?:[ .-]?\d{2}){4}"
_INTERNATIONAL_PHONE = r"(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}"
_PHONE = re.compile(rf"(?<![\w+])(?:{_FRENCH_PHONE}|{_INTERNATIONAL_PHONE})(?![\w,.]?\d)")

_WORD = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]+"
_FULL_NAME = rf"{_WORD}(?:[ -]{_WORD}){{0,2}}"
_INTRODUCTION = (
    r"(?i:je\s+m['’]appelle|je\s+me\s+nomme|mon\s+nom\s+est|my\s+name\s+is|my\s+name['’]s)\s+"
)
_TITLE = (
    r"(?:M\.|Mme\.?|Mlle\.?|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Miss|Madame|Monsieur|Mademoiselle"
    r"|MADAME|MONSIEUR)\s+"
)
_CLOSING = (
    r"(?i:bien\s+cordialement|cordialement|bien\s+à\s+vous|salutations(?:\s+distinguées)?"
    r"|sincères\s+salutations|best\s+regards|kind\s+regards|regards|sincerely|best\s+wishes)"
    r"\s*[,.!]?\s+"
)
_NAME_AFTER_INTRODUCTION = re.compile(rf"\b{_INTRODUCTION}(?P<name>{_FULL_NAME})")
_NAME_AFTER_TITLE = re.compile(rf"(?<![\w.]){_TITLE}{_FULL_NAME}")
_NAME_AFTER_CLOSING = re.compile(
    rf"(?P<closing>(?<!\w){_CLOSING})(?P<name>{_FULL_NAME})(?=\s*(?:[.!]?\s*$|\n|[,.]\s))"
)


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


def _replace_names(text: str) -> tuple[str, int]:
    text, after_introduction = _NAME_AFTER_INTRODUCTION.subn(
        lambda match: match.group()[: match.start("name") - match.start()] + "[name]", text
    )
    text, after_title = _NAME_AFTER_TITLE.subn("[name]", text)
    text, after_closing = _NAME_AFTER_CLOSING.subn(r"\g<closing>[name]", text)
    return text, after_introduction + after_title + after_closing


def _redact_with_counts(text: str | None) -> tuple[str, dict[str, int]]:
    counts = dict.fromkeys(KINDS, 0)
    if not isinstance(text, str) or not text:
        return "", counts
    text, counts["email"] = _replace_matches(text, _EMAIL, "[email]", lambda _: True)
    text, counts["iban"] = _replace_matches(text, _IBAN, "[iban]", is_valid_iban)
    text, counts["card"] = _replace_matches(text, _CARD, "[card]", passes_luhn)
    text, counts["phone"] = _replace_matches(text, _PHONE, "[phone]", _is_phone)
    text, counts["name"] = _replace_names(text)
    return text, counts


def redact(text: str | None) -> str:
    """Replace personal data in a verbatim by typed placeholders.

    Parameters
    ----------
    text : str or None
        The verbatim. None gives "". Everything else (HTML, SQL, emoji) is kept as it is.

    Returns
    -------
    str
        The verbatim with e-mails, IBANs, card numbers, phone numbers and names replaced by
        ``[email]``, ``[iban]``, ``[card]``, ``[phone]`` and ``[name]``.

    Examples
    --------
    >>> redact("Je m'appelle Marie Dupont, rappelez-moi au 06 12 34 56 78")
    "Je m'appelle [name], rappelez-moi au [phone]"
    """
    return _redact_with_counts(text)[0]


def redaction_report(text: str | None) -> dict[str, int]:
    """Count the personal data :func:`redact` would replace, per kind.

    Parameters
    ----------
    text : str or None
        The verbatim. None counts as empty.

    Returns
    -------
    dict of str to int
        One entry per kind of :data:`KINDS`, zero when absent.
    """
    return _redact_with_counts(text)[1]
