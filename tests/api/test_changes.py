"""Issue 14 §3: /api/v1/changes/ — every change to a public record in order (created,
verified, updated with its fields, ended, merged, withdrawn), with the record's API
address, resumable from any cursor, built from the history already kept; what a
visitor would see, whoever asks. Cooperatives, partners, partnerships, memberships."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import changes
from kopnet.models import Verification
from kopnet.services import curator_save
from partnerships.models import Partnership, PartnershipStatus
from registry import services
from registry.models import Cooperative, Membership, Scope, Sector, Tier
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    MembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    RepresentationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
FEED = "/api/v1/changes/"


@pytest.fixture(autouse=True)
def settled_at_once(settings):
    settings.KOPNET_CHANGES_SETTLE_SECONDS = 0


def english():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def read_all(client=None, limit=1000, after=None):
    """Every change, page by page from `after`: (changes, the last page's next)."""
    client = client or english()
    found, address = [], FEED + f"?limit={limit}" + (f"&after={after}" if after else "")
    while True:
        answer = client.get(address)
        assert answer.status_code == 200, answer.content
        page = answer.json()
        found += page["results"]
        if not page["more"]:
            return found, page["next"]
        address = page["next"]


def brief(found):
    return [(change["kind"], change["key"], change["change"], change["fields"]) for change in found]


def edit(record, curator, **values):
    for name, value in values.items():
        setattr(record, name, value)
    curator_save(curator=curator, record=record, fields=list(values))


def test_each_kind_of_change_as_a_visitor_sees_it():
    curator = CuratorFactory()
    shown = CooperativeFactory(name="Koperasi Tampil", slug="koperasi-tampil")
    waiting = CooperativeFactory(name="Koperasi Tunggu", slug="koperasi-tunggu", verification=Verification.PENDING)
    edit(waiting, curator, name="Koperasi Tunggu Lagi")  # pending: nobody else sees it
    services.cooperative_verify(curator=curator, pk=waiting.pk)
    edit(Cooperative.objects.get(pk=shown.pk), curator, phone="0221234567", website="https://tampil.example")
    edit(Cooperative.objects.get(pk=shown.pk), curator, status="dibubarkan")
    twin = CooperativeFactory(name="Koperasi Tampil Ganda", slug="koperasi-tampil-ganda")
    services.record_merge(curator=curator, model=Cooperative, survivor_pk=shown.pk, merged_pk=twin.pk)
    partner = PartnerFactory(name="PT Sementara", slug="pt-sementara")
    services.partner_reject(curator=curator, pk=partner.pk, reason="Tidak ada.")
    partnership = PartnershipFactory(initiator=shown, parties=[shown, CooperativeFactory()])
    edit(Partnership.objects.get(pk=partnership.pk), curator, status=PartnershipStatus.SELESAI)

    found, _next = read_all()
    mine = [row for row in brief(found) if row[1] in {
        "koperasi-tampil", "koperasi-tunggu", "koperasi-tampil-ganda", "pt-sementara", partnership.reference}]  # fmt: skip
    assert mine == [
        ("cooperative", "koperasi-tampil", "created", []),
        ("cooperative", "koperasi-tunggu", "verified", []),
        ("cooperative", "koperasi-tampil", "updated", ["website", "phone"]),
        ("cooperative", "koperasi-tampil", "ended", ["status"]),
        ("cooperative", "koperasi-tampil-ganda", "created", []),
        ("cooperative", "koperasi-tampil-ganda", "merged", []),
        ("partner", "pt-sementara", "created", []),
        ("partner", "pt-sementara", "withdrawn", []),
        ("partnership", partnership.reference, "created", []),
        # Its corroboration is derived again as the curator saves: shown, so said.
        ("partnership", partnership.reference, "ended", ["status", "corroboration"]),
    ]
    merged = next(change for change in found if change["change"] == "merged")
    assert merged["into"] == "http://testserver/api/v1/cooperatives/koperasi-tampil/"
    assert merged["url"] == "http://testserver/api/v1/cooperatives/koperasi-tampil-ganda/"
    ended = [change for change in found if change["kind"] == "partnership" and change["change"] == "ended"]
    assert ended[0]["url"] == f"http://testserver/api/v1/partnerships/{partnership.reference}/"
    assert ended[0]["page"].endswith(f"/kerjasama/{partnership.reference}/")
    # The records' addresses answer (a merged record's with where it went).
    assert english().get(merged["url"]).status_code == 301
    assert english().get(ended[0]["url"]).status_code == 200


def test_a_memberships_changes_as_a_visitor_sees_them():
    """A membership is public while a visitor sees both its cooperatives; it ends with
    its end date; taken out, it is withdrawn. It has no page: its cooperatives' show it."""
    curator = CuratorFactory()
    federation = CooperativeFactory(slug="puskop-rantai", tier=Tier.SEKUNDER, scope=Scope.PROVINSI)
    member = CooperativeFactory(slug="koperasi-anggota")
    hidden = CooperativeFactory(slug="koperasi-tersembunyi", verification=Verification.PENDING)
    services.membership_save(user=curator, membership=Membership(member=hidden, federation=federation, start_date=datetime.date(2016, 1, 1)))
    membership = services.membership_save(
        user=curator, membership=Membership(member=member, federation=federation, start_date=datetime.date(2015, 1, 1))
    )
    membership.start_date = datetime.date(2014, 6, 1)
    services.membership_save(user=curator, membership=membership)
    membership.end_date = datetime.date(2025, 12, 31)
    services.membership_save(user=curator, membership=membership)
    address = f"http://testserver/api/v1/memberships/{membership.pk}/"
    assert english().get(address).status_code == 200
    services.membership_delete(user=curator, membership=membership)

    found = [change for change in read_all()[0] if change["kind"] == "membership"]

    key = str(membership.pk)
    assert brief(found) == [
        ("membership", key, "created", []),
        ("membership", key, "updated", ["start_date"]),
        ("membership", key, "ended", ["end_date"]),
        ("membership", key, "withdrawn", []),
    ]
    assert {change["url"] for change in found} == {address}
    assert {change["page"] for change in found} == {None}


def test_sectors_added_are_an_update_of_the_cooperative():
    cooperative = CooperativeFactory(slug="koperasi-sektor")
    cooperative.sectors.add(Sector.objects.first())
    curator_save(curator=CuratorFactory(), record=Cooperative.objects.get(pk=cooperative.pk), fields=["sectors"])
    assert brief(read_all()[0])[-1] == ("cooperative", "koperasi-sektor", "updated", ["sectors"])


def test_an_officials_proposed_change_is_not_a_change_until_verified():
    cooperative = CooperativeFactory(name="Koperasi Usul", slug="koperasi-usul")
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=cooperative)
    _before, after = read_all()
    edited = Cooperative.objects.get(pk=cooperative.pk)
    edited.phone = "0229999999"
    services.cooperative_update(user=official, cooperative=edited, sectors=list(cooperative.sectors.all()))
    assert read_all(after=after.split("after=")[1])[0] == []  # waiting for a curator: visitors see the old phone
    # A curator (who reads everything on the pages) reads the same feed.
    curator = Client(HTTP_ACCEPT_LANGUAGE="en")
    curator.force_login(CuratorFactory())
    assert read_all(curator, after=after.split("after=")[1])[0] == []


def test_pending_and_rejected_records_never_appear():
    CooperativeFactory(slug="koperasi-rahasia", verification=Verification.PENDING)
    PartnerFactory(slug="pt-rahasia", verification=Verification.REJECTED, verification_note="Tidak ada.")
    PartnershipFactory(verification=Verification.PENDING, title="Rahasia")
    keys = {change["key"] for change in read_all()[0]}
    assert not keys & {"koperasi-rahasia", "pt-rahasia"}
    assert not Partnership.objects.filter(reference__in=keys, verification=Verification.PENDING).exists()


def test_resuming_from_any_cursor_gives_exactly_the_changes_after_it():
    curator = CuratorFactory()
    for number in range(4):
        cooperative = CooperativeFactory(slug=f"koperasi-{number}")
        PartnerFactory(slug=f"pt-{number}")
        edit(Cooperative.objects.get(pk=cooperative.pk), curator, phone=f"02200000{number}")
    everything, _next = read_all()
    assert len(everything) >= 12
    assert read_all(limit=2)[0] == everything  # walked two at a time
    for index, change in enumerate(everything):
        assert read_all(limit=3, after=change["cursor"])[0] == everything[index + 1 :]


def test_the_next_cursor_of_the_last_page_waits_for_what_comes_later():
    CooperativeFactory(slug="koperasi-awal")
    _found, following = read_all()
    assert english().get(following).json()["results"] == []
    CooperativeFactory(slug="koperasi-kemudian")
    assert brief(english().get(following).json()["results"]) == [("cooperative", "koperasi-kemudian", "created", [])]


def test_a_change_is_given_once_it_has_settled(settings, monkeypatch):
    settings.KOPNET_CHANGES_SETTLE_SECONDS = 30
    CooperativeFactory(slug="koperasi-baru")
    assert "koperasi-baru" not in {change["key"] for change in read_all()[0]}
    later = timezone.now() + datetime.timedelta(seconds=31)
    monkeypatch.setattr(changes.timezone, "now", lambda: later)
    assert "koperasi-baru" in {change["key"] for change in read_all()[0]}


@pytest.mark.parametrize("after", ["x", "1-9-1", "999999999999999999-0-1", "1-0-", "-1-0-1", "1.5-0-1"])
def test_a_cursor_the_feed_did_not_give_is_a_400_that_says_so(after):
    answer = english().get(FEED, {"after": after})
    assert answer.status_code == 400
    assert answer.json() == {"after": ["This cursor is not one the changes gave: start again without it."]}
    assert Client().get(FEED, {"after": after}).json()["after"][0].startswith("Kursor ini")


def test_a_bad_limit_is_a_400():
    assert english().get(FEED, {"limit": "0"}).status_code == 400
    assert english().get(FEED, {"limit": "1001"}).status_code == 400


def queries_for_a_page():
    client = english()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(FEED, {"limit": 1000}).status_code == 200
    return len(queries)


def changes_of_every_kind(curator, count):
    for cooperative in CooperativeFactory.create_batch(count):
        cooperative.sectors.add(Sector.objects.first())
        edit(Cooperative.objects.get(pk=cooperative.pk), curator, phone="0221111111")
    PartnerFactory.create_batch(count)
    PartnershipFactory.create_batch(count)
    twins = CooperativeFactory.create_batch(2)
    services.record_merge(curator=curator, model=Cooperative, survivor_pk=twins[0].pk, merged_pk=twins[1].pk)
    MembershipFactory.create_batch(count)


def test_a_page_costs_the_same_queries_whatever_its_size():
    curator = CuratorFactory()
    changes_of_every_kind(curator, 1)
    few = queries_for_a_page()
    changes_of_every_kind(curator, 15)
    assert len(read_all()[0]) > 80
    assert queries_for_a_page() == few


def test_every_change_has_the_api_shape():
    CooperativeFactory(slug="koperasi-bentuk")
    change = read_all()[0][-1]
    assert set(change) == {"cursor", "at", "kind", "key", "change", "fields", "url", "page", "into"}
    assert changes.Position.parse(change["cursor"]) is not None
