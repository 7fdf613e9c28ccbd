"""Reading customer verbatims: normalisation, language, clauses, redaction."""

from emptychair.voice.text.clauses import Clause, split_clauses
from emptychair.voice.text.language import detect_language, detect_languages
from emptychair.voice.text.normalise import (
    MAX_ANALYSED_CHARACTERS,
    NormalisedText,
    clean,
    normalise,
    normalise_verbatim,
)
from emptychair.voice.text.redaction import redact, redact_many, redaction_report

__all__ = [
    "MAX_ANALYSED_CHARACTERS",
    "Clause",
    "NormalisedText",
    "clean",
    "detect_language",
    "detect_languages",
    "normalise",
    "normalise_verbatim",
    "redact",
    "redact_many",
    "redaction_report",
    "split_clauses",
]
