"""Indonesian by default, English through the language switch on every page."""

import io
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django_countries.data import COUNTRIES

from kopnet.management.commands import countrynames
from kopnet.management.commands.countrynames import english_name
from tests.factories import CooperativeFactory, PartnerFactory, sector


def switch(client, language, next_url):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


@pytest.mark.django_db
def test_pages_are_indonesian_by_default_even_when_the_browser_asks_for_english(visitor):
    response = visitor.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    page = response.content.decode()
    assert '<html lang="id">' in page
    assert response["Content-Language"] == "id"
    assert ">Beranda<" in page  # "Home", from Django's own Indonesian catalogue


@pytest.mark.django_db
def test_switching_to_english_returns_to_the_same_page_and_the_next_page_is_english(visitor):
    CooperativeFactory(name="Koperasi Tani", sectors=[sector("pertanian")])

    response = switch(visitor, "en", "/koperasi/?tier=primer")

    assert response.status_code == 302
    assert response["Location"] == "/koperasi/?tier=primer"
    english = visitor.get("/koperasi/", {"tier": "primer"})
    page = english.content.decode()
    assert '<html lang="en">' in page
    assert english["Content-Language"] == "en"
    assert ">Home<" in page
    assert "Agriculture" in page
    assert "Pertanian" not in page


@pytest.mark.django_db
def test_switching_back_to_indonesian(visitor):
    CooperativeFactory(name="Koperasi Tani", sectors=[sector("pertanian")])
    switch(visitor, "en", "/")

    switch(visitor, "id", "/koperasi/")

    page = visitor.get("/koperasi/").content.decode()
    assert '<html lang="id">' in page
    assert "Pertanian" in page


@pytest.mark.django_db
def test_an_unknown_language_leaves_indonesian(visitor):
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    page = visitor.get("/").content.decode()

    assert '<html lang="id">' in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/koperasi/?tier=primer&page=1", "/mitra/?kind=bank", "/tidak-ada/"])
def test_every_page_has_the_switch_pointing_back_to_itself(visitor, url):
    page = visitor.get(url).content.decode()

    assert '<form method="post" action="/i18n/setlang/"' in page
    assert f'name="next" value="{url.replace("&", "&amp;")}"' in page
    assert 'name="language" value="id"' in page
    assert 'name="language" value="en"' in page


@pytest.mark.django_db
def test_the_switch_marks_the_active_language(visitor):
    indonesian = visitor.get("/").content.decode()
    switch(visitor, "en", "/")
    english = visitor.get("/").content.decode()

    assert 'aria-pressed="true">Bahasa Indonesia<' in indonesian
    assert 'aria-pressed="false">English<' in indonesian
    assert 'aria-pressed="true">English<' in english


@pytest.mark.django_db
def test_country_names_follow_the_language_indonesian_included(visitor):
    partner = PartnerFactory(name="Mitra Eropa", country="FR", province=None)

    indonesian = visitor.get(f"/mitra/{partner.slug}/").content.decode()
    form = visitor.get("/mitra/").content.decode()
    switch(visitor, "en", "/")
    english = visitor.get(f"/mitra/{partner.slug}/").content.decode()

    assert "Prancis" in indonesian and "France" not in indonesian
    assert '<option value="DE">Jerman</option>' in form
    assert "France" in english and "Prancis" not in english


def test_every_country_has_its_indonesian_name_in_the_catalogue():
    """A django-countries upgrade that adds a country needs `manage.py countrynames` again."""
    catalogue = polib.pofile(str(Path(settings.LOCALE_PATHS[1]) / "id" / "LC_MESSAGES" / "django.po"))
    names = {entry.msgid: entry.msgstr for entry in catalogue}

    assert sorted(set(map(english_name, COUNTRIES.values())) - set(names)) == []
    assert [msgid for msgid, msgstr in names.items() if not msgstr] == []
    assert (names["Germany"], names["France"], names["Japan"]) == ("Jerman", "Prancis", "Jepang")


def test_the_country_catalogue_is_written_from_the_cldr(tmp_path, monkeypatch):
    monkeypatch.setattr(countrynames, "CATALOGUE_FOLDER", tmp_path)

    call_command("countrynames", stdout=io.StringIO())

    written = polib.pofile(str(tmp_path / "id" / "LC_MESSAGES" / "django.po"))
    assert len(written) == len(COUNTRIES)
    assert written.find("France").msgstr == "Prancis"
    assert written.metadata["Plural-Forms"].startswith("nplurals=1;")
    assert not (tmp_path / "en").exists()
