"""The authorisation matrix: every route × every role, plus no token and a disabled account.

Routes are found by walking ``app.routes``: a route added without a role policy (a
:class:`~emptychair.api.auth.RoleGate`) and not declared public fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from emptychair.accounts import Role
from emptychair.api.app import ROUTERS
from emptychair.api.auth import route_minimum_role
from tests.unit.api.demo import ServedDemo

PUBLIC = {("GET", "/health")}
WHO = ("admin", "analyst", "viewer", "none", "disabled")
#: Path parameters of the routes; a route with another parameter fails until it is added.
PATH_VALUES = {
    "job_id": "no-such-job",
    "name": "matrix-target",
    "table": "no_such_table",
    "initiative_id": "no-such-initiative",
}
#: Required query parameters, and bodies that pass the gate without starting long work.
QUERIES: dict[str, dict[str, Any]] = {
    "/customers": {"q": "ma"},
    "/imports/{table}": {"filename": "orders.csv"},
    # an empty reason is refused after the gate: nobody is erased by the matrix
    "/privacy/customers/{customer_id}/erase": {"reason": ""},
}
BODIES: dict[str, Any] = {
    "/value/runs": {"months": 0},
    "/voice/runs": {"min_responses": 0},
    "/journeys/runs": {"gap_hours": -1},
    "/users": {"name": "matrix-made", "role": "viewer"},
    "/scorecard/runs": {"period": "year"},
    "/actions/runs": {"as_of": "not a date"},
    "/impact/simulate": {"scenarios": ["not a scenario"]},
    "/impact/initiatives": {"name": "", "start": "2026-01-01", "target": "team=x", "kpi": "csat"},
    # an action that is not in the catalogue is refused after the gate: nothing is recorded
    "/actions/customers/{customer_id}/override": {"action_id": "no_such_action", "reason": "x"},
    "/privacy/customers/{customer_id}/consents": {},
    "/privacy/customers/{customer_id}/restrictions": {},
    "/imports/{table}": "order_id\n",
}


def _routes() -> list[tuple[str, APIRoute]]:
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods):
                found.append((method, route))
    return found


ROUTES = _routes()


def test_every_route_declares_who_may_use_it() -> None:
    undeclared = [
        f"{method} {route.path}"
        for method, route in ROUTES
        if (method, route.path) not in PUBLIC and route_minimum_role(route) is None
    ]
    assert undeclared == []


def _served_routes(routes: list[Any]) -> list[APIRoute]:
    """The API routes of ``app.routes``, looking inside included routers."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "effective_route_contexts"):  # how FastAPI 0.16x keeps routers
            found += [context.original_route for context in route.effective_route_contexts()]
        elif hasattr(route, "routes"):
            found += _served_routes(route.routes)
    return found


def test_the_routers_cover_the_app(client: TestClient) -> None:
    """A route added outside :data:`ROUTERS` would escape the matrix: it fails here."""
    app_routes = _served_routes(client.app.routes)  # type: ignore[attr-defined]
    served = {
        (method, route.path)
        for route in app_routes
        for method in route.methods
        # the dashboard signs in with a session cookie: tested in a browser
        if not (route.path == "/" or route.path.startswith("/ui"))
    }
    assert served == {(method, route.path) for method, route in ROUTES}


def _request(client: TestClient, served: ServedDemo, method: str, route: APIRoute, who: str) -> Any:
    values = {"customer_id": served.example_customer, **PATH_VALUES}
    missing = [p.name for p in route.dependant.path_params if p.name not in values]
    assert not missing, f"give the matrix a value for {missing} of {route.path}"
    path = route.path.format(**{p.name: values[p.name] for p in route.dependant.path_params})
    body = BODIES.get(route.path) if method == "POST" else None
    options: dict[str, Any] = {"params": QUERIES.get(route.path, {})}
    if isinstance(body, str):
        options["content"] = body.encode()
    elif body is not None:
        options["json"] = body
    return client.request(method, path, headers=served.tokens.of(who), **options)


@pytest.fixture(scope="module")
def matrix_target(client: TestClient, served: ServedDemo) -> str:
    """An account the matrix may disable and give tokens to."""
    answer = client.post(
        "/users",
        json={"name": "matrix-target", "role": "viewer"},
        headers=served.tokens.of("admin"),
    )
    assert answer.status_code == 201
    return "matrix-target"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "route"), ROUTES, ids=[f"{m} {r.path}" for m, r in ROUTES])
def test_matrix(
    client: TestClient,
    served: ServedDemo,
    matrix_target: str,
    method: str,
    route: APIRoute,
    who: str,
) -> None:
    answer = _request(client, served, method, route, who)
    assert answer.status_code < 500, answer.text
    if (method, route.path) in PUBLIC:
        assert answer.status_code == 200
        return
    minimum = route_minimum_role(route)
    assert minimum is not None
    if who in ("none", "disabled"):
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
    elif Role(who).allows(minimum):
        assert answer.status_code not in (401, 403), answer.text
    else:
        assert answer.status_code == 403
        assert minimum.value in answer.json()["detail"]
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"


def test_the_expected_policy_of_each_domain() -> None:
    """Aggregates for viewers, customer-level data for analysts, the rest for admins."""
    policy = {f"{m} {r.path}": route_minimum_role(r) for m, r in ROUTES}
    assert policy["GET /value/segments"] is Role.VIEWER
    assert policy["GET /voice/scores"] is Role.VIEWER
    assert policy["GET /journeys/friction"] is Role.VIEWER
    assert policy["GET /customers/{customer_id}"] is Role.ANALYST
    assert policy["GET /value/customers/{customer_id}"] is Role.ANALYST
    assert policy["GET /voice/verbatims"] is Role.ANALYST
    for admin_only in ("POST /imports/{table}", "GET /audit", "GET /users", "POST /value/runs"):
        assert policy[admin_only] is Role.ADMIN
