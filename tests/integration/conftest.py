"""One demo company shared by the analyses' integration tests (built once per run)."""

from __future__ import annotations

from datetime import date

import pytest

from emptychair.demo.service import DemoReport, build_demo

END = date(2026, 6, 30)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> DemoReport:
    """4,000 customers, seed 3: value and voice runs stored by the build itself."""
    return build_demo(tmp_path_factory.mktemp("company") / "ws", customers=4_000, seed=3, end=END)
