"""Score the comments of any export, without a workspace.

``score_text_file`` reads a CSV (any encoding, ``;`` or ``,``), Parquet or JSON-lines file,
analyses one text column with :func:`~emptychair.voice.verbatims.analyse_verbatims` and
adds the language, sentiment, themes and redacted text to every row; the other columns
pass through unchanged, rows keep their order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from emptychair.errors import ImportFileError, InvalidParameterError, MappingError
from emptychair.ingest.files import prepare
from emptychair.voice.taxonomy import Taxonomy
from emptychair.voice.verbatims import analyse_verbatims

LANGUAGE_CHOICES = ("auto", "fr", "en")
OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}
ADDED_COLUMNS = {
    "language": "language",
    "sentiment": "sentiment",
    "label": "sentiment_label",
    "themes": "themes",
    "negative_themes": "negative_themes",
    "text_redacted": "text_redacted",
}


def read_text_table(path: Path) -> pd.DataFrame:
    """Every column of ``path`` as text (CSV) or as stored (Parquet, JSON lines)."""
    if not Path(path).is_file():
        raise ImportFileError(f"{path}: no such file")
    prepared = prepare(Path(path))
    try:
        if prepared.format == "parquet":
            return pd.read_parquet(prepared.readable)
        if prepared.format == "jsonl":
            return pd.read_json(prepared.readable, lines=True, dtype=False)
        return pd.read_csv(
            prepared.readable, sep=prepared.delimiter, dtype=str, keep_default_na=False
        ).replace({"": None})
    except (ValueError, OSError) as error:
        raise ImportFileError(f"{path}: cannot be read as {prepared.format}: {error}") from None
    finally:
        prepared.cleanup()


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (UTF-8), Parquet or JSON lines, chosen by the file suffix."""
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InvalidParameterError(
            f"--output {path}: end the name with {', '.join(OUTPUT_FORMATS)} to choose the format"
        )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return Path(path)


def score_text_frame(
    frame: pd.DataFrame,
    text_column: str,
    *,
    language: str = "auto",
    taxonomy: Taxonomy | None = None,
    drop_text: bool = False,
    source: str = "the table",
) -> pd.DataFrame:
    """``frame`` with the analysis of ``text_column`` added to each row.

    Parameters
    ----------
    frame : DataFrame
        Any table with a text column.
    text_column : str
        The column holding the comments.
    language : {"auto", "fr", "en"}, default "auto"
        The language of every comment, or "auto" to detect each one.
    taxonomy : Taxonomy, optional
        Themes to find; the default taxonomy when omitted.
    drop_text : bool, default False
        Leave the original text out of the result (keep only the redacted one).
    source : str
        How to name the table in error messages.

    Returns
    -------
    DataFrame
        The input columns, then ``language``, ``sentiment`` (-1..1), ``sentiment_label``,
        ``themes`` and ``negative_themes`` (";"-separated theme ids) and ``text_redacted``.
    """
    if language not in LANGUAGE_CHOICES:
        raise InvalidParameterError(
            f"--lang {language!r}: use one of {', '.join(LANGUAGE_CHOICES)}"
        )
    if text_column not in frame.columns:
        raise MappingError(
            f"{source}: no column {text_column!r} (columns: {', '.join(map(str, frame.columns))})"
        )
    clashes = [c for c in ADDED_COLUMNS.values() if c in frame.columns and c != text_column]
    if clashes:
        raise MappingError(
            f"{source}: already has column(s) {', '.join(clashes)}, which the scores would "
            "replace; rename them first"
        )
    texts = frame[text_column].map(lambda v: v if isinstance(v, str) else None)
    analysis = analyse_verbatims(
        texts.reset_index(drop=True),
        None if language == "auto" else language,
        taxonomy=taxonomy,
    )
    added = analysis.verbatims[list(ADDED_COLUMNS)].rename(columns=ADDED_COLUMNS)
    result = frame.reset_index(drop=True)
    if drop_text:
        result = result.drop(columns=text_column)
    return pd.concat([result, added], axis=1)


def score_text_file(
    path: Path,
    text_column: str,
    *,
    language: str = "auto",
    output: Path | None = None,
    taxonomy: Taxonomy | None = None,
    drop_text: bool = False,
) -> pd.DataFrame:
    """Read ``path``, score its ``text_column`` and write the result to ``output`` if given."""
    frame = read_text_table(path)
    scored = score_text_frame(
        frame,
        text_column,
        language=language,
        taxonomy=taxonomy,
        drop_text=drop_text,
        source=str(path),
    )
    if output is not None:
        write_table(scored, output)
    return scored
