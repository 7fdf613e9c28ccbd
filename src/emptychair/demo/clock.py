"""Time and number helpers: the demo's history window and the ways exports write values.

Times are carried as ``int64`` seconds since 1970-01-01 (naive local time) so every
step stays vectorised; they become text or ``datetime64`` only when a file is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

DAY = 86_400
WEEK = 7 * DAY

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Texts = npt.NDArray[np.str_]

#: Relative activity per hour of the day for online sign-ups and purchases.
HOUR_WEIGHTS = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 5, 6, 7, 8, 9, 8, 5, 2],
    dtype=float,
)


@dataclass(frozen=True)
class Window:
    """The company's history, from ``start`` (included) to ``end`` (excluded), at midnight."""

    start: datetime
    end: datetime

    @classmethod
    def before(cls, end: date, years: int) -> Window:
        """The ``years`` years before midnight of ``end``."""
        try:
            first = end.replace(year=end.year - years)
        except ValueError:  # 29 February
            first = end.replace(year=end.year - years, day=28)
        return cls(
            datetime.combine(first, datetime.min.time()), datetime.combine(end, datetime.min.time())
        )

    @property
    def start_s(self) -> int:
        return _epoch(self.start)

    @property
    def end_s(self) -> int:
        return _epoch(self.end)


def _epoch(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1)).total_seconds())


def day_floor(seconds: Ints) -> Ints:
    """Midnight of the day each time falls on."""
    return seconds - seconds % DAY


def hour_of_day(rng: np.random.Generator, n: int, weights: Floats = HOUR_WEIGHTS) -> Ints:
    """Seconds after midnight, with the hour drawn from ``weights``."""
    hours = rng.choice(24, size=n, p=weights / weights.sum())
    return (hours * 3600 + rng.integers(0, 3600, size=n)).astype(np.int64)


def business_hours(rng: np.random.Generator, n: int, first: int = 8, last: int = 20) -> Ints:
    """Seconds after midnight, uniform between ``first`` and ``last`` o'clock."""
    return rng.integers(first * 3600, last * 3600, size=n).astype(np.int64)


def growing_days(rng: np.random.Generator, n: int, start_s: int, end_s: int, growth: float) -> Ints:
    """Midnights between ``start_s`` and ``end_s`` with a density growing as ``exp(growth*x)``.

    ``x`` runs from 0 to 1 over the window; a growing business acquires more customers
    in its last year than in its first.
    """
    u = rng.random(n)
    x = np.log1p(u * np.expm1(growth)) / growth
    days = (end_s - start_s) // DAY
    return start_s + np.minimum((x * days).astype(np.int64), days - 1) * DAY


def in_peak(seconds: Ints) -> npt.NDArray[np.bool_]:
    """Whether each time falls between 20 November and 31 December (sales season)."""
    stamps = seconds.astype("datetime64[s]")
    month = stamps.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (stamps.astype("datetime64[D]") - stamps.astype("datetime64[M]")).astype(np.int64) + 1
    return (month == 12) | ((month == 11) & (day >= 20))


#: Where each letter of a layout sits in ``YYYY-MM-DDTHH:MM:SS``.
_ISO_POSITIONS = {"Y": [0, 1, 2, 3], "m": [5, 6], "d": [8, 9], "H": [11, 12], "M": [14, 15]}
_ISO_POSITIONS["S"] = [17, 18]


def _layout(seconds: Ints, layout: str) -> Texts:
    """Times written with ``layout``, whose letters ``YYYY mm dd HH MM SS`` are fields.

    The ISO text of each time is built by NumPy in C and its characters are then
    rearranged as a block, which keeps formatting fast for hundreds of thousands of rows.
    """
    stamps = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    iso = np.datetime_as_string(stamps, unit="s").astype("<U19")
    chars = iso.view(np.uint32).reshape(len(iso), 19)
    out = np.empty((len(iso), len(layout)), dtype=np.uint32)
    used = dict.fromkeys(_ISO_POSITIONS, 0)
    for i, char in enumerate(layout):
        if char in _ISO_POSITIONS:
            out[:, i] = chars[:, _ISO_POSITIONS[char][used[char]]]
            used[char] += 1
        else:
            out[:, i] = ord(char)
    return np.ascontiguousarray(out).view(f"<U{len(layout)}").reshape(len(iso))


def join(*pieces: Any) -> Texts:
    """Element-wise concatenation of text arrays and plain strings."""
    out = np.asarray(pieces[0])
    for piece in pieces[1:]:
        out = np.strings.add(out, piece)
    return out


def iso_datetime(seconds: Ints, sep: str = " ") -> Texts:
    """``YYYY-MM-DD HH:MM:SS`` (or with ``T`` as separator)."""
    return _layout(seconds, f"YYYY-mm-dd{sep}HH:MM:SS")


def iso_date(seconds: Ints) -> Texts:
    """``YYYY-MM-DD``."""
    return _layout(seconds, "YYYY-mm-dd")


def french_date(seconds: Ints) -> Texts:
    """``dd/mm/yyyy`` as French spreadsheets write dates."""
    return _layout(seconds, "dd/mm/YYYY")


def french_datetime(seconds: Ints) -> Texts:
    """``dd/mm/yyyy HH:MM`` as French spreadsheets write timestamps."""
    return _layout(seconds, "dd/mm/YYYY HH:MM")


def decimal_comma(cents: Ints) -> Texts:
    """Amounts in cents written with a decimal comma: ``4990`` becomes ``49,90``."""
    cents = np.asarray(cents, dtype=np.int64)
    sign = np.where(cents < 0, "-", "")
    whole = (np.abs(cents) // 100).astype(str)
    frac = np.strings.zfill((np.abs(cents) % 100).astype(str), 2)
    return join(sign, whole, ",", frac)


def timestamps(seconds: Ints) -> npt.NDArray[np.datetime64]:
    """Seconds since the epoch as ``datetime64[us]`` for Parquet files."""
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[us]")
