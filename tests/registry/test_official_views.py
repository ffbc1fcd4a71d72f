"""Officials on the public side of the registry: asking to represent a cooperative,
registering a new one, and keeping its profile current."""

import re

import pytest
from django.test import Client

from kopnet.models import Verification
from kopnet import services as verify_service
from kopnet.models import Revision, RevisionState
from registry.models import Cooperative, Representation, RepresentationState, Scope, Tier
from registry.policy import acts_for
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    MembershipFactory,
    RepresentationFactory,
    UserFactory,
    sector,
)

NIK = "3201234567890123"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def user(db):
    return UserFactory(username="calon_pengurus")


@pytest.fixture
def user_client(user):
    return client_for(user)


def profile_data(coop, **changes):
    """The edit form's data as the page would send it back, with some changes."""
    data = {
        "name": coop.name,
        "short_name": coop.short_name,
        "tier": coop.tier,
        "type": coop.type,
        "sectors": [s.pk for s in coop.sectors.all()],
        "status": coop.status,
        "country": coop.country.code,
        "province": coop.province_id or "",
        "regency": coop.regency,
        "address": coop.address,
        "nik": coop.nik or "",
        "legal_number": coop.legal_number,
        "legal_date": coop.legal_date.isoformat() if coop.legal_date else "",
        "founded": coop.founded.isoformat() if coop.founded else "",
        "individual_members": "" if coop.individual_members is None else coop.individual_members,
        "scope": coop.scope,
        "website": coop.website,
        "email": coop.email,
        "phone": coop.phone,
    }
    data.update(changes)
    return data


NEW_COOPERATIVE = {
    "name": "Koperasi Serba Usaha Maju Bersama",
    "short_name": "KSU MB",
    "tier": "primer",
    "type": "serba_usaha",
    "status": "aktif",
    "country": "ID",
    "province": "32",
    "regency": "Kabupaten Bandung",
    "nik": NIK,
    "legal_number": "AHU-0001234.AH.01.26.2020",
    "individual_members": "120",
    "scope": "kabupaten_kota",
    "website": "ksu-maju.example.org",
}


# --- asking to represent a cooperative ---------------------------------------------------


@pytest.mark.django_db
def test_representation_search_lists_matching_verified_cooperatives_only(user_client):
    wanted = CooperativeFactory(name="Koperasi Tani Subur")
    CooperativeFactory(name="Koperasi Tani Menunggu", verification=Verification.PENDING)
    CooperativeFactory(name="Koperasi Nelayan")

    response = user_client.get("/akun/wakili/", {"q": "tani"})

    assert response.status_code == 200
    assert [coop.name for coop in response.context["results"]] == [wanted.name]
    html = response.content.decode()
    assert f'value="{wanted.slug}"' in html
    assert '<label class="form-label" for="id_q">' in html


@pytest.mark.django_db
def test_representation_search_marks_what_i_already_represent_or_asked_for(user, user_client):
    approved = CooperativeFactory(name="Koperasi Tani A")
    requested = CooperativeFactory(name="Koperasi Tani B")
    free = CooperativeFactory(name="Koperasi Tani C")
    RepresentationFactory(user=user, cooperative=approved)
    RepresentationFactory(user=user, cooperative=requested, state=RepresentationState.REQUESTED)

    response = user_client.get("/akun/wakili/", {"q": "Koperasi Tani"})

    marks = {coop.slug: coop.my_representation for coop in response.context["results"]}
    assert marks == {approved.slug: "approved", requested.slug: "requested", free.slug: ""}
    html = response.content.decode()
    assert f'value="{approved.slug}" disabled' in html
    assert f'value="{free.slug}">' in html


@pytest.mark.django_db
def test_asking_to_represent_creates_a_requested_representation(user, user_client):
    coop = CooperativeFactory()

    response = user_client.post("/akun/wakili/", {"cooperative": coop.slug, "q": "x"}, follow=True)

    assert response.redirect_chain == [("/akun/", 302)]
    representation = Representation.objects.get(user=user)
    assert (representation.cooperative, representation.state) == (coop, RepresentationState.REQUESTED)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    # The dashboard shows the request and its state; the user does not act for it yet.
    assert [(r.cooperative, r.state) for r in response.context["representations"]] == [(coop, "requested")]
    assert acts_for(user).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("state", [RepresentationState.REQUESTED, RepresentationState.APPROVED])
def test_asking_twice_is_refused_with_a_message(user, user_client, state):
    coop = CooperativeFactory(name="Koperasi Tani Subur")
    RepresentationFactory(user=user, cooperative=coop, state=state)

    response = user_client.post("/akun/wakili/", {"cooperative": coop.slug, "q": "Tani"})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert 'id="request-error"' in response.content.decode()
    assert [coop.name for coop in response.context["results"]] == ["Koperasi Tani Subur"]
    assert Representation.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_asking_again_after_a_revocation_is_allowed(user, user_client):
    coop = CooperativeFactory()
    RepresentationFactory(user=user, cooperative=coop, state=RepresentationState.REVOKED)

    assert user_client.post("/akun/wakili/", {"cooperative": coop.slug}).status_code == 302
    assert sorted(Representation.objects.filter(user=user).values_list("state", flat=True)) == [
        "requested",
        "revoked",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "choice",
    ["", "tidak-ada", "koperasi\x00", "a" * 300, "pending"],
)
def test_asking_for_a_cooperative_that_is_not_a_verified_one_is_a_400(user, user_client, choice):
    CooperativeFactory(name="Pending", verification=Verification.PENDING)

    response = user_client.post("/akun/wakili/", {"cooperative": choice})

    assert response.status_code == 400
    assert "cooperative" in response.context["form"].errors
    assert not Representation.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_representation_search_with_a_nul_byte_is_a_400(user_client):
    response = user_client.get("/akun/wakili/", {"q": "tani\x00"})
    assert response.status_code == 400
    assert "q" in response.context["search"].errors


@pytest.mark.django_db
def test_representation_page_asks_visitors_to_sign_in(visitor):
    assert visitor.get("/akun/wakili/").url == "/akun/masuk/?next=/akun/wakili/"


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_representation_search_queries_do_not_grow_with_results(user_client, django_assert_num_queries, rows):
    for number in range(rows):
        CooperativeFactory(name=f"Koperasi Tani {number:02d}")
    # 1 session, 2 user, 3 whether the account's address is proven (kopnet.accounts),
    # 4 the matching cooperatives with their provinces, 5 my open representations among them.
    with django_assert_num_queries(5):
        response = user_client.get("/akun/wakili/", {"q": "tani"})
    assert len(response.context["results"]) == rows


# --- registering a new cooperative ------------------------------------------------------


@pytest.mark.django_db
def test_new_cooperative_starts_pending_and_its_creator_asked_to_represent_it(user, user_client):
    response = user_client.post(
        "/koperasi/baru/", {**NEW_COOPERATIVE, "sectors": [sector("pertanian").pk], "verification": "verified"}
    )

    coop = Cooperative.objects.get(name=NEW_COOPERATIVE["name"])
    assert response.status_code == 302
    assert response.url == f"/koperasi/{coop.slug}/"
    assert coop.verification == Verification.PENDING
    assert coop.nik == NIK
    assert coop.website == "https://ksu-maju.example.org"
    assert [s.slug for s in coop.sectors.all()] == ["pertanian"]
    assert list(Representation.objects.filter(cooperative=coop).values_list("user", "state")) == [
        (user.pk, "requested")
    ]
    assert coop.history.first().history_user == user


@pytest.mark.django_db
def test_new_cooperative_is_seen_by_its_creator_and_curators_only(user_client):
    user_client.post("/koperasi/baru/", NEW_COOPERATIVE)
    coop = Cooperative.objects.get(name=NEW_COOPERATIVE["name"])
    url = f"/koperasi/{coop.slug}/"

    assert user_client.get(url).status_code == 200
    assert client_for(CuratorFactory()).get(url).status_code == 200
    assert client_for(UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": ""}, "name"),
        ({"name": "Koperasi\x00"}, "name"),
        ({"tier": "raksasa"}, "tier"),
        ({"tier": "sekunder"}, "individual_members"),
        ({"province": ""}, "province"),
        ({"country": "MY", "province": ""}, "nik"),
        ({"country": "MY"}, "province"),
        ({"nik": "12345"}, "nik"),
        ({"founded": "2999-01-01"}, "founded"),
        ({"phone": "telepon saya"}, "phone"),
        ({"sectors": ["999999"]}, "sectors"),
    ],
)
def test_new_cooperative_with_a_broken_rule_is_a_400_with_the_fields_error(user, user_client, changes, field):
    response = user_client.post("/koperasi/baru/", {**NEW_COOPERATIVE, **changes})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Representation.objects.filter(user=user).exists()
    assert not Cooperative.objects.filter(name__startswith="Koperasi Serba Usaha").exists()


@pytest.mark.django_db
def test_new_cooperative_with_a_nik_already_taken_is_a_field_error(user_client):
    CooperativeFactory(nik=NIK)
    response = user_client.post("/koperasi/baru/", NEW_COOPERATIVE)
    assert response.status_code == 400
    assert "nik" in response.context["form"].errors


@pytest.mark.django_db
def test_new_cooperative_form_has_labelled_fields_and_errors_beside_them(user_client):
    response = user_client.post("/koperasi/baru/", {**NEW_COOPERATIVE, "province": ""})
    html = response.content.decode()
    assert '<label class="form-label" for="id_name">' in html
    assert 'id="id_province_error"' in html
    assert 'id="id_sectors_0"' in html


@pytest.mark.django_db
def test_new_cooperative_page_asks_visitors_to_sign_in(visitor):
    assert visitor.get("/koperasi/baru/").url == "/akun/masuk/?next=/koperasi/baru/"


# --- editing a cooperative's profile -------------------------------------------------


@pytest.mark.django_db
def test_official_opens_the_edit_form_of_a_verified_cooperative_with_the_revision_notice(official, cooperative_a):
    response = official.get(f"/koperasi/{cooperative_a.slug}/ubah/")
    assert response.status_code == 200
    assert response.context["form"].instance == cooperative_a
    assert 'id="revision-notice"' in response.content.decode()


@pytest.mark.django_db
def test_edit_form_of_a_pending_cooperative_has_no_revision_notice(official, cooperative_a):
    Cooperative.objects.filter(pk=cooperative_a.pk).update(verification=Verification.PENDING)
    response = official.get(f"/koperasi/{cooperative_a.slug}/ubah/")
    assert response.status_code == 200
    assert 'id="revision-notice"' not in response.content.decode()


@pytest.mark.django_db
def test_only_the_cooperatives_officials_may_edit_it(cooperative_a, cooperative_b):
    url = f"/koperasi/{cooperative_a.slug}/ubah/"
    other_official = UserFactory()
    RepresentationFactory(user=other_official, cooperative=cooperative_b)
    requested = UserFactory()
    RepresentationFactory(user=requested, cooperative=cooperative_a, state=RepresentationState.REQUESTED)
    revoked = UserFactory()
    RepresentationFactory(user=revoked, cooperative=cooperative_a, state=RepresentationState.REVOKED)

    for user in [other_official, requested, revoked, CuratorFactory(), UserFactory()]:
        client = client_for(user)
        assert client.get(url).status_code == 404, user.username
        assert client.post(url, profile_data(cooperative_a, name="Diambil Alih")).status_code == 404
    assert client_for(UserFactory()).get("/koperasi/tidak-ada/ubah/").status_code == 404
    # Visitors are asked to sign in first; nothing says whether the cooperative exists.
    assert Client().get(url).url == f"/akun/masuk/?next={url}"
    cooperative_a.refresh_from_db()
    assert cooperative_a.name == "Koperasi Tani Makmur"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Koperasi Tani Makmur Jaya"},
        {"tier": "sekunder", "individual_members": "", "scope": "provinsi"},
        {"nik": NIK},
        {"legal_number": "AHU-0009999.AH.01.26.2024"},
        {"short_name": "KTM", "phone": "+62 22 1234567", "website": "https://ktm.example.org"},
    ],
)
def test_a_change_to_a_verified_cooperative_waits_while_visitors_see_the_verified_one(official, cooperative_a, changes):
    url = f"/koperasi/{cooperative_a.slug}/ubah/"

    response = official.post(url, profile_data(cooperative_a, **changes), follow=True)

    assert response.redirect_chain == [(f"/koperasi/{cooperative_a.slug}/", 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["info"]
    stored = Cooperative.objects.get(pk=cooperative_a.pk)
    assert stored.verification == Verification.VERIFIED
    assert (stored.name, stored.nik, stored.legal_number, stored.phone) == (
        cooperative_a.name, cooperative_a.nik, cooperative_a.legal_number, cooperative_a.phone,
    )  # fmt: skip
    revision = Revision.objects.get(state=RevisionState.PENDING)
    assert set(revision.changes) == set(changes)
    # Visitors keep the verified profile; the form opens with the waiting change.
    page = Client().get(f"/koperasi/{cooperative_a.slug}/")
    assert page.status_code == 200 and cooperative_a.name in page.content.decode()
    form = official.get(url).context["form"]
    for name, value in changes.items():
        assert str(form[name].value() or "") == value

    verify_service.revision_verify(curator=CuratorFactory(), pk=revision.pk, seen=revision.base_version)

    stored.refresh_from_db()
    assert stored.verification == Verification.VERIFIED
    for name, value in changes.items():
        assert str(getattr(stored, name) or "") == value


@pytest.mark.django_db
def test_other_changes_and_sectors_wait_too_and_are_published_together(official, cooperative_a):
    changes = {
        "phone": "+62 22 1234567",
        "address": "Jl. Raya Soreang No. 1",
        "sectors": [sector("pertanian").pk, sector("perdagangan").pk],
        "status": "tidak_aktif",
        "individual_members": "250",
        "legal_number": "",  # unchanged: it was empty
    }

    response = official.post(f"/koperasi/{cooperative_a.slug}/ubah/", profile_data(cooperative_a, **changes))

    assert response.status_code == 302
    revision = Revision.objects.get(state=RevisionState.PENDING)
    assert set(revision.changes) == {"phone", "address", "sectors", "status", "individual_members"}
    assert revision.proposed_by.username == "official_a"
    verify_service.revision_verify(curator=CuratorFactory(), pk=revision.pk, seen=revision.base_version)
    cooperative_a.refresh_from_db()
    assert cooperative_a.verification == Verification.VERIFIED
    assert cooperative_a.phone == "+62 22 1234567"
    assert cooperative_a.member_count == 250
    assert sorted(s.slug for s in cooperative_a.sectors.all()) == ["perdagangan", "pertanian"]


@pytest.mark.django_db
def test_a_rejected_change_leaves_the_verified_profile_as_it_was(official, cooperative_a):
    official.post(f"/koperasi/{cooperative_a.slug}/ubah/", profile_data(cooperative_a, name="Nama Iklan Palsu"))
    revision = Revision.objects.get(state=RevisionState.PENDING)

    verify_service.revision_reject(curator=CuratorFactory(), pk=revision.pk, reason="Nama tidak sesuai akta.")

    revision.refresh_from_db()
    cooperative_a.refresh_from_db()
    assert (revision.state, revision.reason) == (RevisionState.REJECTED, "Nama tidak sesuai akta.")
    assert (cooperative_a.name, cooperative_a.verification) == ("Koperasi Tani Makmur", Verification.VERIFIED)


@pytest.mark.django_db
def test_an_edit_opened_before_another_change_is_refused_with_what_changed(official, cooperative_a):
    url = f"/koperasi/{cooperative_a.slug}/ubah/"
    opened = official.get(url).context["form"]["version"].value()
    Cooperative.objects.filter(pk=cooperative_a.pk).update(verification=Verification.PENDING)
    official.post(url, profile_data(cooperative_a, phone="+62 21 555000", version=opened))  # lands first
    stale = profile_data(cooperative_a, address="Jl. Lama No. 2", version=opened)

    response = official.post(url, stale)

    assert response.status_code == 400
    assert "diubah setelah Anda membukanya" in response.content.decode()
    cooperative_a.refresh_from_db()
    assert (cooperative_a.phone, cooperative_a.address) == ("+62 21 555000", "")


@pytest.mark.django_db
def test_identity_change_of_a_pending_cooperative_keeps_it_pending(official, cooperative_a):
    Cooperative.objects.filter(pk=cooperative_a.pk).update(verification=Verification.PENDING)
    cooperative_a.refresh_from_db()
    response = official.post(f"/koperasi/{cooperative_a.slug}/ubah/", profile_data(cooperative_a, name="Nama Baru"))
    assert response.status_code == 302
    cooperative_a.refresh_from_db()
    assert (cooperative_a.name, cooperative_a.verification) == ("Nama Baru", Verification.PENDING)


@pytest.mark.django_db
def test_tier_change_that_breaks_memberships_is_a_form_error(client):
    # A secondary cooperative with a primary member cannot become a primary one.
    federation = CooperativeFactory(tier=Tier.SEKUNDER, scope=Scope.PROVINSI, individual_members=None)
    MembershipFactory(member=CooperativeFactory(), federation=federation)
    # A primary member of a secondary cooperative cannot rise above it.
    member = CooperativeFactory()
    MembershipFactory(member=member, federation=federation)
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=federation)
    RepresentationFactory(user=official, cooperative=member)
    client.force_login(official)

    cases = [
        (federation, {"tier": "primer", "individual_members": "50"}),
        (member, {"tier": "induk", "individual_members": "", "scope": "nasional"}),
    ]
    for coop, changes in cases:
        response = client.post(f"/koperasi/{coop.slug}/ubah/", profile_data(coop, **changes))
        assert response.status_code == 400
        assert list(response.context["form"].errors) == ["tier"]
        coop.refresh_from_db()
        assert coop.verification == Verification.VERIFIED
    assert (federation.tier, member.tier) == (Tier.SEKUNDER, Tier.PRIMER)


@pytest.mark.django_db
def test_edit_with_a_nik_another_cooperative_has_is_a_field_error(official, cooperative_a):
    CooperativeFactory(nik=NIK)
    response = official.post(f"/koperasi/{cooperative_a.slug}/ubah/", profile_data(cooperative_a, nik=NIK))
    assert response.status_code == 400
    assert "nik" in response.context["form"].errors
    cooperative_a.refresh_from_db()
    assert cooperative_a.nik is None


@pytest.mark.django_db
def test_cooperative_page_links_to_the_edit_form_for_its_officials_only(official, cooperative_a, cooperative_b):
    edit_link = f'href="/koperasi/{cooperative_a.slug}/ubah/"'
    assert edit_link in official.get(f"/koperasi/{cooperative_a.slug}/").content.decode()
    assert "/ubah/" not in official.get(f"/koperasi/{cooperative_b.slug}/").content.decode()
    assert edit_link not in Client().get(f"/koperasi/{cooperative_a.slug}/").content.decode()
    assert edit_link not in client_for(CuratorFactory()).get(f"/koperasi/{cooperative_a.slug}/").content.decode()


@pytest.mark.django_db
def test_the_cooperative_form_is_grouped_in_sections_holding_every_field_once(official, cooperative_a):
    """Issue 12: identity, place, legal entity, members and contact, each a fieldset
    with its legend; no field left out, none twice."""
    from registry.forms import CooperativeForm

    html = official.get(f"/koperasi/{cooperative_a.slug}/ubah/").content.decode()

    legends = re.findall(r'<legend class="h4">([^<]+)</legend>', html)
    assert legends == ["Data koperasi", "Lokasi", "Badan hukum", "Jumlah anggota", "Kontak"]
    named = [name for _legend, names in CooperativeForm.SECTIONS for name in names]
    assert sorted(named) == sorted(CooperativeForm.Meta.fields)
    for name in CooperativeForm.Meta.fields:
        assert html.count(f'name="{name}"') >= 1, name
