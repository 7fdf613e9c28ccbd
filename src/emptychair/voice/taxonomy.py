"""The customer-experience theme taxonomy: which themes a verbatim talks about.

A taxonomy is a list of themes (delivery, waiting time, billing, ...), each with a label, a
description and the words and phrases customers use for it, per language. The default taxonomy
ships with the package (``themes.yaml``); ``write_default_taxonomy`` writes an editable copy
and ``load_taxonomy`` reads it back, checking every field (both in
:mod:`emptychair.voice.taxonomy_file`).

Matching folds case and accents, splits French elisions ("l'attente" reads "l attente"), matches
whole words and phrases only ("sav" does not match "savon") and tolerates simple inflections
(a French term also matches its plural and feminine forms, an English term its "-s", "-ed" and
"-ing" forms). All terms of a language are compiled into one regular expression shaped as a trie,
so the cost of matching grows with the length of the text, not with the number of terms.

The file format keeps one list per kind of term under each theme (``terms``, ``exclude``), so
that lemma lists can later sit beside them without changing the existing keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from emptychair.errors import InvalidParameterError

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Taxonomy",
    "TaxonomyError",
    "Theme",
    "ThemeMatch",
]

SUPPORTED_LANGUAGES = ("fr", "en")
THEME_FIELDS = ("id", "label", "description", "terms", "exclude")
THEME_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_APOSTROPHES = "'’‘`´ʼ"
_SEPARATOR = r"[\s\-]+"
_END_OF_TERM = ""


class TaxonomyError(InvalidParameterError):
    """A taxonomy file that cannot be read: bad YAML, a missing or wrongly typed field."""


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy.

    Attributes
    ----------
    id : str
        Stable identifier, used as a column value (``"delivery"``).
    label, description : Mapping[str, str]
        Human-readable name and explanation, per language code.
    terms : Mapping[str, tuple[str, ...]]
        Words and phrases that signal the theme, per language code, as written by customers.
    exclude : Mapping[str, tuple[str, ...]]
        Phrases inside which the theme's terms do not count (``"prix cassé"`` for a term
        ``"cassé"`` of product quality), per language code.
    """

    id: str
    label: Mapping[str, str] = field(default_factory=dict)
    description: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ThemeMatch:
    """A term of a theme found in a text; ``text[start:end]`` is the matched passage."""

    theme_id: str
    term: str
    start: int
    end: int


class _FoldedCharacters(dict[int, str]):
    """Translation table for ``str.translate``: each character to its case- and accent-free form.

    Filled on demand, so any character costs one Unicode lookup the first time only.
    """

    def __missing__(self, code: int) -> str:
        character = chr(code)
        if character in _APOSTROPHES:
            folded = " "
        else:
            decomposed = unicodedata.normalize("NFKD", character)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
            folded = folded.replace("œ", "oe").replace("æ", "ae")
        self[code] = folded
        return folded


_FOLD = _FoldedCharacters()


def fold(text: str) -> str:
    """Lower-case ``text``, remove its accents and turn apostrophes into spaces."""
    return text.translate(_FOLD)


def _fold_with_origins(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and give, for each folded character, the index of its original character."""
    pieces = [_FOLD[ord(character)] for character in text]
    origins = [index for index, piece in enumerate(pieces) for _ in piece]
    origins.append(len(text))
    return "".join(pieces), origins


def _inflection(token: str, language: str) -> str:
    """Regular expression for the optional endings a token may take in ``language``."""
    if language == "fr":
        return "" if token.endswith(("s", "x", "z")) else "(?:e|s|es|x)?"
    if token.endswith("ee"):
        return "s?"
    if token.endswith("e"):
        return "(?:s|d)?"
    return "(?:s|es|ed|ing)?"


def _units_of(term: str, language: str) -> list[str]:
    """Split a term into the regular-expression pieces of its trie path."""
    units: list[str] = []
    for position, token in enumerate(re.findall(r"\w+", fold(term))):
        if position:
            units.append(_SEPARATOR)
        if language == "en" and len(token) > 2 and token[-1] == "y" and token[-2] not in "aeiou":
            units.extend(re.escape(character) for character in token[:-1])
            units.append("(?:y|ies|ied)")
            continue
        units.extend(re.escape(character) for character in token)
        ending = _inflection(token, language)
        if ending:
            units.append(ending)
    units.append(_END_OF_TERM)
    return units


def _trie_expression(node: dict[str, Any]) -> str:
    """Regular expression of a trie; where a term ends, longer terms are tried first."""
    branches = [
        unit + _trie_expression(child)
        for unit, child in sorted(node.items())
        if unit != _END_OF_TERM
    ]
    if _END_OF_TERM in node:
        branches.append(r"(?!\w)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True)
class _TermEntry:
    theme_id: str
    term: str
    excludes: bool
    pattern: re.Pattern[str]


class _LanguageMatcher:
    """All terms of one language, compiled into one expression, with a lookup of what matched."""

    def __init__(self, themes: Sequence[Theme], language: str) -> None:
        every_trie: dict[str, Any] = {}
        terms_trie: dict[str, Any] = {}
        self._entries: list[_TermEntry] = []
        for theme in themes:
            for kind, terms in (("terms", theme.terms), ("exclude", theme.exclude)):
                for term in terms.get(language, ()):
                    units = _units_of(term, language)
                    for trie in (every_trie, terms_trie) if kind == "terms" else (every_trie,):
                        node = trie
                        for unit in units:
                            node = node.setdefault(unit, {})
                    pattern = re.compile("".join(units))
                    self._entries.append(_TermEntry(theme.id, term, kind == "exclude", pattern))
        # Each start of a word is tried, so a phrase and a word inside it are both found.
        self.expression = re.compile(r"(?<!\w)(?=(" + _trie_expression(every_trie) + "))")
        # Where an exclusion is the longest match, a shorter term of another theme may start.
        self._terms_only = re.compile(_trie_expression(terms_trie)) if terms_trie else None
        self._found: dict[str, list[_TermEntry]] = {}

    def entries_for(self, passage: str) -> list[_TermEntry]:
        """Terms (and exclusions) whose expression matches the whole folded ``passage``."""
        found = self._found.get(passage)
        if found is None:
            key = " ".join(re.split(_SEPARATOR, passage))
            found = [entry for entry in self._entries if entry.pattern.fullmatch(key)]
            found = list(
                {(entry.theme_id, entry.excludes): entry for entry in reversed(found)}.values()
            )[::-1]
            self._found[passage] = found
        return found

    def matches(self, folded: str) -> list[tuple[_TermEntry, int, int]]:
        """Every theme term in ``folded``, without those inside an exclusion of their theme."""
        found: list[tuple[_TermEntry, int, int]] = []
        excluded: list[tuple[str, int, int]] = []
        for match in self.expression.finditer(folded):
            start, end = match.span(1)
            entries = self.entries_for(match.group(1))
            for entry in entries:
                if entry.excludes:
                    excluded.append((entry.theme_id, start, end))
                else:
                    found.append((entry, start, end))
            if excluded and self._terms_only and all(entry.excludes for entry in entries):
                shorter = self._terms_only.match(folded, start)
                if shorter:
                    found.extend(
                        (entry, start, shorter.end())
                        for entry in self.entries_for(shorter.group())
                        if not entry.excludes
                    )
        if not excluded:
            return found
        return [
            (entry, start, end)
            for entry, start, end in found
            if not any(
                theme == entry.theme_id and low <= start and end <= high
                for theme, low, high in excluded
            )
        ]


class Taxonomy:
    """An ordered set of themes, and the matching of texts against them.

    Parameters
    ----------
    themes : Sequence[Theme]
        The themes, in the order results are reported.

    Attributes
    ----------
    themes : tuple[Theme, ...]
    languages : tuple[str, ...]
        Language codes for which at least one theme has terms.
    """

    def __init__(self, themes: Sequence[Theme]) -> None:
        self.themes = tuple(themes)
        self.languages = tuple(
            language
            for language in SUPPORTED_LANGUAGES
            if any(theme.terms.get(language) for theme in self.themes)
        )
        self._order = {theme.id: position for position, theme in enumerate(self.themes)}
        self._matchers: dict[str, _LanguageMatcher] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Taxonomy) and self.themes == other.themes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Taxonomy({len(self.themes)} themes, languages={list(self.languages)})"

    @property
    def theme_ids(self) -> list[str]:
        """Identifiers of the themes, in order."""
        return [theme.id for theme in self.themes]

    def _matcher(self, language: str) -> _LanguageMatcher:
        if language not in self.languages:
            raise InvalidParameterError(
                f"No theme terms for language {language!r}; "
                f"this taxonomy covers: {', '.join(self.languages) or 'no language'}."
            )
        if language not in self._matchers:
            self._matchers[language] = _LanguageMatcher(self.themes, language)
        return self._matchers[language]

    def themes_of(self, text: str, language: str) -> list[ThemeMatch]:
        """Every theme term found in ``text``, with its position in the original text.

        Parameters
        ----------
        text : str
            A verbatim, as written by the customer.
        language : str
            Its language code (``"fr"`` or ``"en"``).

        Returns
        -------
        list[ThemeMatch]
            One match per theme and place, in order of position; ``text[start:end]`` is the
            passage that matched ``term`` (including its inflection).
        """
        folded, origins = _fold_with_origins(text)
        results = [
            ThemeMatch(entry.theme_id, entry.term, origins[start], origins[end])
            for entry, start, end in self._matcher(language).matches(folded)
        ]
        unique = dict.fromkeys(results)
        return sorted(unique, key=lambda m: (m.start, m.end, self._order[m.theme_id]))

    def match_many(
        self, texts: Iterable[str | None], languages: str | Iterable[str | None]
    ) -> list[list[str]]:
        """Theme identifiers of many texts, in taxonomy order, each theme once.

        Parameters
        ----------
        texts : Iterable[str | None]
            The verbatims; a missing text (``None``) has no theme.
        languages : str or Iterable[str | None]
            One language code for all texts, or one per text; ``None`` (language unknown)
            gives no theme.

        Returns
        -------
        list[list[str]]
            For each text, the identifiers of the themes it mentions.
        """
        texts = list(texts)
        if isinstance(languages, str):
            languages = [languages] * len(texts)
        languages = list(languages)
        if len(languages) != len(texts):
            raise InvalidParameterError(
                f"Got {len(texts)} texts but {len(languages)} languages; give one language "
                "per text, or a single language for all."
            )
        results: list[list[str]] = []
        for text, language in zip(texts, languages, strict=True):
            if not text or language is None:
                results.append([])
                continue
            ids = {entry.theme_id for entry, _, _ in self._matcher(language).matches(fold(text))}
            results.append(sorted(ids, key=self._order.__getitem__))
        return results

    def to_yaml(self) -> str:
        """The taxonomy in the file format that ``load_taxonomy`` reads."""
        themes = []
        for theme in self.themes:
            entry: dict[str, Any] = {"id": theme.id}
            for name in ("label", "description"):
                if getattr(theme, name):
                    entry[name] = dict(getattr(theme, name))
            entry["terms"] = {language: list(terms) for language, terms in theme.terms.items()}
            if theme.exclude:
                entry["exclude"] = {lang: list(terms) for lang, terms in theme.exclude.items()}
            themes.append(entry)
        return yaml.safe_dump({"themes": themes}, allow_unicode=True, sort_keys=False, width=100)
