"""The taxonomy file: reading and checking a user's YAML, and writing the default one.

Every error names the file, the theme and the field at fault, with the line and column
for YAML syntax errors, so a CX analyst can fix the file without reading code.
"""

from __future__ import annotations

import importlib.resources
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from emptychair.errors import InvalidParameterError
from emptychair.voice.taxonomy import (
    SUPPORTED_LANGUAGES,
    THEME_FIELDS,
    THEME_ID,
    Taxonomy,
    TaxonomyError,
    Theme,
)


def _default_file() -> importlib.resources.abc.Traversable:
    return importlib.resources.files("emptychair.voice").joinpath("themes.yaml")


def _type_name(value: object) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
    }
    return "nothing" if value is None else names.get(type(value), type(value).__name__)


class _Reader:
    """Checks the parsed YAML of one file, naming the file, the theme and the field at fault."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> TaxonomyError:
        return TaxonomyError(f"{self.source}: {where}: {problem}")

    def texts_by_language(self, value: object, where: str, *, terms: bool) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                where, f"expected a mapping of language to text, got {_type_name(value)}."
            )
        checked: dict[str, Any] = {}
        for language, item in value.items():
            if language not in SUPPORTED_LANGUAGES:
                raise self.fail(
                    f"{where}.{language}",
                    f"unknown language {language!r}; use one of {', '.join(SUPPORTED_LANGUAGES)}.",
                )
            checked[language] = (
                self.term_list(item, f"{where}.{language}")
                if terms
                else self.text(item, f"{where}.{language}")
            )
        return checked

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected non-empty text, got {_type_name(value)!s}.")
        return value.strip()

    def term_list(self, value: object, where: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list of words or phrases, got {_type_name(value)}.")
        terms: list[str] = []
        for position, item in enumerate(value, start=1):
            if not isinstance(item, str):
                raise self.fail(
                    f"{where}, item {position}",
                    f"expected a word or phrase, got {_type_name(item)} ({item!r}); "
                    "put it in quotes.",
                )
            if not re.search(r"\w", item):
                raise self.fail(
                    f"{where}, item {position}",
                    "the term is empty (no letter or digit); write a word or delete the item.",
                )
            terms.append(item.strip())
        return tuple(dict.fromkeys(terms))

    def theme(self, value: object, position: int, seen: set[str]) -> Theme:
        where = f"theme #{position}"
        if not isinstance(value, dict):
            raise self.fail(
                where, f"expected a mapping with id and terms, got {_type_name(value)}."
            )
        if "id" not in value:
            raise self.fail(where, "missing field 'id'; give the theme a short identifier.")
        theme_id = self.text(value["id"], f"{where}, field 'id'")
        if not THEME_ID.fullmatch(theme_id):
            raise self.fail(
                f"{where}, field 'id'",
                f"{theme_id!r} is not a valid id; use lower-case letters, digits, '_' or '-'.",
            )
        where = f"theme {theme_id!r}"
        if theme_id in seen:
            raise self.fail(where, "duplicate id; each theme needs its own id.")
        seen.add(theme_id)
        unknown = sorted(set(value) - set(THEME_FIELDS), key=str)
        if unknown:
            raise self.fail(
                where, f"unknown field {unknown[0]!r}; allowed: {', '.join(THEME_FIELDS)}."
            )
        if not value.get("terms"):
            raise self.fail(f"{where}, field 'terms'", "missing; list the words per language.")
        found = {
            name: self.texts_by_language(
                value[name], f"{where}, field '{name}'", terms=name in ("terms", "exclude")
            )
            for name in THEME_FIELDS[1:]
            if name in value
        }
        if not any(found["terms"].values()):
            raise self.fail(f"{where}, field 'terms'", "no term in any language.")
        return Theme(theme_id, **found)

    def taxonomy(self, document: object) -> Taxonomy:
        if not isinstance(document, dict) or not isinstance(document.get("themes"), list):
            raise self.fail("top level", "expected a mapping with a list under 'themes'.")
        seen: set[str] = set()
        themes = [self.theme(item, n, seen) for n, item in enumerate(document["themes"], start=1)]
        if not themes:
            raise self.fail("field 'themes'", "the list is empty; add at least one theme.")
        return Taxonomy(themes)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and check a taxonomy file.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file in the format of the default taxonomy; by default, the one shipped with
        Empty Chair.

    Returns
    -------
    Taxonomy

    Raises
    ------
    TaxonomyError
        If the file is missing, is not valid YAML, or a theme lacks a field or has a wrong one;
        the message names the file, the theme and the field.
    """
    if path is None:
        source, content = "themes.yaml (default taxonomy)", _default_file().read_text("utf-8")
    else:
        source = str(path)
        try:
            content = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise TaxonomyError(f"{source}: cannot read the taxonomy file ({error}).") from error
    try:
        document = yaml.safe_load(content)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(error, "problem", None) or str(error)
        raise TaxonomyError(
            f"{source}: not valid YAML at {place}: {problem}; fix the syntax there."
        ) from error
    return _Reader(source).taxonomy(document)


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, read once per process (its matchers are built once too)."""
    return load_taxonomy()


def write_default_taxonomy(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a copy of the default taxonomy, with its comments, for the user to edit.

    Parameters
    ----------
    path : str or Path
        Where to write the file.
    overwrite : bool, default False
        Replace an existing file; otherwise an existing file is an error.

    Returns
    -------
    Path
        The written file, to pass to :func:`load_taxonomy` once edited.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise InvalidParameterError(
            f"{target} already exists; choose another path or pass overwrite=True."
        )
    target.write_text(_default_file().read_text("utf-8"), encoding="utf-8")
    return target
