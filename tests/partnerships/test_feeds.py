"""Issue 14 §3: Atom feeds of newly verified partnerships — all, a cooperative's, a
province's — what a visitor sees whoever asks, linked from the pages they belong to
(<link rel="alternate"> in the head, kept by the page cache)."""

import datetime
import xml.etree.ElementTree as ElementTree

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kopnet.models import Verification
from partnerships.models import Partnership
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, PartnershipFactory, province

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(address, client=None):
    answer = (client or Client()).get(address)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(answer.content)
    return root, [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


def verified_on(partnership, days_ago):
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Partnership.objects.filter(pk=partnership.pk).update(verification_at=moment)


def between(initiator, other, **fields):
    return PartnershipFactory(initiator=initiator, parties=[initiator, other], **fields)


@pytest.fixture
def world():
    bandung = CooperativeFactory(name="Koperasi Bandung", slug="koperasi-bandung", province=province("32"))
    surabaya = CooperativeFactory(name="Koperasi Surabaya", slug="koperasi-surabaya", province=province("35"))
    medan = CooperativeFactory(name="Koperasi Medan", slug="koperasi-medan", province=province("12"))
    unverified = PartnerFactory(name="PT Belum Diperiksa", province=province("12"), verification=Verification.PENDING)
    made = {
        "older": between(bandung, surabaya, title="Kerja sama lama"),
        "newer": between(surabaya, medan, title="Kerja sama baru"),
        "with_unverified": between(medan, unverified, title="Dengan mitra baru"),
        "pending": between(bandung, medan, title="Menunggu", verification=Verification.PENDING),
    }
    verified_on(made["older"], 10)
    verified_on(made["newer"], 1)
    verified_on(made["with_unverified"], 5)
    return {"bandung": bandung, "surabaya": surabaya, "medan": medan, **made}


def test_the_feed_of_all_lists_the_verified_newest_first(world):
    root, titles = read_feed("/kerjasama/terbaru.atom")
    assert titles == ["Kerja sama baru", "Dengan mitra baru", "Kerja sama lama"]
    assert root.findtext(f"{ATOM}title") == "KopNet: kerja sama yang baru diverifikasi"
    assert root.find(f"{ATOM}author").findtext(f"{ATOM}name") == "KopNet"  # Atom requires one
    entry = next(root.iter(f"{ATOM}entry"))
    assert entry.find(f"{ATOM}link").get("href") == f"http://testserver/kerjasama/{world['newer'].reference}/"
    # A partner a visitor may not see is not named, as on the pages.
    summaries = " ".join(entry.findtext(f"{ATOM}summary") for entry in root.iter(f"{ATOM}entry"))
    assert "PT Belum Diperiksa" not in summaries and "Koperasi Medan" in summaries


def test_shared_caches_may_keep_a_feed_a_while(world):
    answer = Client().get("/kerjasama/terbaru.atom")
    assert answer["Cache-Control"] == "public, max-age=300"
    assert answer["Last-Modified"]  # the newest entry's: a reader asks again with If-Modified-Since


def test_a_curator_reads_what_a_visitor_reads(world, curator):
    assert read_feed("/kerjasama/terbaru.atom", curator)[1] == read_feed("/kerjasama/terbaru.atom")[1]


def test_a_cooperatives_feed_holds_its_partnerships(world):
    assert read_feed("/koperasi/koperasi-bandung/kerjasama.atom")[1] == ["Kerja sama lama"]
    assert read_feed("/koperasi/koperasi-medan/kerjasama.atom")[1] == ["Kerja sama baru", "Dengan mitra baru"]


def test_a_provinces_feed_holds_the_partnerships_with_a_party_there(world):
    assert read_feed("/kerjasama/provinsi/35.atom")[1] == ["Kerja sama baru", "Kerja sama lama"]
    english = Client()
    english.cookies["django_language"] = "en"
    root, titles = read_feed("/kerjasama/provinsi/32.atom", english)
    assert titles == ["Kerja sama lama"]
    assert root.findtext(f"{ATOM}title") == "KopNet: newly verified partnerships in Jawa Barat"


@pytest.mark.parametrize(
    "address",
    ["/kerjasama/provinsi/99.atom", "/kerjasama/provinsi/3x.atom", "/kerjasama/provinsi/..%2F32.atom",
     "/koperasi/tidak-ada/kerjasama.atom"],
)  # fmt: skip
def test_a_feed_of_nothing_is_a_404(db, address):
    assert Client().get(address).status_code == 404


def test_a_cooperative_a_visitor_may_not_see_has_no_feed(db, curator):
    CooperativeFactory(slug="koperasi-menunggu", verification=Verification.PENDING)
    assert Client().get("/koperasi/koperasi-menunggu/kerjasama.atom").status_code == 404
    assert curator.get("/koperasi/koperasi-menunggu/kerjasama.atom").status_code == 404
    assert "kerjasama.atom" not in curator.get("/koperasi/koperasi-menunggu/").content.decode()


def queries_of(address):
    with CaptureQueriesContext(connection) as queries:
        read_feed(address)
    return len(queries)


@pytest.mark.parametrize("address", ["/kerjasama/terbaru.atom", "/koperasi/koperasi-medan/kerjasama.atom",
                                     "/kerjasama/provinsi/12.atom"])  # fmt: skip
def test_a_feed_costs_the_same_queries_whatever_it_holds(world, address):
    few = queries_of(address)
    for _number in range(12):
        between(world["medan"], CooperativeFactory(province=province("12")))
    assert len(read_feed(address)[1]) > 12
    assert queries_of(address) == few


def alternate_links(html):
    return [line for line in html.splitlines() if 'rel="alternate" type="application/atom+xml"' in line]


@pytest.mark.parametrize("cache", [False, True])
def test_the_pages_link_their_feeds_in_their_head(world, settings, cache):
    settings.KOPNET_PAGE_CACHE = cache
    for _time in range(2):  # the second from the cache when it is on
        page = Client().get("/kerjasama/")
        head = page.content.decode().split("</head>")[0]
        assert 'href="/kerjasama/terbaru.atom"' in head
        assert "/kerjasama/provinsi/" not in head
        filtered = Client().get("/kerjasama/", {"province": "32"}).content.decode().split("</head>")[0]
        assert 'href="/kerjasama/provinsi/32.atom"' in filtered and 'title="Kerja sama yang baru diverifikasi di Jawa Barat"' in filtered
        profile = Client().get("/koperasi/koperasi-bandung/").content.decode().split("</head>")[0]
        assert 'href="/koperasi/koperasi-bandung/kerjasama.atom"' in profile
    if cache:
        assert page["X-KopNet-Cache"] == "hit"
    assert len(alternate_links(Client().get("/kerjasama/", {"province": "32"}).content.decode())) == 2
