"""The registry's one search (/cari/, partnerships.search): cooperatives, partners and
partnerships grouped with their counts and lists; an exact reference or NIK goes to
its record; nobody finds what they may not see; bad input is a message, never a 500."""

import pytest
from django.core.cache import cache
from django.db import connection

from kopnet.models import Verification
from partnerships import search
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, RepresentationFactory, UserFactory

URL = "/cari/"
# A visitor's cold search on SQLite: for cooperatives and partners the data version
# (their lists' counts are cached by it), the count and the first rows; for
# partnerships the count (stopped at COUNT_LIMIT) and the first rows. PostgreSQL reads
# the data version after its deferred triggers (two statements more per list) and a
# visitor's cooperatives through their search rows (one more): 13.
QUERIES = {"sqlite": 8, "postgresql": 13}


def groups(response):
    return {group.kind: group for group in response.context["groups"]}


def names(group):
    return [name for name, _url, _detail in group.results]


@pytest.mark.django_db
def test_one_search_finds_each_kind_with_counts_and_links_to_each_list(visitor):
    kud = CooperativeFactory(name="KUD Bank Desa Makmur", short_name="KBDM")
    PartnerFactory(name="PT Bank Rakyat Contoh")
    PartnerFactory(name="Bank Pembangunan Daerah Contoh")
    PartnerFactory(name="PT Pupuk Contoh")
    deal = PartnershipFactory(title="Kredit bank untuk anggota", initiator=kud)

    response = visitor.get(URL, {"q": "bank"})

    assert response.status_code == 200
    found = groups(response)
    assert [group.kind for group in response.context["groups"]] == ["cooperatives", "partners", "partnerships"]
    assert (found["cooperatives"].count, names(found["cooperatives"])) == (1, [kud.name])
    assert found["partners"].count == 2
    assert sorted(names(found["partners"])) == ["Bank Pembangunan Daerah Contoh", "PT Bank Rakyat Contoh"]
    assert (found["partnerships"].count, names(found["partnerships"])) == (1, [deal.title])
    page = response.content.decode()
    assert 'href="/koperasi/?q=bank"' in page and 'href="/mitra/?q=bank"' in page and 'href="/kerjasama/?q=bank"' in page
    assert f'href="/koperasi/{kud.slug}/"' in page and f'href="/kerjasama/{deal.reference}/"' in page
    assert "Lihat semua 2 hasil di daftar" in page


@pytest.mark.django_db
def test_a_group_counts_as_its_list_counts(visitor):
    for number in range(7):
        CooperativeFactory(name=f"Koperasi Serba Usaha Harapan {number}")

    found = groups(visitor.get(URL, {"q": "harapan"}))
    listed = visitor.get("/koperasi/", {"q": "harapan"}).context["page_obj"].paginator.count

    assert found["cooperatives"].count == listed == 7
    assert len(found["cooperatives"].results) == search.GROUP_SIZE


@pytest.mark.django_db
def test_partnership_counts_stop_at_the_limit(visitor, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    for _ in range(5):
        PartnershipFactory(title="Pemasaran bersama")

    response = visitor.get(URL, {"q": "pemasaran"})

    group = groups(response)["partnerships"]
    assert (group.count, group.more) == (3, True)
    assert "Lihat lebih dari 3 hasil di daftar" in response.content.decode()


@pytest.mark.django_db
def test_an_exact_reference_or_nik_goes_to_its_record(visitor):
    deal = PartnershipFactory()
    kud = CooperativeFactory(nik="3201234567890123")

    assert visitor.get(URL, {"q": f" {deal.reference.lower()} "})["Location"] == f"/kerjasama/{deal.reference}/"
    assert visitor.get(URL, {"q": "3201234567890123"})["Location"] == f"/koperasi/{kud.slug}/"


@pytest.mark.django_db
def test_the_start_of_a_reference_finds_its_partnerships(visitor):
    from partnerships.models import Partnership

    first, second, other = (PartnershipFactory(title=f"Kerjasama {n}") for n in range(3))
    Partnership.objects.filter(pk=first.pk).update(reference="KS-2024-901217")
    Partnership.objects.filter(pk=second.pk).update(reference="KS-2024-901299")
    Partnership.objects.filter(pk=other.pk).update(reference="KS-2025-901200")
    hidden = PartnershipFactory(title="Rahasia", verification=Verification.PENDING)
    Partnership.objects.filter(pk=hidden.pk).update(reference="KS-2024-901250")

    for text in ("KS-2024-9012", "ks-2024-9012", "2024-9012", "KS2024-9012"):
        group = groups(visitor.get(URL, {"q": text}))["partnerships"]
        assert sorted(names(group)) == ["Kerjasama 0", "Kerjasama 1"], text
    assert groups(visitor.get(URL, {"q": "KS-2025"}))["partnerships"].count == 1
    # A number inside a title is still found by the title.
    PartnershipFactory(title="Program 2024-9012 bersama")
    assert groups(visitor.get(URL, {"q": "2024-9012"}))["partnerships"].count == 3


@pytest.mark.django_db
def test_visitors_never_find_pending_or_rejected_records_nor_jump_to_them(visitor):
    hidden = CooperativeFactory(name="Koperasi Rahasia Menunggu", nik="3201234567890999", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Rahasia Ditolak", verification=Verification.REJECTED, verification_note="Fiktif")
    PartnerFactory(name="PT Rahasia Menunggu", verification=Verification.PENDING)
    waiting = PartnershipFactory(title="Kerjasama Rahasia", verification=Verification.PENDING)

    found = groups(visitor.get(URL, {"q": "rahasia"}))

    assert [group.count for group in found.values()] == [0, 0, 0]
    assert visitor.get(URL, {"q": waiting.reference}).status_code == 200
    assert visitor.get(URL, {"q": hidden.nik}).status_code == 200


@pytest.mark.django_db
def test_an_official_finds_their_own_pending_cooperative_but_not_anothers(client):
    own = CooperativeFactory(name="Koperasi Baru Kami", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Baru Mereka", verification=Verification.PENDING)
    user = UserFactory()
    RepresentationFactory(user=user, cooperative=own)
    client.force_login(user)

    found = groups(client.get(URL, {"q": "koperasi baru"}))

    assert names(found["cooperatives"]) == [own.name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 200, None),
        ("a", 200, "Ketik paling sedikit dua huruf atau angka."),
        ("x" * 201, 400, "Cari dengan paling banyak 200 karakter."),
        ("bank\x00", 400, "Cari dengan paling banyak 200 karakter."),
    ],
)
def test_empty_short_long_and_nul_searches_answer_with_a_message(visitor, query, status, message):
    response = visitor.get(URL, {"q": query})

    assert response.status_code == status
    assert response.context["groups"] is None
    assert response.context["problem"] == message


@pytest.mark.django_db
def test_the_page_is_in_english_for_an_english_reader(visitor, settings):
    PartnerFactory(name="PT Bank Rakyat Contoh")
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = visitor.get(URL, {"q": "bank"}).content.decode()

    assert "Search the registry" in page and "See the 1 result in the list" in page


@pytest.mark.django_db
def test_a_search_reads_a_fixed_number_of_queries(visitor, django_assert_num_queries):
    """Whatever the number of matches: the groups' counts and first rows, no query per row."""

    def made(first, last):
        for number in range(first, last):
            CooperativeFactory(name=f"Koperasi Tani {number}")
            PartnerFactory(name=f"CV Tani {number}")
            PartnershipFactory(title=f"Kerjasama Tani {number}")
        cache.clear()

    made(0, 6)
    with django_assert_num_queries(QUERIES[connection.vendor]):
        visitor.get(URL, {"q": "tani"})
    made(6, 30)
    with django_assert_num_queries(QUERIES[connection.vendor]):
        visitor.get(URL, {"q": "tani"})


@pytest.mark.django_db
def test_the_search_page_is_cached_for_visitors_and_follows_a_verification(visitor, settings, curator_user):
    from registry import services

    settings.KOPNET_PAGE_CACHE = True
    waiting = CooperativeFactory(name="Koperasi Cache Menunggu", verification=Verification.PENDING)
    assert groups(visitor.get(URL, {"q": "cache menunggu"}))["cooperatives"].count == 0

    services.cooperative_verify(curator=curator_user, pk=waiting.pk)

    assert "Koperasi Cache Menunggu" in visitor.get(URL, {"q": "cache menunggu"}).content.decode()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity is PostgreSQL's")
def test_a_typo_finds_the_similar_names_and_says_they_are_approximate(visitor):
    CooperativeFactory(name="Koperasi Tani Makmur Sejahtera")
    CooperativeFactory(name="Koperasi Nelayan Bahari")

    response = visitor.get(URL, {"q": "koprasi tani"})

    group = groups(response)["cooperatives"]
    assert (group.count, group.approximate) == (0, True)
    assert names(group) == ["Koperasi Tani Makmur Sejahtera"]
    assert "mungkin maksud Anda" in response.content.decode()
