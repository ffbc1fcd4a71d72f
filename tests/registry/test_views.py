"""The public pages of the registry: lists, bad input, pagination, profiles, who sees what."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from kopnet.models import Verification
from registry.models import Scope, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, sector


def html(response):
    return response.content.decode()


def federation(tier=Tier.SEKUNDER, **fields):
    return CooperativeFactory(tier=tier, individual_members=None, **fields)


# --- Lists ------------------------------------------------------------------------


@pytest.mark.django_db
def test_cooperative_list_shows_rows_with_tier_location_and_sectors(visitor):
    CooperativeFactory(name="Koperasi Tani Makmur", short_name="KTM", sectors=[sector("pertanian")])

    response = visitor.get("/koperasi/")

    assert response.status_code == 200
    page = html(response)
    assert "Koperasi Tani Makmur" in page
    assert "(KTM)" in page
    assert "Jawa Barat" in page
    assert "Pertanian" in page
    assert "Halaman 1 dari 1 (1 hasil)" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tier": "foo"}, "tier"),
        ({"type": "bank"}, "type"),
        ({"status": "closed"}, "status"),
        ({"scope": "planet"}, "scope"),
        ({"province": "99"}, "province"),
        ({"province": "Jawa Barat"}, "province"),
        ({"country": "XX"}, "country"),
        ({"ordering": "bogus"}, "ordering"),
        ({"ordering": "id"}, "ordering"),
        ({"sector": "nope"}, "sector"),
        ({"sector": "pertanian\x00"}, "sector"),
        ({"q": "koperasi\x00"}, "q"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_cooperative_filter_answers_400_with_the_error_next_to_the_field(visitor, params, field):
    CooperativeFactory(name="Koperasi Yang Tidak Boleh Tampil")

    response = visitor.get("/koperasi/", params)

    assert response.status_code == 400
    page = html(response)
    assert f'id="id_{field}_error"' in page
    assert f'aria-describedby="id_{field}_error"' in page
    assert "Daftar ini tidak dapat ditampilkan" in page
    assert "Koperasi Yang Tidak Boleh Tampil" not in page
    assert "<table" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "koperasi"}, "kind"),
        ({"country": "ZZ"}, "country"),
        ({"province": "00"}, "province"),
        ({"ordering": "-kind"}, "ordering"),
    ],
)
def test_invalid_partner_filter_answers_400_with_the_error(visitor, params, field):
    PartnerFactory(name="PT Tidak Boleh Tampil")

    response = visitor.get("/mitra/", params)

    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html(response)
    assert "PT Tidak Boleh Tampil" not in html(response)


@pytest.mark.django_db
def test_an_invalid_filter_with_a_page_number_still_says_400(visitor):
    response = visitor.get("/koperasi/", {"tier": "foo", "page": "7"})

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/koperasi/", "/mitra/"])
@pytest.mark.parametrize("page", ["2", "0", "-1", "abc", "999999999999999999999"])
def test_a_page_out_of_range_or_not_a_number_is_a_friendly_404(visitor, url, page):
    CooperativeFactory()
    PartnerFactory()

    response = visitor.get(url, {"page": page})

    assert response.status_code == 404
    assert gettext("Page not found") in html(response)
    assert 'href="/koperasi/"' in html(response)


@pytest.mark.django_db
def test_pager_counts_and_keeps_every_filter_in_its_links(visitor, settings):
    for _ in range(60):
        CooperativeFactory(tier=Tier.PRIMER, sectors=[sector("pertanian")])
    federation()

    response = visitor.get("/koperasi/", {"tier": "primer", "sector": "pertanian", "ordering": "-name"})

    page = html(response)
    assert "Halaman 1 dari 2 (60 hasil)" in page
    assert 'href="/koperasi/?tier=primer&amp;sector=pertanian&amp;ordering=-name&amp;page=2"' in page
    second = visitor.get("/koperasi/", {"tier": "primer", "sector": "pertanian", "ordering": "-name", "page": "2"})
    assert len(second.context["object_list"]) == 10
    assert "Halaman 2 dari 2 (60 hasil)" in html(second)
    assert 'href="/koperasi/?tier=primer&amp;sector=pertanian&amp;ordering=-name&amp;page=1"' in html(second)


@pytest.mark.django_db
def test_the_filter_form_shows_the_current_values(visitor):
    response = visitor.get("/koperasi/", {"tier": "sekunder", "q": "pusat"})

    page = html(response)
    assert '<option value="sekunder" selected>' in page
    assert 'value="pusat"' in page


@pytest.mark.django_db
def test_download_link_carries_the_current_filters_but_not_the_page(visitor):
    for _ in range(55):
        CooperativeFactory()

    response = visitor.get("/koperasi/", {"province": "32", "q": "koperasi", "page": "2"})

    assert 'href="?province=32&amp;q=koperasi&amp;format=csv"' in html(response)


@pytest.mark.django_db
def test_an_empty_result_says_so_and_is_not_an_error(visitor):
    CooperativeFactory(name="Koperasi Tani")

    response = visitor.get("/koperasi/", {"q": "tidak ada yang cocok"})

    assert response.status_code == 200
    assert "Tidak ada koperasi yang sesuai dengan filter ini." in html(response)


@pytest.mark.django_db
def test_curator_sees_unverified_cooperatives_in_the_list_with_their_state(curator):
    CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Ditolak", verification=Verification.REJECTED, verification_note="Dokumen palsu")

    response = curator.get("/koperasi/")

    names = [row.name for row in response.context["object_list"]]
    assert names == ["Koperasi Ditolak", "Koperasi Menunggu"]
    assert "Menunggu verifikasi" in html(response)


@pytest.mark.django_db
def test_visitor_list_hides_unverified_records(visitor):
    CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    PartnerFactory(name="PT Menunggu", verification=Verification.PENDING)

    assert list(visitor.get("/koperasi/").context["object_list"]) == []
    assert list(visitor.get("/mitra/").context["object_list"]) == []


# --- Who sees a profile -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verification", "actor", "status"),
    [
        (Verification.VERIFIED, "visitor", 200),
        (Verification.PENDING, "visitor", 404),
        (Verification.REJECTED, "visitor", 404),
        (Verification.VERIFIED, "official", 200),
        (Verification.PENDING, "official", 404),
        (Verification.REJECTED, "official", 404),
        (Verification.VERIFIED, "curator", 200),
        (Verification.PENDING, "curator", 200),
        (Verification.REJECTED, "curator", 200),
    ],
)
@pytest.mark.parametrize("kind", ["koperasi", "mitra"])
def test_profile_access_matrix(request, kind, verification, actor, status):
    client = request.getfixturevalue(actor)
    note = "Tidak lengkap" if verification == Verification.REJECTED else ""
    factory = CooperativeFactory if kind == "koperasi" else PartnerFactory
    record = factory(name="Rekaman Uji", verification=verification, verification_note=note)

    response = client.get(f"/{kind}/{record.slug}/")

    assert response.status_code == status
    if status == 404:
        assert "Rekaman Uji" not in html(response)
        assert gettext("Page not found") in html(response)


@pytest.mark.django_db
def test_unknown_slug_is_404(visitor):
    assert visitor.get("/koperasi/tidak-ada/").status_code == 404
    assert visitor.get("/mitra/tidak-ada/").status_code == 404


# --- Cooperative profile -----------------------------------------------------------


@pytest.mark.django_db
def test_profile_shows_every_public_field_labelled(visitor):
    coop = CooperativeFactory(
        name="Koperasi Unit Desa Sumber Rejeki",
        short_name="KUD Sumber Rejeki",
        nik="3201234567890123",
        legal_number="AHU-0012345.AH.01.26",
        regency="Kabupaten Bogor",
        address="Jl. Raya Ciawi No. 1",
        website="https://kud-sumberrejeki.example.id",
        email="kontak@kud.example.id",
        phone="+62 251 123456",
        individual_members=1250,
        sectors=[sector("pertanian")],
    )

    page = html(visitor.get(f"/koperasi/{coop.slug}/"))

    for label, value in [
        ("NIK Koperasi", "3201234567890123"),
        ("Nomor badan hukum", "AHU-0012345.AH.01.26"),
        ("Kabupaten/kota", "Kabupaten Bogor"),
        ("Alamat", "Jl. Raya Ciawi No. 1"),
        ("Situs web", "https://kud-sumberrejeki.example.id"),
        ("Email", "kontak@kud.example.id"),
        ("Telepon", "+62 251 123456"),
        ("Provinsi", "Jawa Barat"),
        ("Sektor usaha", "Pertanian"),
    ]:
        assert label in page
        assert value in page
    assert "anggota perorangan" in page
    assert ">NIK<" not in page


@pytest.mark.django_db
def test_profile_shows_the_chain_of_federations_up_to_the_top(visitor):
    apex = federation(Tier.APEX, name="Dewan Koperasi Indonesia", scope=Scope.NASIONAL)
    induk = federation(Tier.INDUK, name="Induk KPRI", scope=Scope.NASIONAL)
    pkpri = federation(name="PKPRI Jawa Barat", scope=Scope.PROVINSI)
    kpri = CooperativeFactory(name="KPRI Kota Bandung")
    MembershipFactory(member=induk, federation=apex)
    MembershipFactory(member=pkpri, federation=induk)
    MembershipFactory(member=kpri, federation=pkpri)

    response = visitor.get(f"/koperasi/{kpri.slug}/")

    tree = response.context["federations"]
    assert tree[0]["federation"] == pkpri
    assert tree[0]["above"][0]["federation"] == induk
    assert tree[0]["above"][0]["above"][0]["federation"] == apex
    page = html(response)
    assert page.index("PKPRI Jawa Barat") < page.index("Induk KPRI") < page.index("Dewan Koperasi Indonesia")


@pytest.mark.django_db
def test_federation_chain_skips_unverified_federations_for_visitors(visitor):
    hidden = federation(name="Puskop Menunggu", verification=Verification.PENDING)
    kpri = CooperativeFactory(name="KPRI Uji")
    MembershipFactory(member=kpri, federation=hidden)

    response = visitor.get(f"/koperasi/{kpri.slug}/")

    assert response.context["federations"] == []
    assert "Puskop Menunggu" not in html(response)


def members_url(cooperative):
    return f"/koperasi/{cooperative.slug}/anggota/"


@pytest.mark.django_db
def test_federation_shows_members_as_a_tree_with_and_n_more(visitor):
    ikpri = federation(Tier.INDUK, name="IKPRI", scope=Scope.NASIONAL)
    pkpri = federation(name="PKPRI Jawa Barat", scope=Scope.PROVINSI)
    MembershipFactory(member=pkpri, federation=ikpri)
    for number in range(8):
        MembershipFactory(member=CooperativeFactory(name=f"KPRI {number}"), federation=pkpri)
    pending = CooperativeFactory(name="KPRI Menunggu", verification=Verification.PENDING)
    MembershipFactory(member=pending, federation=pkpri)

    response = visitor.get(members_url(ikpri))

    member = response.context["members_page"].object_list[0]
    assert member == pkpri
    assert [m.name for m in member.member_preview] == ["KPRI 0", "KPRI 1", "KPRI 2", "KPRI 3", "KPRI 4"]
    assert member.more_members == 3
    page = html(response)
    assert "Koperasi sekunder" in page
    assert f'href="{members_url(pkpri)}">dan 3 lainnya' in page
    assert "KPRI 5" not in page
    assert "KPRI Menunggu" not in page


@pytest.mark.django_db
def test_a_federations_profile_leads_to_its_members(visitor):
    # The profile fetches the members' page for its element of the same id (kopnet.js);
    # without JavaScript the link leads there.
    puskop = federation(name="Puskop")
    MembershipFactory(member=CooperativeFactory(name="Anggota Aktif"), federation=puskop)
    empty = federation(name="Puskop Kosong")

    profile, members = html(visitor.get(f"/koperasi/{puskop.slug}/")), html(visitor.get(members_url(puskop)))

    assert f'data-kn-deferred="{members_url(puskop)}"' in profile and "Anggota Aktif" not in profile
    assert 'id="members"' in members and "Anggota Aktif" in members
    # Nothing to fetch for a federation without members: the profile says so itself.
    nothing = html(visitor.get(f"/koperasi/{empty.slug}/"))
    assert f'data-kn-deferred="{members_url(empty)}"' not in nothing
    assert "Belum ada koperasi anggota dalam registri." in nothing


@pytest.mark.django_db
def test_ended_memberships_are_not_shown_as_members(visitor):
    puskop = federation(name="Puskop")
    MembershipFactory(
        member=CooperativeFactory(name="Mantan Anggota"), federation=puskop, start_date="2020-01-01", end_date="2024-01-01"
    )
    MembershipFactory(member=CooperativeFactory(name="Anggota Aktif"), federation=puskop)

    response = visitor.get(members_url(puskop))

    assert [m.name for m in response.context["members_page"].object_list] == ["Anggota Aktif"]


@pytest.mark.django_db
def test_members_are_paginated(visitor):
    puskop = federation(name="Puskop Besar")
    for number in range(55):
        MembershipFactory(member=CooperativeFactory(name=f"Anggota {number:02d}"), federation=puskop)

    first = visitor.get(members_url(puskop))
    second = visitor.get(members_url(puskop), {"page": "2"})

    assert len(first.context["members_page"].object_list) == 50
    assert "Halaman 1 dari 2 (55 hasil)" in html(first)
    # The link names the members' page: it still leads there from the profile that fetched it.
    assert f'href="{members_url(puskop)}?page=2"' in html(first)
    assert [m.name for m in second.context["members_page"].object_list] == [f"Anggota {n}" for n in range(50, 55)]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["3", "x", "0", "-1", "1.5", "²", "99999999999999999999"])
def test_a_members_page_out_of_range_is_404(visitor, page):
    puskop = federation()
    MembershipFactory(federation=puskop)

    response = visitor.get(members_url(puskop), {"page": page})

    assert response.status_code == 404


@pytest.mark.django_db
def test_primary_cooperative_has_no_member_table(visitor):
    coop = CooperativeFactory(name="KPRI Uji", individual_members=321)

    response = visitor.get(f"/koperasi/{coop.slug}/")

    assert "321 anggota perorangan" in html(response)
    assert 'id="members"' not in html(response)
    assert visitor.get(members_url(coop)).status_code == 404


@pytest.mark.django_db
def test_curator_sees_why_a_cooperative_was_rejected(curator):
    coop = CooperativeFactory(verification=Verification.REJECTED, verification_note="Akta tidak terbaca")

    page = html(curator.get(f"/koperasi/{coop.slug}/"))

    assert "Akta tidak terbaca" in page


# --- Partner profile ---------------------------------------------------------------


@pytest.mark.django_db
def test_partner_profile_shows_its_fields(visitor):
    partner = PartnerFactory(
        name="PT Bank Rakyat Indonesia (Persero) Tbk",
        kind="bank",
        registration_number="AHU-123",
        website="https://bri.example.id",
        description="Bank milik negara.",
    )

    page = html(visitor.get(f"/mitra/{partner.slug}/"))

    assert "PT Bank Rakyat Indonesia (Persero) Tbk" in page
    for text in ["Bank", "AHU-123", "https://bri.example.id", "Bank milik negara.", "Jawa Barat"]:
        assert text in page


# --- Layout ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/koperasi/", "/mitra/"])
def test_every_page_has_the_layout_landmarks_and_no_outside_assets(visitor, url):
    page = html(visitor.get(url))

    assert 'href="#main"' in page
    assert '<main id="main"' in page
    assert 'action="/i18n/setlang/"' in page
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    # Nothing loads from another host (a link to one, the data's licence, is no load).
    assert not re.search(r"""\bsrc=["']https?://""", page)
    assert not re.search(r"""<link\b[^>]*\bhref=["']https?://""", page)


@pytest.mark.django_db
def test_staff_see_the_admin_link_and_visitors_a_sign_in_link(visitor, curator_user):
    assert 'href="/akun/masuk/' in html(visitor.get("/koperasi/"))
    assert 'href="/admin/"' not in html(visitor.get("/koperasi/"))

    visitor.force_login(curator_user)
    page = html(visitor.get("/koperasi/"))
    assert 'href="/admin/"' in page
    assert "curator" in page


def test_500_page_renders_without_a_request():
    page = render_to_string("500.html")

    assert "Terjadi kesalahan di pihak kami" in page
    assert 'lang="id"' in page


@pytest.mark.django_db
def test_400_page_is_in_the_site_layout(client):
    page = render_to_string("400.html")

    assert "Permintaan tidak valid" in page
    assert "KopNet" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, big, one",
    [
        ("id", "(Koperasi primer, 1.234 anggota)", "(Koperasi primer, 1 anggota)"),
        ("en", "(Primary cooperative, 1,234 members)", "(Primary cooperative, 1 member)"),
    ],
)
def test_a_member_preview_names_each_member_with_its_tier_and_members(client, language, big, one):
    ikpri = federation(Tier.INDUK, name="IKPRI", scope=Scope.NASIONAL)
    pkpri = federation(name="PKPRI Jawa Barat", scope=Scope.PROVINSI)
    MembershipFactory(member=pkpri, federation=ikpri)
    many = CooperativeFactory(name="KPRI <Banyak>", individual_members=1234, member_count=1234)
    single = CooperativeFactory(name="KPRI Satu", individual_members=1, member_count=1)
    for member in (many, single):
        MembershipFactory(member=member, federation=pkpri)
    client.cookies["django_language"] = language

    page = html(client.get(f"/koperasi/{ikpri.slug}/anggota/"))

    many_url = reverse("registry:cooperative_detail", args=[many.slug])
    assert f'<li><a href="{many_url}">KPRI &lt;Banyak&gt;</a> <span class="text-body-secondary">{big}</span></li>' in page
    assert f'">KPRI Satu</a> <span class="text-body-secondary">{one}</span></li>' in page
