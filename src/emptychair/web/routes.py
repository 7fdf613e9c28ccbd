"""The dashboard's routes: sign-in, the pages in French or English, and vendored assets.

Pages are server-rendered; charts are Vega-Lite specs drawn in the browser by the vega-embed
bundle that ``vl-convert`` ships, served from here (nothing is fetched from elsewhere). A page
shows aggregates only, so every active account may read it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from emptychair.accounts.audit import AuditEvent, record
from emptychair.accounts.users import Account, authenticate, get_account
from emptychair.api.state import server_state
from emptychair.errors import NotFoundError
from emptychair.web.i18n import LANGUAGE_COOKIE, WORDS, language_of
from emptychair.web.pages import PAGES, PageContext, build_page
from emptychair.web.session import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Session,
    SessionSigner,
    same_token,
)

PREFIX = "/ui"
TEMPLATES = Path(__file__).resolve().parent / "templates"
router = APIRouter(prefix=PREFIX, include_in_schema=False)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("emptychair.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed as one script, from the vl-convert wheel."""
    import vl_convert

    snippet = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"
    return str(vl_convert.javascript_bundle(snippet))


def _signer(request: Request) -> SessionSigner:
    signer: SessionSigner = request.app.state.dashboard_signer
    return signer


def _render(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    language = language_of(request)
    html = (
        _environment()
        .get_template(template)
        .render(
            language=language,
            other_language="en" if language == "fr" else "fr",
            w=WORDS[language],
            prefix=PREFIX,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax")
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    token, cookie = _signer(request).new_login()
    language = language_of(request)
    response = _render(
        request,
        "login.html.j2",
        status,
        title=WORDS[language]["login_title"],
        csrf=token,
        error=error,
        nav=False,
        account=None,
    )
    response.set_cookie(
        LOGIN_COOKIE, cookie, httponly=True, samesite="strict", secure=_secure(request), path=PREFIX
    )
    return response


@router.get("/login")
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", response_model=None)
def login(
    request: Request,
    account: Annotated[str, Form(max_length=100)],
    token: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=100)],
) -> Response:
    state = server_state(request)
    words = WORDS[language_of(request)]
    client = request.client.host if request.client else "unknown"
    wait = state.failed_logins.retry_after(client)
    if wait:
        return _login_page(request, words["too_many"].format(wait=wait), 429)
    if not same_token(_signer(request).login_token(request.cookies.get(LOGIN_COOKIE)), csrf):
        return _login_page(request, words["login_failed"], 403)
    found = authenticate(state.connections.reader(), token.strip())
    if found is None or found.name != account.strip():
        state.failed_logins.fail(client)
        return _login_page(request, words["login_failed"], 401)
    response = RedirectResponse(f"{PREFIX}/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        _signer(request).new_session(found.name),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
    return response


@router.post("/logout", response_model=None)
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)]) -> Response:
    session = _signer(request).read_session(request.cookies.get(SESSION_COOKIE))
    if session is None or not same_token(session.csrf, csrf):
        return Response("the form has expired: reload the page", status_code=403)
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _signed_in(request: Request) -> tuple[Session, Account] | None:
    """The reader's session and active account, None when not signed in."""
    session = _signer(request).read_session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    try:
        account = get_account(server_state(request).connections.reader(), session.account)
    except NotFoundError:
        return None
    return (session, account) if account.active else None


def _page(request: Request, key: str, **params: str) -> Response:
    signed = _signed_in(request)
    if signed is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    session, account = signed
    workspace = server_state(request).connections.reader()
    context = PageContext(
        workspace,
        language_of(request),
        {**request.query_params, **params},
        account.role,
        account.name,
    )
    page = build_page(context, key)
    if page.audit is not None:
        event = AuditEvent(
            account=account.name,
            role=str(account.role),
            action=f"GET {PREFIX}/{key}" + ("/{customer_id}" if "customer" in params else ""),
            outcome="not_found" if page.errors and page.customer_id is None else "allowed",
            resource="customers",
            customer_id=page.customer_id,
            status=200,
            detail=page.audit,
        )
        record(workspace, event)
    return _render(
        request,
        "page.html.j2",
        title=page.title,
        page=page,
        nav=True,
        current=key,
        account=session.account,
        csrf=session.csrf,
    )


def _add_page(key: str) -> None:
    path = "/" if key == "overview" else f"/{key}"

    def show(request: Request) -> Response:
        return _page(request, key)

    show.__name__ = f"page_{key}"
    router.add_api_route(path, show, methods=["GET"], response_model=None)


for _key in PAGES:
    _add_page(_key)


@router.get("/customers/{customer_id}", response_model=None)
def customer_page(request: Request, customer_id: str) -> Response:
    return _page(request, "customers", customer=customer_id)


@router.get("/brief", response_model=None)
def brief(request: Request, fmt: Annotated[str, Query(alias="format")] = "html") -> Response:
    """The board brief in the reader's language, to print (HTML) or to download (PDF)."""
    from emptychair.api.problems import ProblemError
    from emptychair.api.routers.reports import brief_response

    if _signed_in(request) is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    if fmt not in ("html", "pdf"):
        return Response("format: html or pdf", status_code=400)
    workspace = server_state(request).connections.reader()
    try:
        return brief_response(workspace, language_of(request), fmt)
    except ProblemError as problem:
        return Response(str(problem.detail), status_code=problem.status, media_type="text/plain")


@router.get("/static/vega.js")
def vega_script() -> Response:
    return Response(
        vega_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    types = {"app.css": "text/css", "charts.js": "text/javascript"}
    if name not in types:
        return Response(status_code=404)
    return Response((TEMPLATES / name).read_text(encoding="utf-8"), media_type=types[name])


def install_dashboard(app: FastAPI) -> None:
    """Mount the dashboard on the API's app, and send ``/`` to it."""
    app.state.dashboard_signer = SessionSigner()
    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=307)
