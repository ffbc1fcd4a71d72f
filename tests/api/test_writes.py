"""Issue 14 §1, writes through the same doors: with a read-write token a party's
official confirms or declines its party and a curator verifies or rejects, through
the services the pages use, at the version the client read (If-Match: the ETag;
412 when the partnership changed since, 428 without it), with the history saying
it came through the API. Nothing is written by a refused request."""

import pytest
from django.test import Client
from django.utils import translation

from kopnet import tokens
from kopnet.history import reason_in_words
from kopnet.services import pending_revision
from kopnet.models import Verification
from partnerships.models import Confirmation, Partnership, PartnershipParty
from tests.factories import CooperativeFactory, CuratorFactory, PartnershipFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    own, other = CooperativeFactory(name="Koperasi Tani A"), CooperativeFactory(name="Koperasi Tani B")
    partnership = PartnershipFactory(initiator=own, parties=[own, other], verification=Verification.PENDING)
    party = partnership.parties.get(cooperative=other)
    PartnershipParty.objects.filter(pk=party.pk).update(confirmation=Confirmation.PENDING)
    official = UserFactory(username="pengurus_b")
    RepresentationFactory(user=official, cooperative=other)
    return {"partnership": partnership, "party": party, "official": official}


def client_of(user, can_write=True):
    _token, key = tokens.token_create(user=user, name="program", can_write=can_write)
    return Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")


def url(world, what):
    base = f"/api/v1/partnerships/{world['partnership'].reference}/"
    return base + (f"parties/{world['party'].pk}/{what}/" if what in ("confirm", "decline") else f"{what}/")


def etag(client, world):
    return client.get(f"/api/v1/partnerships/{world['partnership'].reference}/").headers["ETag"]


def post(client, target, data=None, if_match=None):
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return client.post(target, data or {}, content_type="application/json", **headers)


def test_an_official_confirms_their_party_at_the_version_read(world):
    program = client_of(world["official"])
    read = etag(program, world)

    response = post(program, url(world, "confirm"), if_match=read)

    assert response.status_code == 200
    assert response.headers["ETag"] != read and response.headers["ETag"].startswith(f'"{world["partnership"].version + 1}-')
    party = PartnershipParty.objects.get(pk=world["party"].pk)
    assert (party.confirmation, party.confirmed_by) == (Confirmation.CONFIRMED, world["official"])
    # The partnership's history says who, and that it came through the API.
    latest = Partnership.history.filter(id=world["partnership"].pk).order_by("-history_date", "-history_id").first()
    assert latest.history_user == world["official"]
    with translation.override("en"):
        assert reason_in_words(latest.history_change_reason).endswith("Through the API.")


def test_a_changed_partnership_is_a_412_and_nothing_is_written(world):
    program = client_of(world["official"])
    read = etag(program, world)
    Partnership.objects.filter(pk=world["partnership"].pk).update(version=world["partnership"].version + 5)

    response = post(program, url(world, "confirm"), if_match=read)

    assert response.status_code == 412
    assert "changed after you opened it" in response.json()["detail"]
    assert PartnershipParty.objects.get(pk=world["party"].pk).confirmation == Confirmation.PENDING


def test_a_write_without_if_match_is_a_428(world):
    response = post(client_of(world["official"]), url(world, "confirm"))
    assert response.status_code == 428
    assert PartnershipParty.objects.get(pk=world["party"].pk).confirmation == Confirmation.PENDING


def test_a_party_already_answered_is_a_409(world):
    program = client_of(world["official"])
    assert post(program, url(world, "confirm"), if_match=etag(program, world)).status_code == 200
    response = post(program, url(world, "decline"), {"reason": "Salah"}, if_match=etag(program, world))
    assert response.status_code == 409
    assert PartnershipParty.objects.get(pk=world["party"].pk).confirmation == Confirmation.CONFIRMED


def test_a_decline_needs_its_reason(world):
    program = client_of(world["official"])
    response = post(program, url(world, "decline"), {"reason": ""}, if_match=etag(program, world))
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize(
    ("who", "status"),
    # Not a party's official: the pending partnership is not theirs to see (404).
    [("read-only token", 403), ("no token", 401), ("not a party", 404), ("curator answering", 403)],
)
def test_who_may_not_answer_is_refused(world, who, status):
    if who == "read-only token":
        program = client_of(world["official"], can_write=False)
    elif who == "no token":
        program = Client()
    elif who == "not a party":
        stranger = UserFactory()
        RepresentationFactory(user=stranger, cooperative=CooperativeFactory())
        program = client_of(stranger)
    else:
        program = client_of(CuratorFactory())
    read = etag(client_of(CuratorFactory()), world)

    response = post(program, url(world, "confirm"), if_match=read)

    assert response.status_code == status
    assert PartnershipParty.objects.get(pk=world["party"].pk).confirmation == Confirmation.PENDING


def test_a_curator_verifies_with_a_note_and_rejects_through_the_services(world):
    curator = client_of(CuratorFactory())
    response = post(curator, url(world, "verify"), {"override_note": ""}, if_match=etag(curator, world))
    # A cooperative party has not answered: the service asks for the note, at its field.
    assert response.status_code == 400 and "override note" in str(response.json())

    response = post(curator, url(world, "verify"), {"override_note": "Ditelepon"}, if_match=etag(curator, world))
    assert response.status_code == 200 and response.json()["verified"] is True
    assert Partnership.objects.get(pk=world["partnership"].pk).verification == Verification.VERIFIED


def test_an_official_cannot_verify_and_a_curator_rejects_with_a_reason(world):
    official = client_of(world["official"])
    assert post(official, url(world, "verify"), if_match=etag(official, world)).status_code == 403
    curator = client_of(CuratorFactory())
    assert post(curator, url(world, "reject"), {"reason": ""}, if_match=etag(curator, world)).status_code == 400
    response = post(curator, url(world, "reject"), {"reason": "Tidak ada dokumen."}, if_match=etag(curator, world))
    assert response.status_code == 200
    assert Partnership.objects.get(pk=world["partnership"].pk).verification == Verification.REJECTED


# --- registering: the page's form, through the API -------------------------------------------


@pytest.fixture
def registrant():
    own, other = CooperativeFactory(name="Koperasi Tani A"), CooperativeFactory(name="Koperasi Tani B")
    official = UserFactory(username="pengurus_a")
    RepresentationFactory(user=official, cooperative=own)
    return {"own": own, "other": other, "official": official}


def registration(registrant, **changes):
    return {
        "initiator": registrant["own"].slug, "title": "Pemasaran bersama gabah", "start_date": "2026-02-01",
        "status": "berjalan", "direction": "horizontal", "objectives": ["akses-pasar"], "fields": ["pemasaran"],
        "parties": [{"organisation_type": "cooperative", "organisation": registrant["other"].slug, "role": "member"}],
        **changes,
    }  # fmt: skip


def test_an_official_registers_a_partnership_as_the_form_does(registrant):
    program = client_of(registrant["official"])

    response = program.post("/api/v1/partnerships/", registration(registrant), content_type="application/json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == body["url"] and body["verified"] is False
    partnership = Partnership.objects.get(reference=body["reference"])
    assert (partnership.initiator, partnership.title, partnership.created_by) == (
        registrant["own"], "Pemasaran bersama gabah", registrant["official"],
    )  # fmt: skip
    assert [(p["organisation"], p["role"], p["confirmation"]) for p in body["parties"]] == [
        (registrant["own"].slug, "initiator", "confirmed"), (registrant["other"].slug, "member", "pending"),
    ]  # fmt: skip
    assert body["objectives"] == ["akses-pasar"] and body["fields"] == ["pemasaran"]
    with translation.override("en"):
        first = partnership.history.earliest("history_date")
        assert reason_in_words(first.history_change_reason).endswith("Through the API.")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"start_date": "kemarin"}, "start_date"),
        ({"end_date": "2020-01-01"}, "end_date"),  # before the start
        ({"status": "abadi"}, "status"),
        ({"direction": ""}, "direction"),  # between cooperatives it is required
        ({"objectives": ["tidak-ada"]}, "objectives"),
        ({"parties": [{"organisation_type": "cooperative", "organisation": "tidak-ada"}]}, "parties"),
        ({"parties": "semua"}, "parties"),
        ({"initiator": "koperasi-tani-b"}, "initiator"),  # not theirs
        ({"title": "x" * 201}, "title"),
        ({"value": "-5"}, "value"),
    ],
)
def test_a_wrong_registration_is_a_400_at_its_field_and_registers_nothing(registrant, changes, field):
    response = client_of(registrant["official"]).post(
        "/api/v1/partnerships/", registration(registrant, **changes), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Partnership.objects.exists()


def test_registering_needs_a_read_write_token(registrant):
    program = client_of(registrant["official"], can_write=False)
    response = program.post("/api/v1/partnerships/", registration(registrant), content_type="application/json")
    assert response.status_code == 403 and not Partnership.objects.exists()
    assert Client().post("/api/v1/partnerships/", registration(registrant), content_type="application/json").status_code == 401


# --- editing: the page's edit form, only the fields sent change -------------------------------


@pytest.fixture
def registered(registrant):
    program = client_of(registrant["official"])
    body = program.post("/api/v1/partnerships/", registration(registrant), content_type="application/json").json()
    return {**registrant, "program": program, "reference": body["reference"]}


def patch(registered, changes, if_match):
    return registered["program"].patch(
        f"/api/v1/partnerships/{registered['reference']}/", changes, content_type="application/json", HTTP_IF_MATCH=if_match
    )


def read_etag(registered):
    return registered["program"].get(f"/api/v1/partnerships/{registered['reference']}/").headers["ETag"]


def test_an_edit_changes_only_what_it_sends(registered):
    response = patch(registered, {"title": "Pemasaran bersama beras", "fields": []}, read_etag(registered))

    assert response.status_code == 200, response.json()
    partnership = Partnership.objects.get(reference=registered["reference"])
    assert (partnership.title, partnership.status, partnership.direction) == ("Pemasaran bersama beras", "berjalan", "horizontal")
    assert list(partnership.fields.all()) == [] and [o.slug for o in partnership.objectives.all()] == ["akses-pasar"]
    assert [p.organisation for p in partnership.parties.order_by("id")] == [registered["own"], registered["other"]]


def test_an_edit_of_a_changed_partnership_is_a_412_and_changes_nothing(registered):
    old = read_etag(registered)
    assert patch(registered, {"title": "Judul pertama"}, old).status_code == 200

    response = patch(registered, {"title": "Judul kedua"}, old)

    assert response.status_code == 412
    assert Partnership.objects.get(reference=registered["reference"]).title == "Judul pertama"


def test_a_wrong_edit_is_a_400_at_its_field(registered):
    response = patch(registered, {"end_date": "2000-01-01"}, read_etag(registered))
    assert response.status_code == 400 and "end_date" in response.json()
    assert Partnership.objects.get(reference=registered["reference"]).end_date is None


def test_only_the_initiators_officials_edit(registered):
    other_official = UserFactory()
    RepresentationFactory(user=other_official, cooperative=registered["other"])
    program = client_of(other_official)
    read = program.get(f"/api/v1/partnerships/{registered['reference']}/").headers["ETag"]
    response = program.patch(
        f"/api/v1/partnerships/{registered['reference']}/", {"title": "Bukan milikku"},
        content_type="application/json", HTTP_IF_MATCH=read,
    )  # fmt: skip
    assert response.status_code == 403


def test_an_edit_of_a_verified_partnership_waits_for_the_curators(registered):
    Partnership.objects.filter(reference=registered["reference"]).update(verification=Verification.VERIFIED)
    PartnershipParty.objects.filter(partnership__reference=registered["reference"]).update(confirmation=Confirmation.CONFIRMED)

    response = patch(registered, {"title": "Judul baru menunggu"}, read_etag(registered))

    assert response.status_code == 200
    partnership = Partnership.objects.get(reference=registered["reference"])
    assert partnership.title == "Pemasaran bersama gabah"  # what visitors keep seeing
    assert pending_revision(partnership).changes["title"] == "Judul baru menunggu"
    assert Client().get(f"/api/v1/partnerships/{registered['reference']}/").json()["title"] == "Pemasaran bersama gabah"
