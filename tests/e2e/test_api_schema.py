"""Generated requests against the OpenAPI document: no input makes the server fail (500).

Bounded: a few dozen examples per operation, with an admin token; the routes that start
analyses are left out (each would queue minutes of work), imports are kept.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from emptychair import Workspace
from emptychair.accounts import add_account
from emptychair.api.app import create_app
from tests.unit.api.demo import ServedDemo, served_copy

ADMIN_NAME = "schema-admin-q8z"
EXAMPLES = 25


@pytest.fixture(scope="module")
def schema_served(tmp_path_factory: pytest.TempPathFactory) -> tuple[ServedDemo, str]:
    served = served_copy(tmp_path_factory, "api-schema")
    # an admin whose name generated input is unlikely to hit (so it is not disabled midway)
    with Workspace(served.workspace) as workspace:
        token = add_account(workspace, ADMIN_NAME, "admin")[1]
    return served, token


@pytest.fixture(scope="module")
def schema_app(schema_served: tuple[ServedDemo, str]) -> Iterator[FastAPI]:
    app = create_app(schema_served[0].workspace, failed_login_limit=1_000_000)
    yield app
    app.state.server.close()


def _operations(app: FastAPI) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema = schema.exclude(method="POST", path_regex=r"/runs$")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.slow
def test_no_server_error_on_generated_requests(
    schema_app: FastAPI, schema_served: tuple[ServedDemo, str]
) -> None:
    headers = {"Authorization": f"Bearer {schema_served[1]}"}
    operations = _operations(schema_app)
    assert len(operations) > 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                media_type = response.headers["content-type"]
                assert media_type[0].startswith("application/problem+json"), response.text

        check()
