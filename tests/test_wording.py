"""Issue 12, wording: the sign-in's error names the field once, one date style and one
number style per language on the site's pages and in the admin, and the admin's
time-zone note only where it means something. Each in Indonesian and in English."""

import csv
import datetime
import io
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.admin.utils import display_for_value
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, translation

from registry.models import Cooperative, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnershipFactory, UserFactory

LANGUAGES = ["id", "en"]
DAY = datetime.date(2024, 8, 24)
MOMENT = datetime.datetime(2024, 8, 24, 14, 30, tzinfo=ZoneInfo("Asia/Jakarta"))


def in_language(client, language):
    if language == "en":
        client.cookies["django_language"] = "en"
    return client


def text(response):
    """The page as a reader sees its words: tags dropped, entities read, spaces as one."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html))


# --- 1. the sign-in's error -------------------------------------------------------------

SIGN_IN_ERROR = {
    "id": "Masukkan nama pengguna dan sandi yang benar. Huruf besar dan kecil pada keduanya dibedakan.",
    "en": "Please enter a correct username and password. Note that both fields may be case-sensitive.",
}
@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_names_the_username_field_once(client, language):
    UserFactory(username="anggota")

    response = in_language(client, language).post(
        reverse("login"), {"username": "anggota", "password": "bukan-sandinya"}
    )

    assert response.status_code == 400  # a form sent back with its errors
    page = text(response)
    assert SIGN_IN_ERROR[language] in page
    assert "nama pengguna nama pengguna" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_sign_in_is_the_sites_and_names_the_username_field_once(client, language):
    get_user_model().objects.create_user("pengelola", password="sandi-yang-panjang-1", is_staff=True)
    sent = in_language(client, language).get("/admin/login/")

    response = client.post(sent["Location"], {"username": "pengelola", "password": "bukan-sandinya", "next": "/admin/"})

    assert response.status_code == 400
    page = text(response)
    assert SIGN_IN_ERROR[language] in page
    assert "nama pengguna nama pengguna" not in page


# --- 2. one date style per language -----------------------------------------------------

DATES = {
    # language: (DATE_FORMAT, SHORT_DATE_FORMAT, DATETIME_FORMAT, SHORT_DATETIME_FORMAT)
    "id": ("24 Agustus 2024", "24/08/2024", "24 Agustus 2024, 14.30", "24/08/2024 14.30"),
    "en": ("24 August 2024", "2024-08-24", "24 August 2024, 14:30", "2024-08-24 14:30"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_one_long_and_one_short_date_style(language):
    long, short, long_moment, short_moment = DATES[language]
    with translation.override(language):
        assert formats.date_format(DAY) == long
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == long_moment
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_moment
        # The admin's lists and read-only fields write dates through localize().
        assert display_for_value(DAY, "-") == long
        # Typing a date in stays as Django has it: the ISO date is always taken.
        assert "%Y-%m-%d" in formats.get_format("DATE_INPUT_FORMATS")


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_profile_writes_its_dates_in_the_long_style(client, language):
    cooperative = CooperativeFactory(founded=DAY)

    response = in_language(client, language).get(reverse("registry:cooperative_detail", args=[cooperative.slug]))

    assert DATES[language][0] in text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_partnership_table_writes_its_dates_in_the_short_style_day_first(client, language):
    PartnershipFactory(start_date=DAY)

    response = in_language(client, language).get(reverse("partnerships:partnership_list"))

    page = response.content.decode()
    assert f">{DATES[language][1]}</time>" in page
    assert "08/24/2024" not in page
    assert '<time datetime="2024-08-24">' in page  # the machine's date stays ISO


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_writes_a_federations_members_since_in_the_long_style(client, language):
    membership = MembershipFactory(start_date=DAY)
    client.force_login(get_user_model().objects.create_superuser("pengelola", "p@example.org", "sandi-yang-panjang-1"))

    response = in_language(client, language).get(
        reverse("admin:registry_cooperative_change", args=[membership.federation_id])
    )

    assert response.status_code == 200
    assert DATES[language][0] in text(response)
    assert "2024-08-24" not in text(response)


# --- 3. one number style per language ---------------------------------------------------

GROUPED = {"id": "3.406", "en": "3,406"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_profile_groups_its_members_count(client, language):
    cooperative = CooperativeFactory(individual_members=3406)

    response = in_language(client, language).get(reverse("registry:cooperative_detail", args=[cooperative.slug]))

    expected = {"id": "3.406 anggota perorangan", "en": "3,406 individual members"}[language]
    assert expected in text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_federations_profile_groups_its_member_cooperatives(client, language):
    federation = CooperativeFactory(tier=Tier.SEKUNDER)
    type(federation).objects.filter(pk=federation.pk).update(member_count=3406)

    response = in_language(client, language).get(reverse("registry:cooperative_detail", args=[federation.slug]))

    expected = {"id": "3.406 koperasi anggota", "en": "3,406 member cooperatives"}[language]
    assert expected in text(response)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pager_groups_its_total_and_keeps_its_links_plain(language):
    page = Paginator(range(34060), 10).page(1001)
    request = RequestFactory().get("/koperasi/", {"page": "1001"})

    with translation.override(language):
        html = render_to_string("_pager.html", {"page_obj": page, "request": request})

    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    expected = {
        "id": "Halaman 1.001 dari 3.406 (34.060 hasil)",
        "en": "Page 1,001 of 3,406 (34,060 results)",
    }[language]
    assert expected in words
    assert "page=1002" in html and "page=3406" in html  # addresses carry plain numbers


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_and_the_edit_form_keep_numbers_and_dates_plain(client, official, cooperative_a, language):
    type(cooperative_a).objects.filter(pk=cooperative_a.pk).update(
        individual_members=3406, member_count=3406, founded=DAY
    )
    in_language(client, language)

    download = client.get(reverse("registry:cooperative_list"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8"))))
    [row] = [row for row in rows if row["slug"] == cooperative_a.slug]
    assert (row["members"], row["founded"]) == ("3406", "2024-08-24")

    form = client.get(reverse("registry:cooperative_update", args=[cooperative_a.slug])).content.decode()
    [field] = re.findall(r'<input[^>]*name="individual_members"[^>]*>', form)
    assert 'value="3406"' in field
    [founded] = re.findall(r'<input[^>]*name="founded"[^>]*>', form)
    assert 'value="2024-08-24"' in founded
    assert GROUPED[language] not in form


# --- 4. the admin's time-zone note ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_keeps_wib_and_hides_the_time_zone_note_under_dates_only(client, language):
    """The server's clock is WIB; a curator in WITA (+8) or WIT (+9) saw "Note: You are
    1 hour ahead of server time" under every date field. admin.css hides the note
    under a date-only field (p.date) and keeps it under a date and time (p.datetime);
    tests/browser/test_admin_pages.py sees it in a browser set to Asia/Makassar."""
    assert settings.TIME_ZONE == "Asia/Jakarta"
    client.force_login(get_user_model().objects.create_superuser("pengelola", "p@example.org", "sandi-yang-panjang-1"))

    page = in_language(client, language).get(reverse("admin:registry_cooperative_add")).content.decode()

    assert 'data-admin-utc-offset="25200"' in page  # +07:00: the "Today" link stays the server's day
    assert 'href="/static/css/admin.css"' in page
    assert '<p class="date">' in page
    stylesheet = Path(finders.find("css/admin.css")).read_text(encoding="utf-8")
    assert re.search(r"p\.date\s*>\s*\.timezonewarning\s*\{\s*display:\s*none;?\s*\}", stylesheet)
    assert "p.datetime" not in re.sub(r"/\*.*?\*/", "", stylesheet, flags=re.S)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_groups_a_cooperatives_members_and_its_lists_count(client, language):
    federation = CooperativeFactory(name="Induk Koperasi Contoh", tier=Tier.SEKUNDER)
    type(federation).objects.filter(pk=federation.pk).update(member_count=3406)
    client.force_login(get_user_model().objects.create_superuser("pengelola", "p@example.org", "sandi-yang-panjang-1"))
    in_language(client, language)

    listed = client.get(reverse("admin:registry_cooperative_changelist"))
    assert f'<td class="field-members">{GROUPED[language]}</td>' in listed.content.decode()
    assert re.search(r'<p class="paginator">\s*1 ', listed.content.decode())  # one cooperative: "1 koperasi"
    # The list's count, as admin/pagination.html writes it for a long list.
    with translation.override(language):
        pager = render_to_string(
            "admin/pagination.html",
            {"cl": SimpleNamespace(result_count=3406, opts=Cooperative._meta, formset=None), "pagination_required": False},
        )
        counted = f"{GROUPED[language]} {Cooperative._meta.verbose_name_plural}"
    assert counted in re.sub(r"\s+", " ", pager)
    # The search bar's counts, as admin/search_form.html writes them after a search.
    with translation.override(language):
        searched = render_to_string(
            "admin/search_form.html",
            {
                "cl": SimpleNamespace(
                    search_fields=["name"], query="tani", result_count=3406, full_result_count=12345,
                    show_full_result_count=True, is_popup=False, add_facets=False, params={}, search_help_text="",
                ),
                "show_result_count": True, "search_var": "q",
            },
        )  # fmt: skip
        words = {"id": ("3.406 hasil", "12.345 total"), "en": ("3,406 results", "12,345 total")}[language]
    assert all(word in searched for word in words), searched

    changed = client.get(reverse("admin:registry_cooperative_change", args=[federation.pk]))
    assert f'<div class="readonly">{GROUPED[language]}</div>' in changed.content.decode()
