"""Dashboard pages over HTTP (no browser): roles, masking, audit, filters and languages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from emptychair import Workspace
from emptychair.accounts import audit_entries
from emptychair.web.chart_words import translate_spec
from emptychair.web.i18n import WORDS
from emptychair.web.pages import PAGES
from tests.unit.api.demo import ServedDemo, api_client, served_copy


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> ServedDemo:
    return served_copy(tmp_path_factory, "dashboard-pages")


def _signed_in(client: TestClient, account: str, token: str) -> TestClient:
    form = client.get("/ui/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = client.post(
        "/ui/login",
        data={"account": account, "token": token, "csrf": csrf.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, _text(answer.text)
    return client


@pytest.fixture(scope="module")
def clients(served: ServedDemo) -> Iterator[dict[str, TestClient]]:
    with (
        api_client(served) as admin,
        api_client(served) as analyst,
        api_client(served) as viewer,
    ):
        yield {
            "admin": _signed_in(admin, "ada", served.tokens.admin),
            "analyst": _signed_in(analyst, "alan", served.tokens.analyst),
            "viewer": _signed_in(viewer, "vera", served.tokens.viewer),
        }


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_words_have_the_same_keys_in_both_languages() -> None:
    def keys(words: object, prefix: str = "") -> set[str]:
        if not isinstance(words, dict):
            return {prefix}
        return set().union(*(keys(v, f"{prefix}.{k}") for k, v in words.items()))

    assert keys(WORDS["fr"]) == keys(WORDS["en"])
    assert list(WORDS["fr"]["nav"]) == list(PAGES) == list(WORDS["en"]["nav"])


def test_every_page_answers_in_both_languages_for_every_role(
    clients: dict[str, TestClient],
) -> None:
    for role, client in clients.items():
        for key in PAGES:
            for language in ("fr", "en"):
                path = "/ui/" if key == "overview" else f"/ui/{key}"
                answer = client.get(path, params={"lang": language})
                assert answer.status_code == 200, (role, key, language)
                assert f'<html lang="{language}">' in answer.text
                assert WORDS[language]["nav"][key] in _text(answer.text)
                assert "Traceback" not in _text(answer.text)


def test_a_viewer_sees_no_customer_level_data(
    clients: dict[str, TestClient], served: ServedDemo
) -> None:
    answer = clients["viewer"].get("/ui/customers", params={"q": served.example_customer})
    assert WORDS["en"]["aggregates_only"] in _text(answer.text) or WORDS["fr"][
        "aggregates_only"
    ] in _text(answer.text)
    assert served.example_customer not in _text(answer.text)
    shown = clients["viewer"].get(f"/ui/customers/{served.example_customer}", params={"lang": "en"})
    assert WORDS["en"]["aggregates_only"] in _text(shown.text)
    for secret in served.secrets:
        assert secret not in _text(shown.text)


def test_an_analyst_finds_a_customer_with_personal_fields_masked(
    clients: dict[str, TestClient], served: ServedDemo
) -> None:
    found = clients["analyst"].get("/ui/customers", params={"q": served.example_customer})
    assert f'href="/ui/customers/{served.example_customer}"' in found.text
    view = clients["analyst"].get(f"/ui/customers/{served.example_customer}", params={"lang": "en"})
    assert view.status_code == 200
    assert served.example_customer in _text(view.text)
    assert WORDS["en"]["masked_note"] in _text(view.text)
    assert "(hidden)" in _text(view.text) or "***" in _text(view.text) or "•" in _text(view.text)
    for secret in served.secrets:
        assert secret not in _text(view.text), "an analyst must not see personal values"
    timeline = re.search(r"Timeline: the (\d+) newest events of (\d+)", _text(view.text))
    assert timeline is not None and int(timeline.group(1)) > 0


def test_an_admin_sees_personal_values_and_every_view_is_audited(
    clients: dict[str, TestClient], served: ServedDemo
) -> None:
    view = clients["admin"].get(f"/ui/customers/{served.example_customer}")
    assert any(secret in _text(view.text) for secret in served.secrets)
    missing = clients["admin"].get("/ui/customers/NO-SUCH-CUSTOMER", params={"lang": "en"})
    assert missing.status_code == 200 and "NO-SUCH-CUSTOMER" in missing.text
    with Workspace(served.workspace) as workspace:
        log, _ = audit_entries(workspace)
    views = log[log["action"] == "GET /ui/customers/{customer_id}"]
    assert {"ada", "alan"} <= set(views["account"])
    assert served.example_customer in set(views["customer_id"])
    assert "not_found" in set(views["outcome"])
    text = log.astype(str).to_string()
    for secret in served.secrets:
        assert secret not in text, "the audit log never holds personal values"


def test_the_verbatim_filters_narrow_the_list(clients: dict[str, TestClient]) -> None:
    client = clients["viewer"]
    everything = _text(client.get("/ui/voice", params={"lang": "en"}).text)
    total = re.search(r"Verbatims: the (\d+) newest of ([\d,]+)", everything)
    assert total is not None
    negative = _text(client.get("/ui/voice", params={"lang": "en", "label": "negative"}).text)
    found = re.search(r"Verbatims: the (\d+) newest of ([\d,]+)", negative)
    assert found is not None
    assert 0 < int(found.group(2).replace(",", "")) < int(total.group(2).replace(",", ""))
    table = negative.split("Verbatims: the", 1)[1]
    assert " positive " not in table and " negative " in table
    # An unknown value is ignored rather than shown as an empty list.
    unknown = _text(client.get("/ui/voice", params={"lang": "en", "label": "bogus"}).text)
    assert re.search(r"newest of ([\d,]+)", unknown).group(1) == total.group(2)  # type: ignore[union-attr]


def test_a_funnel_is_drawn_on_demand_and_a_bad_step_is_explained(
    clients: dict[str, TestClient],
) -> None:
    client = clients["viewer"]
    steps = "web:visit, web:cart, web:checkout"
    page = client.get("/ui/journeys", params={"lang": "en", "steps": steps}).text
    assert "from the previous step" in page and "web:checkout" in page
    bad = client.get("/ui/journeys", params={"lang": "en", "steps": "web:visit, nowhere"}).text
    assert 'class="error"' in bad and "nowhere" in bad


def test_chart_labels_are_translated_and_numbers_written_the_french_way() -> None:
    spec = {
        "title": "Customer lifetime value: how many customers at each level",
        "data": {"values": [{"title": "customers"}]},
        "encoding": {"y": {"field": "customers", "title": "customers"}},
        "layer": [{"title": "How journeys begin: their first 4 steps"}],
    }
    french = translate_spec(spec, "fr")
    assert french["title"].startswith("Valeur vie client")
    assert french["encoding"]["y"]["title"] == "clients"
    assert (
        french["layer"][0]["title"] == "Comment commencent les parcours : leurs 4 premières étapes"
    )
    assert french["data"] == spec["data"], "data values are not labels"
    assert french["config"]["locale"]["number"]["decimal"] == ","
    assert translate_spec(spec, "en") == spec


def test_the_simulator_shows_a_scenario_s_changes_with_intervals(
    clients: dict[str, TestClient], served: ServedDemo
) -> None:
    from emptychair.impact.service import simulate
    from emptychair.web.simulator_page import RESAMPLES

    client = clients["viewer"]
    opening = _text(client.get("/ui/simulator", params={"lang": "en"}).text)
    assert "Driver tree" in client.get("/ui/simulator").text
    assert "what changes" not in opening
    asked = {"lang": "en", "lever": "items", "change": "+1", "share": "5", "segment": "visitors"}
    page = _text(client.get("/ui/simulator", params=asked).text)
    assert "Scenario “items +1@5% in visitors”: what changes" in page
    with Workspace(served.workspace) as workspace:
        expected = simulate(workspace, ["items +1@5% in visitors"], resamples=RESAMPLES)
    change = expected.table.iloc[0]["revenue_change"]
    assert f"€{change:,.0f}" in page
    bad = _text(client.get("/ui/simulator", params={**asked, "segment": "nowhere"}).text)
    assert "nowhere" in bad and "what changes" not in bad
    french = _text(client.get("/ui/simulator", params={**asked, "lang": "fr"}).text)
    assert "Chiffre d'affaires" in french and "intervalle de l'écart" in french


def test_the_overview_leads_to_the_brief_to_print(
    clients: dict[str, TestClient], served: ServedDemo
) -> None:
    from emptychair.report.brief import find_chromium

    client = clients["viewer"]
    overview = client.get("/ui/", params={"lang": "fr"}).text
    assert 'href="/ui/brief?lang=fr"' in overview and "format=pdf" in overview
    page = client.get("/ui/brief", params={"lang": "fr"})
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert "synthèse pour la direction" in html.unescape(page.text)
    try:
        find_chromium()
    except Exception:
        pytest.skip("no Chromium to print the PDF")
    pdf = client.get("/ui/brief", params={"lang": "en", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with api_client(served) as stranger:
        refused = stranger.get("/ui/brief", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].endswith("/ui/login")


def test_the_tree_s_numbers_are_written_the_reader_s_way() -> None:
    from emptychair.web.simulator_page import french_number

    assert french_number("371,839") == "371\u202f839"
    assert french_number("35.4%") == "35,4\u00a0%"
    assert french_number("+2.00 pt") == "+2,00 pt"
