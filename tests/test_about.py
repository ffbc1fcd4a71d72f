"""The site explains itself (issue 12): the About page, the footer's links, robots.txt
and the sitemap of what a visitor may read."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from kopnet import sitemaps
from kopnet.models import Verification
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

SITE = "https://kopnet.example.org"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE
    settings.KOPNET_CONTACT_EMAIL = "tanya@kopnet.example.org"


def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def locations(response):
    """The <loc> of a sitemap or a sitemap index."""
    assert response["Content-Type"] == "application/xml"
    return [loc.text for loc in ET.fromstring(response.content).iterfind(".//s:loc", NS)]


# --- the About page ------------------------------------------------------------


def test_about_page_in_indonesian_by_default(visitor):
    response = visitor.get("/tentang/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Tentang KopNet</h1>" in html
    for heading in ("Apa itu KopNet", "Siapa yang mengkurasinya", "Bagaimana data diverifikasi",
                    "Cara mengutip KopNet", "Lisensi data", "Kontak"):  # fmt: skip
        assert heading in html
    assert (
        "Data KopNet dapat digunakan ulang dengan lisensi Creative Commons Atribusi 4.0 Internasional (CC BY 4.0)"
        in html
    )
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert 'href="mailto:tanya@kopnet.example.org">tanya@kopnet.example.org</a>' in html
    # The suggested citation: the site's address on SITE_URL and today's date.
    assert re.search(r"KopNet — Registri Koperasi Indonesia, https://kopnet.example.org/, diakses \d{1,2} \w+ \d{4}", html)


def test_about_page_in_english(visitor):
    html = english(visitor).get("/tentang/").content.decode()

    assert "<h1>About KopNet</h1>" in html
    for heading in ("What KopNet is", "Who curates it", "How records are verified", "How to cite KopNet",
                    "Licence of the data", "Contact"):  # fmt: skip
        assert heading in html
    assert "Creative Commons Attribution 4.0 International licence (CC BY 4.0)" in html
    assert "Dekopin&#x27;s curators" in html or "Dekopin's curators" in html
    assert re.search(r"KopNet — Registri Koperasi Indonesia, https://kopnet.example.org/, accessed \d{1,2} \w+ \d{4}", html)


def test_about_page_says_how_verification_works(visitor):
    html = english(visitor).get("/tentang/").content.decode()

    assert "An official of a cooperative" in html
    assert "Each cooperative named as a party" in html
    assert "A curator of Dekopin checks the record" in html
    assert "visitors see the last verified version" in html


def test_about_page_needs_no_query(visitor, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert visitor.get("/tentang/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/koperasi/", "/tentang/"])
def test_footer_links_about_licence_and_contact(visitor, path):
    html = visitor.get(path).content.decode()
    footer = html[html.index("<footer") : html.index("</footer>")]

    assert 'href="/tentang/"' in footer
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">Lisensi data: CC BY 4.0</a>' in footer
    assert 'href="mailto:tanya@kopnet.example.org"' in footer


def test_footer_on_the_error_pages_rendered_without_a_request():
    from django.template import loader

    html = loader.render_to_string("500.html")
    assert 'href="mailto:tanya@kopnet.example.org"' in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html


# --- robots.txt ------------------------------------------------------------------


def test_robots_txt_allows_public_pages_and_names_the_sitemap(visitor):
    response = visitor.get("/robots.txt")
    lines = response.content.decode().splitlines()

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/admin/", "/akun/", "/kerjasama/baru/", "/koperasi/baru/", "/koperasi/*/ubah/"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    # Nothing a visitor reads is disallowed.
    for public in ("/koperasi/", "/mitra/", "/kerjasama/", "/statistik/", "/tentang/"):
        assert f"Disallow: {public}" not in lines


def test_robots_txt_disallows_only_pages_that_exist():
    """A page under each disallowed path resolves: a renamed route must not leave a
    rule that matches nothing. ("*" stands for a slug or a reference.)"""
    from django.urls import resolve

    inside = {"i18n/": "setlang/", "kerjasama/pihak/": "1/konfirmasi/", "kerjasama/perubahan/": "1/konfirmasi/"}
    for rule in sitemaps.ROBOTS_DISALLOW:
        path = "/" + rule.replace("koperasi/*/", "koperasi/contoh/").replace("kerjasama/*/", "kerjasama/KS-2026-000001/")
        resolve(path + inside.get(rule, ""))


# --- the sitemap -------------------------------------------------------------------


def test_sitemap_index_lists_every_section_on_site_url(visitor):
    response = visitor.get("/sitemap.xml", HTTP_HOST="127.0.0.1")

    assert response.status_code == 200
    assert locations(response) == [
        f"{SITE}/sitemap-halaman.xml",
        f"{SITE}/sitemap-koperasi.xml",
        f"{SITE}/sitemap-mitra.xml",
        f"{SITE}/sitemap-kerjasama.xml",
    ]


def test_sitemap_index_lists_every_page_of_a_long_section(visitor, monkeypatch):
    monkeypatch.setattr(sitemaps.RecordSitemap, "limit", 2)
    CooperativeFactory.create_batch(5)

    assert [url for url in locations(visitor.get("/sitemap.xml")) if "koperasi" in url] == [
        f"{SITE}/sitemap-koperasi.xml",
        f"{SITE}/sitemap-koperasi.xml?p=2",
        f"{SITE}/sitemap-koperasi.xml?p=3",
    ]
    assert len(locations(visitor.get("/sitemap-koperasi.xml?p=3"))) == 1
    assert visitor.get("/sitemap-koperasi.xml?p=4").status_code == 404
    assert visitor.get("/sitemap-koperasi.xml?p=x").status_code == 404


def test_static_pages_section(visitor):
    assert locations(visitor.get("/sitemap-halaman.xml")) == [
        f"{SITE}/",
        f"{SITE}/tentang/",
        f"{SITE}/koperasi/",
        f"{SITE}/mitra/",
        f"{SITE}/kerjasama/",
        f"{SITE}/statistik/",
    ]


def test_sections_list_verified_records_only(visitor):
    verified = CooperativeFactory(name="Koperasi Terverifikasi")
    pending = CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    partner = PartnerFactory(name="PT Terverifikasi")
    hidden_partner = PartnerFactory(name="PT Menunggu", verification=Verification.PENDING)
    partnership = PartnershipFactory(initiator=verified)
    hidden_partnership = PartnershipFactory(initiator=verified, verification=Verification.PENDING)

    cooperatives = locations(visitor.get("/sitemap-koperasi.xml", HTTP_HOST="127.0.0.1"))
    partners = locations(visitor.get("/sitemap-mitra.xml"))
    partnerships = locations(visitor.get("/sitemap-kerjasama.xml"))

    assert f"{SITE}/koperasi/{verified.slug}/" in cooperatives
    assert f"{SITE}/koperasi/{pending.slug}/" not in cooperatives
    assert partners == [f"{SITE}/mitra/{partner.slug}/"]
    assert f"{SITE}/mitra/{hidden_partner.slug}/" not in partners
    assert partnerships == [f"{SITE}/kerjasama/{partnership.reference}/"]
    assert f"{SITE}/kerjasama/{hidden_partnership.reference}/" not in partnerships


def test_sections_give_the_record_s_last_change_as_lastmod(visitor):
    cooperative = CooperativeFactory()
    tree = ET.fromstring(visitor.get("/sitemap-koperasi.xml").content)

    assert tree.find("s:url/s:lastmod", NS).text == timezone.localdate(cooperative.updated_at).isoformat()


def test_unknown_section_is_404(visitor):
    assert visitor.get("/sitemap-pengguna.xml").status_code == 404


@pytest.mark.parametrize(
    "section, make",
    [
        ("koperasi", lambda n: CooperativeFactory.create_batch(n)),
        ("mitra", lambda n: PartnerFactory.create_batch(n)),
        ("kerjasama", lambda n: PartnershipFactory.create_batch(n)),
    ],
)
def test_a_sitemap_page_costs_the_same_queries_with_one_row_or_many(visitor, django_assert_num_queries, section, make):
    url = f"/sitemap-{section}.xml"
    make(1)
    # 1. the section's count (the paginator checks the page number)
    # 2. the page's rows: (slug or reference, updated_at), in primary-key order
    with django_assert_num_queries(2):
        assert len(locations(visitor.get(url))) == 1
    make(20)
    with django_assert_num_queries(2):
        assert len(locations(visitor.get(url))) == 21


def test_the_sitemap_index_costs_one_count_per_record_section(visitor, django_assert_num_queries):
    CooperativeFactory.create_batch(3)
    # The count of cooperatives, partners and partnerships: never their rows.
    with django_assert_num_queries(3):
        visitor.get("/sitemap.xml")


def test_a_sitemap_page_reads_two_columns_in_primary_key_order(visitor, django_assert_num_queries):
    CooperativeFactory()
    with django_assert_num_queries(2) as queries:
        visitor.get("/sitemap-koperasi.xml")
    rows = queries.captured_queries[1]["sql"]
    columns = r'SELECT "registry_cooperative"."slug"( AS "slug")?, "registry_cooperative"."updated_at"( AS "updated_at")? FROM'
    assert re.search(columns, rows), rows
    assert 'ORDER BY "registry_cooperative"."id" ASC' in rows
    assert "LIMIT" in rows
