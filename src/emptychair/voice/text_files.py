"""Score the comments of any export, without a workspace.

``score_text_file`` reads a CSV (any encoding, ``;`` or ``,``), Parquet or JSON-lines file,
analyses one text column with :func:`~emptychair.voice.verbatims.analyse_verbatims` and
adds the language, sentiment, themes and redacted text to every row; the other columns
pass through unchanged, rows keep their order. ``learn_and_score_text_frame`` does the same
while learning the sentiment from a score column of the same file
(:func:`~emptychair.voice.crossfit.learn_from_scores`, cross-fitted).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emptychair.errors import ImportFileError, InvalidParameterError, MappingError
from emptychair.ingest.files import prepare
from emptychair.voice.crossfit import LearnedScores, learn_from_scores
from emptychair.voice.retrain import SCALES
from emptychair.voice.sentiment import SentimentModel
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
METHOD_COLUMN = "sentiment_method"


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


def _check_frame(frame: pd.DataFrame, text_column: str, language: str, source: str) -> None:
    if language not in LANGUAGE_CHOICES:
        raise InvalidParameterError(
            f"--lang {language!r}: use one of {', '.join(LANGUAGE_CHOICES)}"
        )
    if text_column not in frame.columns:
        raise MappingError(
            f"{source}: no column {text_column!r} (columns: {', '.join(map(str, frame.columns))})"
        )
    added = [*ADDED_COLUMNS.values(), METHOD_COLUMN]
    clashes = [c for c in added if c in frame.columns and c != text_column]
    if clashes:
        raise MappingError(
            f"{source}: already has column(s) {', '.join(clashes)}, which the scores would "
            "replace; rename them first"
        )


def _analysed(
    frame: pd.DataFrame,
    text_column: str,
    languages: str | list[str] | None,
    taxonomy: Taxonomy | None,
    drop_text: bool,
    models: dict[str, SentimentModel] | None = None,
) -> pd.DataFrame:
    texts = frame[text_column].map(lambda v: v if isinstance(v, str) else None)
    analysis = analyse_verbatims(
        texts.reset_index(drop=True), languages, taxonomy=taxonomy, models=models
    )
    added = analysis.verbatims[list(ADDED_COLUMNS)].rename(columns=ADDED_COLUMNS)
    result = frame.reset_index(drop=True)
    if drop_text:
        result = result.drop(columns=text_column)
    return pd.concat([result, added.reset_index(drop=True)], axis=1)


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
    _check_frame(frame, text_column, language, source)
    return _analysed(
        frame, text_column, None if language == "auto" else language, taxonomy, drop_text
    )


def read_scores(frame: pd.DataFrame, score_column: str, source: str = "the table") -> np.ndarray:
    """The numbers of ``score_column`` (NaN where empty); a clear error on anything else."""
    if score_column not in frame.columns:
        raise MappingError(
            f"{source}: no score column {score_column!r} "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    raw = frame[score_column]
    text = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    wrong = values.isna() & text.notna() & (text != "")
    if wrong.any():
        position = int(np.flatnonzero(wrong.to_numpy())[0])
        raise MappingError(
            f"{source}: column {score_column!r} row {position + 1} holds "
            f"{str(raw.iloc[position])[:20]!r}, not a number; leave it empty for no score"
        )
    return values.to_numpy(dtype=float, na_value=np.nan)


def infer_scale_max(scores: np.ndarray, score_column: str = "the score column") -> int:
    """The smallest supported scale (5, 7 or 10) that holds every score."""
    if np.isnan(scores).all():
        raise MappingError(f"{score_column!r} has no scores to learn from")
    highest = float(np.nanmax(scores))
    for maximum in sorted(SCALES):
        if highest <= maximum:
            return maximum
    raise MappingError(
        f"{score_column!r} goes up to {highest:g}: scores must be NPS 0–10, CSAT 1–5 or CES 1–7"
    )


def learn_and_score_text_frame(
    frame: pd.DataFrame,
    text_column: str,
    score_column: str,
    *,
    scale_max: int | None = None,
    language: str = "auto",
    taxonomy: Taxonomy | None = None,
    drop_text: bool = False,
    folds: int = 5,
    source: str = "the table",
) -> tuple[pd.DataFrame, LearnedScores]:
    """Like :func:`score_text_frame`, with the sentiment learned from a score column.

    The sentiment of each row is cross-fitted (:func:`~emptychair.voice.crossfit.
    learn_from_scores`): no row is scored by a model that saw its own score. The sentiment of the
    themes (``negative_themes``) is read by the final model fitted on all scored rows.

    Parameters
    ----------
    frame, text_column, language, taxonomy, drop_text, source
        As in :func:`score_text_frame`.
    score_column : str
        The column holding the score given with each comment (empty for none).
    scale_max : {10, 5, 7}, optional
        NPS 0–10, CSAT 1–5 or CES 1–7; inferred from the highest score when omitted.
    folds : int, default 5
        Cross-fitting folds.

    Returns
    -------
    DataFrame
        As :func:`score_text_frame`, plus ``sentiment_method`` ("shipped", "learned" or
        "combined": the method used for the row's language).
    LearnedScores
        The cross-validated figures (``summary``) and the final models.
    """
    _check_frame(frame, text_column, language, source)
    scores = read_scores(frame, score_column, source)
    scale = infer_scale_max(scores, score_column) if scale_max is None else scale_max
    texts = frame[text_column].map(lambda v: v if isinstance(v, str) else None)
    learned = learn_from_scores(
        texts.tolist(), scores, scale, None if language == "auto" else language, folds=folds
    )
    codes = learned.rows["language"].tolist()
    result = _analysed(frame, text_column, codes, taxonomy, drop_text, learned.models)
    result["sentiment"] = learned.rows["sentiment"].to_numpy()
    result["sentiment_label"] = learned.rows["label"].to_numpy()
    position = list(result.columns).index("sentiment_label")
    result.insert(position + 1, METHOD_COLUMN, learned.rows["method"].to_numpy())
    return result, learned


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
