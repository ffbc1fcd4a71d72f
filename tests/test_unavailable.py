"""A database that does not answer (a restart, a failover) gives every page a 503 with
Retry-After and a page in the reader's language, never a traceback or a 500; a
database error while the database answers stays a 500 (it is a bug, not an outage)."""

from unittest import mock

import pytest
from django.db import OperationalError, ProgrammingError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from tests.factories import CooperativeFactory, UserFactory

pytestmark = pytest.mark.django_db

# A list, a profile, the figures, a signed-in page (its session is in the database), /healthz.
URLS = ["/", "/koperasi/", "profile", "/statistik/", "/akun/", "/healthz"]


def failing(error):
    def execute(self, sql, params=None):
        raise error

    return mock.patch.object(CursorWrapper, "execute", execute)


def visitor(language="en"):
    # The test client raises the view's exception by default; a browser gets the page.
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("url", URLS)
def test_every_page_answers_503_while_the_database_does_not_answer(url):
    cooperative = CooperativeFactory()
    client = visitor()
    if url == "profile":
        url = reverse("registry:cooperative_detail", args=[cooperative.slug])
    if url == "/akun/":
        client.force_login(UserFactory())
    with failing(OperationalError("server closed the connection unexpectedly")):
        response = client.get(url)
    assert response.status_code == 503
    if url != "/healthz":
        assert response["Retry-After"] == "5"
        assert "KopNet is briefly unavailable" in response.content.decode()


def test_the_503_page_is_in_the_readers_language():
    with failing(OperationalError("could not connect to server")):
        response = visitor("id").get("/koperasi/")
    assert response.status_code == 503
    assert "KopNet sebentar tidak tersedia" in response.content.decode()


def test_a_database_error_while_the_database_answers_stays_a_500():
    """Only the statement of the page fails (a broken query): the probe's SELECT 1 goes through."""
    real_execute = CursorWrapper.execute

    def execute(self, sql, params=None):
        if "registry_cooperative" in sql:
            raise ProgrammingError("column does not exist")
        return real_execute(self, sql, params)

    CooperativeFactory()
    with mock.patch.object(CursorWrapper, "execute", execute):
        response = visitor().get("/koperasi/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_server_that_is_gone_answers_503_and_the_next_request_after_it_is_back_200():
    """A real refused connection, not a patched one: the connection's settings point at
    a closed port while the page is asked for, then back (what a restart looks like
    from a worker whose persistent connection the server dropped)."""
    if connection.vendor != "postgresql":
        pytest.skip("a server to lose: PostgreSQL only (SQLite's test database lives in the connection)")
    CooperativeFactory()
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = visitor().get("/koperasi/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert visitor().get("/koperasi/").status_code == 200

