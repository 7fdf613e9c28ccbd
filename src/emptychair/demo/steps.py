"""A column buffer for interaction steps, filled block by block without Python loops."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Column: default for steps that do not set it ("" and NaN stand for missing).
DEFAULTS: dict[str, Any] = {
    "record": -1,
    "visitor": -1,
    "t_s": 0,
    "channel": "",
    "touchpoint": "",
    "direction": "inbound",
    "campaign": "",
    "reason": "",
    "duration_s": np.nan,
    "outcome": "",
    "team": "",
    "journey": -1,
    "attempt": -1,
    "violation": False,
}


class Steps:
    """Blocks of interaction steps sharing :data:`DEFAULTS`' columns."""

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []

    def add(self, n: int, **columns: Any) -> None:
        """Append ``n`` steps; scalars are repeated, missing columns take defaults."""
        unknown = set(columns) - set(DEFAULTS)
        if unknown:
            raise KeyError(f"unknown step columns: {sorted(unknown)}")
        if n == 0:
            return
        block = {}
        for name, default in DEFAULTS.items():
            value = columns.get(name, default)
            block[name] = np.asarray(value) if np.ndim(value) else np.full(n, value)
        self._blocks.append(block)

    def frame(self) -> pd.DataFrame:
        """All steps so far, in the order they were added."""
        if not self._blocks:
            return pd.DataFrame({name: np.full(0, value) for name, value in DEFAULTS.items()})
        return pd.DataFrame(
            {name: np.concatenate([b[name] for b in self._blocks]) for name in DEFAULTS}
        )
