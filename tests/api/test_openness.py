"""Issue 14 §1: the API describes itself (OpenAPI 3 at /api/v1/schema/, its docs
served from KopNet's own host and linked from every page), any site may read it
from a browser without the reader's cookies, and each client's requests are
limited: 429 with Retry-After, in the reader's language."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

from tests.factories import CooperativeFactory

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3_and_names_every_list_and_its_filters():
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    for kind in ("cooperatives", "partners", "partnerships", "provinces", "regencies", "sectors", "objectives", "fields"):
        assert f"/api/v1/{kind}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["token"]["name"] == "Authorization"
    names = {p["name"] for p in schema["paths"]["/api/v1/cooperatives/"]["get"]["parameters"]}
    assert {"q", "tier", "sector", "province", "regency", "ordering", "cursor", "limit", "fields", "brief"} <= names


def test_the_schema_generates_without_a_warning(tmp_path):
    """Every view, filter and authenticator described: drf-spectacular warns of what it
    had to guess or leave out, and --fail-on-warn makes that an error."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_the_docs_load_nothing_from_another_host():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    assert "swagger-ui-bundle.js" in html
    # Its script is a file of its own (the page has no inline script: CSP script-src 'self').
    assert not re.search(r"<script>[^<]", html)
    # Nor an inline style (CSP style-src 'self'): drf-spectacular's rules come from a file.
    assert "<style" not in html and "/static/css/swagger.css" in html


def test_every_page_links_the_api_docs():
    html = Client().get("/").content.decode()
    assert 'href="/api/v1/docs/"' in html


def test_any_site_may_read_without_credentials():
    CooperativeFactory()
    response = Client().get("/api/v1/cooperatives/", HTTP_ORIGIN="https://data.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = Client().options(
        "/api/v1/cooperatives/", HTTP_ORIGIN="https://data.example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200 and preflight["Access-Control-Allow-Origin"] == "*"
    # The pages are not the API: no CORS there.
    assert "Access-Control-Allow-Origin" not in Client().get("/", HTTP_ORIGIN="https://data.example.org")


@pytest.fixture
def limits(settings):
    settings.KOPNET_RATE_LIMITS = True
    settings.KOPNET_API_RATE_ANON = (3, 60)
    settings.KOPNET_API_RATE_USER = (5, 60)


def test_a_client_over_its_limit_is_told_when_to_come_back(limits):
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    assert [visitor.get("/api/v1/provinces/").status_code for _ in range(3)] == [200, 200, 200]

    response = visitor.get("/api/v1/provinces/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Request was throttled.")
    # Another address has its own count.
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/provinces/").status_code == 200


def test_a_signed_in_client_counts_as_itself_with_more_room(limits, official):
    assert [official.get("/api/v1/provinces/").status_code for _ in range(6)] == [200] * 5 + [429]
