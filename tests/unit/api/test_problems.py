"""Every error is ``application/problem+json`` with type, title, status and detail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from emptychair.accounts import AccountExistsError
from emptychair.api.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from emptychair.errors import (
    ImportFileError,
    InvalidParameterError,
    ModelDataError,
    NotFoundError,
    WorkspaceError,
    WorkspaceLockedError,
)
from tests.unit.api.demo import ServedDemo, api_client, served_copy

RAISED = {
    "not-found": (NotFoundError("no customer with id 'X' in /srv/ws"), 404),
    "invalid": (InvalidParameterError("--months 0: use 1 to 120"), 400),
    "exists": (AccountExistsError("an account named 'a' already exists"), 409),
    "model": (ModelDataError("the workspace has no orders"), 409),
    "locked": (WorkspaceLockedError("held by another process"), 409),
    "file": (ImportFileError("orders.csv: empty file"), 422),
    "workspace": (WorkspaceError("cannot open"), 500),
    "unexpected": (RuntimeError("secret internals jane@example.com"), 500),
}


@pytest.fixture(scope="module")
def raising() -> Iterator[TestClient]:
    app = FastAPI()
    install_problem_handlers(app, hide="/srv/ws")

    @app.get("/raise/{name}")
    def raise_error(name: str, number: int = 0) -> None:
        raise RAISED[name][0]

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _assert_problem(answer, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    body = answer.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


@pytest.mark.parametrize("name", sorted(RAISED))
def test_library_errors_map_to_their_status(raising: TestClient, name: str) -> None:
    error, status = RAISED[name]
    body = _assert_problem(raising.get(f"/raise/{name}"), status)
    if status < 500:
        assert body["detail"] == str(error).replace("/srv/ws", "the workspace")
    else:
        assert "jane@example.com" not in body["detail"]


def test_invalid_parameters_are_422_without_echoing_the_input(raising: TestClient) -> None:
    body = _assert_problem(raising.get("/raise/invalid", params={"number": "jane@x.fr"}), 422)
    assert body["errors"][0]["location"] == "query.number"
    assert "jane@x.fr" not in str(body)


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    _assert_problem(client.get("/no/such/route"), 404)
    _assert_problem(client.delete("/health"), 405)


def test_unknown_customer_is_404_without_the_server_folder(
    client: TestClient, served: ServedDemo
) -> None:
    answer = client.get("/customers/NOBODY", headers=served.tokens.of("admin"))
    body = _assert_problem(answer, 404)
    assert "NOBODY" in body["detail"]
    assert str(served.workspace) not in body["detail"]


def test_existing_account_is_409(client: TestClient, served: ServedDemo) -> None:
    answer = client.post(
        "/users", json={"name": "alan", "role": "viewer"}, headers=served.tokens.of("admin")
    )
    _assert_problem(answer, 409)


def test_missing_and_bad_tokens_are_401(client: TestClient) -> None:
    _assert_problem(client.get("/value/segments"), 401)
    bad = {"Authorization": "Bearer ec_0123abcd_not-a-real-token"}
    _assert_problem(client.get("/value/segments", headers=bad), 401)


def test_repeated_failed_logins_get_429(tmp_path_factory: pytest.TempPathFactory) -> None:
    served = served_copy(tmp_path_factory, "api-limits")
    bad = {"Authorization": "Bearer ec_0123abcd_guess"}
    with api_client(served, failed_login_limit=3) as client:
        statuses = [client.get("/value/segments", headers=bad).status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        limited = client.get("/value/segments", headers=served.tokens.of("viewer"))
        body = _assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        assert "retry" in body["detail"]
