"""The dashboard's words in French and English, and the reader's language.

The words live in ``words/<language>.yaml`` beside this module, with the same keys in
every language (a test checks it), so a translator edits one plain file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from fastapi import Request

from emptychair.report.formatting import LANGUAGES

LANGUAGE_COOKIE = "emptychair_lang"
WORDS_FOLDER = Path(__file__).resolve().parent / "words"


def _load(language: str) -> dict[str, Any]:
    words: dict[str, Any] = yaml.safe_load((WORDS_FOLDER / f"{language}.yaml").read_text("utf-8"))
    return words


WORDS: dict[str, dict[str, Any]] = {language: _load(language) for language in LANGUAGES}


def language_of(request: Request) -> str:
    """``?lang=`` first, then the language cookie, then the browser's first choice, then English."""
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in LANGUAGES:
        return str(asked)
    accepted = request.headers.get("accept-language", "")
    return "fr" if accepted.lower().startswith("fr") else "en"
