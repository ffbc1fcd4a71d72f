"""Every page type parses as HTML5 without a single parse error, in Indonesian and in
English, with no id used twice; and what assistive technology needs is in the markup:
the charts' numbers in tables, the network as a list of links, alt text on images,
form errors tied to their fields and announced."""

import json

import html5lib
import pytest
from django.test import Client

from tests.pages import SIGNED_IN, build_pages

LANGUAGES = ["id", "en"]


@pytest.fixture
def pages(db, monkeypatch, settings, tmp_path):
    return build_pages(monkeypatch, settings, tmp_path)


def client_for(language, user=None):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def parse(content):
    """The document tree and html5lib's parse errors (position, code, details)."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    # Our pages are UTF-8 (as their headers say): html5lib need not guess, which would
    # ask chardet (a deprecated import in chardet 7, that frictionless brings).
    document = parser.parse(content, transport_encoding="utf-8")
    return document, parser.errors


def problems_of(content):
    """Parse errors and duplicate ids, each as a line a person can act on."""
    document, errors = parse(content)
    lines = content.decode().splitlines()
    problems = []
    for (line, column), code, details in errors:
        source = lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""
        problems.append(f"line {line}:{column} {code} {details or ''}: {source}")
    seen = {}
    for element in document.iter():
        identifier = element.get("id")
        if identifier is not None:
            seen[identifier] = seen.get(identifier, 0) + 1
    problems += [f"id {identifier!r} used {count} times" for identifier, count in seen.items() if count > 1]
    return document, problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type_parses_as_html5_without_errors(pages, language):
    visitor = client_for(language)
    official = client_for(language, pages.official)
    failures = {}
    for name, path in pages.items():
        response = (official if name in SIGNED_IN else visitor).get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        assert response.content.decode().count(f'<html lang="{language}"') == 1, name
        _, problems = problems_of(response.content)
        if problems:
            failures[f"{name} {path}"] = problems
    # Second pages of the lists carry the full pager (first, previous, next, last).
    for path in ("/koperasi/?page=2", "/mitra/?page=2", "/kerjasama/?page=2"):
        response = visitor.get(path)
        assert response.status_code == 200, path
        _, problems = problems_of(response.content)
        if problems:
            failures[path] = problems
    assert not failures, "\n".join(f"{page}:\n  " + "\n  ".join(found) for page, found in failures.items())


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_sent_back_with_errors_and_not_found_parse_too(pages, language):
    official = client_for(language, pages.official)
    visitor = client_for(language)
    responses = {
        "registration with errors": official.post("/kerjasama/baru/", {"title": ""}),
        "signup with errors": visitor.post("/akun/daftar/", {"username": "", "password1": "a", "password2": "b"}),
        "login with errors": visitor.post("/akun/masuk/", {"username": "nobody", "password": "wrong"}),
        "not found": visitor.get("/koperasi/tidak-ada/"),
        "filters refused": visitor.get("/koperasi/?tier=nonsense"),
    }
    failures = {}
    for name, response in responses.items():
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        _, problems = problems_of(response.content)
        if problems:
            failures[name] = problems
    assert not failures, "\n".join(f"{page}:\n  " + "\n  ".join(found) for page, found in failures.items())


def text_of(element):
    return " ".join("".join(element.itertext()).split())


def test_statistics_charts_have_their_numbers_in_a_table(pages):
    document, _ = parse(Client().get("/statistik/").content)
    charts = document.findall(".//canvas")
    tables = document.findall(".//table")
    assert charts, "the statistics page draws charts"
    assert len(tables) >= len(charts)
    for table in tables:
        # Each table says what it counts and its rows have numbers.
        assert table.find(".//caption") is not None or table.get("aria-labelledby"), text_of(table)[:80]
        cells = [text_of(cell) for cell in table.findall(".//tbody//td")]
        assert any(cell.replace(".", "").replace(",", "").isdigit() for cell in cells), text_of(table)[:200]
    parents = {child: parent for parent in document.iter() for child in parent}
    for chart in charts:
        # A chart is a drawing of the table beside it: hidden from screen readers, or an image with a name.
        hidden, element = False, chart
        while element is not None and not hidden:
            hidden = element.get("aria-hidden") == "true"
            element = parents.get(element)
        assert hidden or (chart.get("role") == "img" and chart.get("aria-label")), chart.attrib


def test_the_network_picture_has_a_text_list_of_the_same_links(pages):
    document, _ = parse(Client().get(pages.paths["cooperative-network"]).content)
    graph = json.loads(document.find(".//script[@id='kn-network-data']").text)
    section = document.find(".//section[@aria-labelledby='network-heading']")
    listed = {(link.get("href"), text_of(link)) for link in section.findall(".//details//a")}
    drawn_nodes = {(node["url"], node["name"]) for node in graph["nodes"] if node["kind"] != "self"}
    drawn_edges = {(edge["url"], edge["title"]) for edge in graph["edges"]}
    # The federation's bank, university and fishers, and the partnerships joining them.
    assert len(drawn_nodes) == 4 and len(drawn_edges) == 3
    assert ("/mitra/pt-bank-rakyat-contoh/", "PT Bank Rakyat Contoh") in drawn_nodes
    assert drawn_nodes | drawn_edges == listed


def test_images_have_alt_text(pages):
    visitor = Client()
    official = client_for("id", pages.official)
    for name, path in pages.items():
        document, _ = parse((official if name in SIGNED_IN else visitor).get(path).content)
        for image in document.findall(".//img"):
            assert image.get("alt") is not None, (name, image.attrib)
        for svg in document.findall(".//svg"):
            assert svg.get("aria-hidden") == "true" or svg.get("role") == "img", (name, svg.attrib)


def field_errors_are_announced(document, field_name):
    """The field is marked invalid, described by its error, and the error is announced."""
    field = document.find(f".//*[@name='{field_name}']")
    assert field is not None, field_name
    assert field.get("aria-invalid") == "true", field.attrib
    described = (field.get("aria-describedby") or "").split()
    errors = [document.find(f".//*[@id='{identifier}']") for identifier in described]
    messages = [text_of(error) for error in errors if error is not None and "invalid-feedback" in error.get("class", "")]
    assert messages and all(messages), (field_name, described)
    return messages


def has_alert(document):
    return any(
        element.get("role") == "alert" or element.get("aria-live") in ("assertive", "polite")
        for element in document.iter()
        if isinstance(element.tag, str)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_tied_to_their_fields_and_announced(pages, language):
    official = client_for(language, pages.official)
    response = official.post("/kerjasama/baru/", {"title": "", "start_date": "2026-02-01", "end_date": "2025-01-01"})
    assert response.status_code == 400
    document, _ = parse(response.content)
    field_errors_are_announced(document, "title")
    assert has_alert(document)

    response = client_for(language).post("/akun/daftar/", {"username": "", "password1": "a", "password2": "b"})
    document, _ = parse(response.content)
    field_errors_are_announced(document, "username")
    assert has_alert(document)

    response = client_for(language).post("/akun/masuk/", {"username": "nobody", "password": "wrong"})
    document, _ = parse(response.content)
    assert has_alert(document), "a refused sign-in is announced"


@pytest.mark.parametrize("path", ["/koperasi/", "/mitra/", "/kerjasama/"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_list_says_how_to_see_more(pages, path, language):
    document, _ = parse(client_for(language).get(path, {"q": "tidak-ada-yang-cocok"}).content)
    alert = next(p for p in document.iter("p") if "alert" in p.get("class", ""))
    clear = alert.find(".//a")
    assert clear is not None and clear.get("href") == path, text_of(alert)
    if language == "en":
        assert "Try fewer filters, or clear them all." in text_of(alert)
