"""One served copy of the demo company for the API unit tests, with a client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.unit.api.demo import ServedDemo, api_client, served_copy


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> ServedDemo:
    return served_copy(tmp_path_factory, "api-unit")


@pytest.fixture(scope="session")
def client(served: ServedDemo) -> Iterator[TestClient]:
    # failed logins are part of the matrix: the 429 limit is tested on its own client
    with api_client(served, failed_login_limit=100_000) as test_client:
        yield test_client
