"""Write Vega-Lite charts to files: PNG, SVG or the spec itself, rendered offline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emptychair.errors import InvalidParameterError

FORMATS = ("png", "svg", "json")


def write_charts(specs: Mapping[str, dict[str, Any]], folder: Path, fmt: str = "png") -> list[Path]:
    """Render each spec into ``folder/<name>.<fmt>`` and return the paths written."""
    import vl_convert

    if fmt not in FORMATS:
        raise InvalidParameterError(f"chart format {fmt!r}: use png, svg or json")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in specs.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "png":
            path.write_bytes(vl_convert.vegalite_to_png(spec, scale=2))
        elif fmt == "svg":
            path.write_text(vl_convert.vegalite_to_svg(spec), encoding="utf-8")
        else:
            path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
        written.append(path)
    return written
