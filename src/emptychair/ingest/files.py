"""Getting a source file ready for the engine's reader: format, encoding, separator, hash.

Files are read in binary chunks (never as Python rows). A CSV that is valid UTF-8 is
read as it is; a Latin-1 / Windows-1252 one (Excel on Windows) or one that mixes
encodings line by line is rewritten to a temporary UTF-8 copy, and the change is
reported.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from emptychair.errors import ImportFileError

CHUNK = 1024 * 1024
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
DELIMITERS = (";", ",", "\t", "|")


@dataclass
class PreparedFile:
    """A source file and how the engine should read it."""

    source: Path
    readable: Path
    format: str
    sha256: str
    size: int
    encoding: str = "utf-8"
    delimiter: str = ","
    notes: list[str] = field(default_factory=list)
    _temporary: tempfile.TemporaryDirectory[str] | None = None

    def cleanup(self) -> None:
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        if declared not in set(FORMATS.values()):
            raise ImportFileError(f"{path}: unknown format {declared!r} (csv, parquet or jsonl)")
        return declared
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".ods"):
        raise ImportFileError(
            f"{path}: spreadsheets are read as CSV: save the sheet as "
            "'CSV UTF-8 (comma delimited)' or 'CSV (semicolon)' and import that file"
        )
    if suffix not in FORMATS:
        raise ImportFileError(
            f"{path}: cannot tell the format from the extension {suffix!r}; "
            "use .csv, .parquet or .jsonl, or pass --format"
        )
    return FORMATS[suffix]


def prepare(
    path: Path, declared_format: str | None = None, delimiter: str | None = None
) -> PreparedFile:
    """Check that ``path`` can be imported and work out how to read it."""
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if path.is_dir():
        raise ImportFileError(f"{path}: is a folder, not a file")
    fmt = detect_format(path, declared_format)
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(f"{path}: the file is empty (0 bytes): nothing to import")
    if fmt != "csv":
        return PreparedFile(path, path, fmt, _hash(path), size)
    digest, valid_utf8 = _hash_and_check_utf8(path)
    prepared = PreparedFile(path, path, fmt, digest, size)
    if not valid_utf8:
        _transcode(prepared)
    prepared.delimiter = delimiter or _sniff_delimiter(prepared.readable)
    return prepared


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_and_check_utf8(path: Path) -> tuple[str, bool]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid = True
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    return digest.hexdigest(), valid


def _decode_line(line: bytes) -> tuple[str, str]:
    try:
        return line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="strict"), "cp1252"
    except Exception:  # pragma: no cover - defensive
        return line.decode("latin-1"), "latin-1"


def _transcode(prepared: PreparedFile) -> None:
    """Rewrite a non-UTF-8 file as UTF-8, line by line (each line in its own encoding)."""
    prepared._temporary = tempfile.TemporaryDirectory(prefix="emptychair-import-")
    target = Path(prepared._temporary.name) / (prepared.source.stem + ".utf8.csv")
    counts = {"utf-8": 0, "cp1252": 0, "latin-1": 0}
    with (
        prepared.source.open("rb") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        for line in source:
            if line.isascii():
                out.write(line.decode("ascii"))
                continue
            try:
                text, encoding = _decode_line(line)
            except UnicodeDecodeError:
                text, encoding = line.decode("latin-1"), "latin-1"
            counts[encoding] += 1
            out.write(text)
    prepared.readable = target
    legacy = counts["cp1252"] + counts["latin-1"]
    if counts["utf-8"]:
        prepared.encoding = "mixed"
        prepared.notes.append(
            f"mixed encodings: {counts['utf-8']} lines in UTF-8 and {legacy} in "
            "Windows-1252/Latin-1; all were converted to UTF-8"
        )
    else:
        prepared.encoding = "cp1252" if counts["cp1252"] else "latin-1"
        prepared.notes.append(f"read as {prepared.encoding} (not UTF-8)")


def _sniff_delimiter(path: Path) -> str:
    """The separator of the header line: the most frequent of ``; , tab |`` outside quotes."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
    if not header.strip():
        raise ImportFileError(f"{path}: the first line is empty: expected a header row")
    outside = header.split('"')[::2]
    counts = {d: sum(part.count(d) for part in outside) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def estimated_rows(path: Path) -> int:
    """A quick estimate of the number of records, for progress bars (no full read)."""
    fmt = detect_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    size = path.stat().st_size
    with path.open("rb") as handle:
        sample = handle.read(1024 * 1024)
    lines = sample.count(b"\n")
    if not lines:
        return 1
    return max(1, int(size / (len(sample) / lines)) - (1 if fmt == "csv" else 0))
