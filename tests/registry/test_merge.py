"""Issue 13 §5: one record per organisation. A curator merges a duplicate into the
record that stays (registry.services.record_merge): everything that pointed to the
duplicate points to the survivor, the duplicate stays, marked with its successor and
never verified again, and its addresses answer 301 with the survivor's; a renamed
record's old slug too. Lists, counts, statistics and CSV never show a merged record;
the history of both stays readable. A merge that would make one organisation a party
twice (or its own member) is refused and changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from kopnet.models import Follow, Verification
from partnerships import selectors
from partnerships import services as partnership_services
from partnerships.models import Partnership, PartnershipParty
from registry import duplicates, merging, services
from registry.models import Cooperative, FormerSlug, Membership, Partner, Regency, Representation, Tier
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


@pytest.fixture
def twins():
    """A cooperative registered twice: the verified record and a later duplicate, each
    with partnerships, a membership, an official and a follower of its own."""
    survivor = CooperativeFactory(name="Koperasi Tani Makmur Sejahtera", legal_number="AHU-0001")
    duplicate = CooperativeFactory(name="Koperasi Tani Makmur Sejahtera Garut", legal_number="AHU-0001")
    partner, other = PartnerFactory(name="PT Pupuk Nusantara"), CooperativeFactory(name="KUD Lain")
    own = PartnershipFactory(title="Kerjasama Penyintas", initiator=survivor, parties=[survivor, other])
    moved = PartnershipFactory(title="Kerjasama Duplikat", initiator=duplicate, parties=[duplicate, partner])
    founded = PartnershipFactory(
        title="Pendirian koperasi duplikat", initiator=other, parties=[other, partner], new_entity=True,
        new_entity_name=duplicate.name, new_entity_kind="koperasi", new_entity_cooperative=duplicate,
    )  # fmt: skip
    federation = CooperativeFactory(name="Puskop Garut", tier=Tier.SEKUNDER, individual_members=None)
    MembershipFactory(member=duplicate, federation=federation, start_date=datetime.date(2015, 1, 1))
    official = UserFactory(username="pengurus_duplikat")
    RepresentationFactory(user=official, cooperative=duplicate)
    follower = UserFactory(username="pengikut")
    Follow.objects.create(user=follower, record=duplicate)
    return {
        "survivor": survivor, "duplicate": duplicate, "partner": partner, "own": own, "moved": moved,
        "founded": founded, "federation": federation, "official": official, "follower": follower,
    }  # fmt: skip


def merge(twins, curator=None, **kwargs):
    return services.record_merge(
        curator=curator or CuratorFactory(), model=Cooperative,
        survivor_pk=twins["survivor"].pk, merged_pk=twins["duplicate"].pk, **kwargs,
    )  # fmt: skip


def test_a_merge_moves_everything_to_the_survivor_and_keeps_the_duplicate(twins):
    merge(twins, note="Didaftarkan dua kali.")
    survivor, duplicate = (Cooperative.objects.get(pk=twins[key].pk) for key in ("survivor", "duplicate"))
    assert duplicate.merged_into == survivor and duplicate.merged_at is not None
    assert duplicate.verification == Verification.REJECTED
    assert duplicate.verification_note == f"Digabungkan ke {survivor.name} ({survivor.slug}). Didaftarkan dua kali."
    moved = Partnership.objects.get(pk=twins["moved"].pk)
    assert moved.initiator == survivor
    assert set(moved.parties.values_list("cooperative_id", flat=True)) == {survivor.pk, None}
    assert Partnership.objects.get(pk=twins["founded"].pk).new_entity_cooperative == survivor
    membership = Membership.objects.get(federation=twins["federation"])
    assert membership.member == survivor
    assert Cooperative.objects.get(pk=twins["federation"].pk).member_count == 1
    assert Representation.objects.get(user=twins["official"]).cooperative == survivor
    assert Follow.objects.get(user=twins["follower"]).object_id == survivor.pk
    # Nothing points to the duplicate any more but its own successor link.
    assert not PartnershipParty.objects.filter(cooperative=duplicate).exists()
    # The history of both stays readable: the duplicate's last change says it was merged.
    last = duplicate.history.first()
    assert last.merged_into_id == survivor.pk and last.history_change_reason == "merged"
    assert moved.parties.get(cooperative=survivor).history.first().history_change_reason == "merged"


def test_the_duplicates_addresses_answer_301_with_the_survivors(client, twins, page_cache):
    merge(twins)
    survivor, duplicate = twins["survivor"], twins["duplicate"]
    for name, query in (
        ("registry:cooperative_detail", "?as_of=2020-01-01"),
        ("partnerships:cooperative_network", ""),
        ("partnerships:cooperative_suggestions", ""),
    ):
        url = reverse(name, args=[duplicate.slug]) + query
        page_cache.warm(url)
        response = client.get(url)
        assert response.status_code == 301, name
        assert response["Location"] == reverse(name, args=[survivor.slug]) + query
    page = client.get(reverse("registry:cooperative_detail", args=[survivor.slug])).content.decode()
    assert "Kerjasama Duplikat" in page and "Kerjasama Penyintas" in page


def test_lists_counts_statistics_and_csv_never_show_a_merged_record(client, twins):
    merge(twins)
    duplicate = twins["duplicate"]
    listed = client.get("/koperasi/", {"q": "Makmur Sejahtera"}).content.decode()
    assert "Koperasi Tani Makmur Sejahtera Garut" not in listed
    csv = b"".join(client.get("/koperasi/", {"format": "csv"}).streaming_content).decode()
    assert duplicate.slug not in csv and twins["survivor"].slug in csv
    assert selectors.cooperative_statistics()["total"] == Cooperative.objects.verified().count()
    curator = CuratorFactory(username="kurator_daftar")
    client.force_login(curator)
    assert "Koperasi Tani Makmur Sejahtera Garut" not in client.get("/koperasi/", {"q": "Garut"}).content.decode()
    # The curators' admin keeps it, marked merged.
    change = client.get(reverse("admin:registry_cooperative_change", args=[duplicate.pk])).content.decode()
    assert "Digabungkan ke" in change


def test_a_renamed_records_old_slug_answers_301(client, twins):
    survivor = Cooperative.objects.get(pk=twins["survivor"].pk)
    old = survivor.slug
    survivor.slug = "koperasi-tani-makmur"
    survivor.save()
    assert FormerSlug.objects.get(kind="cooperative", slug=old).record_id == survivor.pk
    response = client.get(reverse("registry:cooperative_detail", args=[old]))
    assert response.status_code == 301 and response["Location"] == "/koperasi/koperasi-tani-makmur/"
    # A partner the same way; an address no record ever had stays a 404.
    partner = Partner.objects.get(pk=twins["partner"].pk)
    former = partner.slug
    partner.slug = "pt-pupuk"
    partner.save()
    assert client.get(f"/mitra/{former}/jaringan/")["Location"] == "/mitra/pt-pupuk/jaringan/"
    assert client.get("/koperasi/tidak-pernah-ada/").status_code == 404


def test_a_merge_that_would_make_one_organisation_a_party_twice_is_refused(twins):
    PartnershipFactory(title="Kerjasama Bersama", initiator=twins["survivor"], parties=[twins["survivor"], twins["duplicate"]])
    with pytest.raises(ValidationError, match="keduanya pihak dalam KS-"):
        merge(twins)
    assert Cooperative.objects.get(pk=twins["duplicate"].pk).merged_into is None
    assert PartnershipParty.objects.filter(cooperative=twins["duplicate"]).count() == 2


@pytest.mark.parametrize("conflict", ["member of the other", "same federation", "tiers"])
def test_memberships_that_cannot_move_refuse_the_merge(twins, conflict):
    if conflict == "member of the other":
        Cooperative.objects.filter(pk=twins["survivor"].pk).update(tier=Tier.SEKUNDER, individual_members=None)
        Cooperative.objects.filter(pk=twins["duplicate"].pk).update(tier=Tier.SEKUNDER, individual_members=None)
        Membership.objects.create(member=CooperativeFactory(), federation=twins["duplicate"])
        Membership.objects.filter(federation=twins["duplicate"]).update(member=twins["survivor"])
        expected = "dihubungkan oleh keanggotaan"
    elif conflict == "same federation":
        MembershipFactory(member=twins["survivor"], federation=twins["federation"], start_date=datetime.date(2020, 1, 1))
        expected = "pada hari yang sama"
    else:
        Cooperative.objects.filter(pk=twins["duplicate"].pk).update(tier=Tier.SEKUNDER, individual_members=None)
        expected = "tingkat yang berbeda"
    with pytest.raises(ValidationError, match=expected):
        merge(twins)
    assert Cooperative.objects.get(pk=twins["duplicate"].pk).merged_into is None


def test_refused_merges_of_itself_twice_and_by_an_official(twins):
    curator = CuratorFactory()
    with pytest.raises(ValidationError, match="tidak dapat digabungkan ke dirinya sendiri"):
        services.record_merge(curator=curator, model=Cooperative, survivor_pk=twins["survivor"].pk, merged_pk=twins["survivor"].pk)
    merge(twins, curator)
    with pytest.raises(ValidationError, match="sudah digabungkan"):
        merge(twins, curator)
    third = CooperativeFactory()
    with pytest.raises(ValidationError, match="sudah digabungkan"):
        services.record_merge(curator=curator, model=Cooperative, survivor_pk=twins["duplicate"].pk, merged_pk=third.pk)
    with pytest.raises(ValidationError, match="Anda tidak boleh melakukan ini"):
        services.record_merge(curator=twins["official"], model=Cooperative, survivor_pk=third.pk, merged_pk=twins["survivor"].pk)
    assert Cooperative.objects.get(pk=twins["survivor"].pk).merged_into is None


def test_the_database_holds_the_merged_rules():
    record = CooperativeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Cooperative.objects.filter(pk=record.pk).update(merged_into=CooperativeFactory())  # no time, still verified
    with pytest.raises(IntegrityError), transaction.atomic():
        Cooperative.objects.filter(pk=record.pk).update(
            merged_into=record, merged_at=record.created_at, verification=Verification.REJECTED
        )


def test_every_relation_to_a_mergeable_record_is_moved_by_a_step():
    for model in (Cooperative, Partner):
        relations = {
            f"{field.model._meta.label}.{field.name}"
            for field in (relation.field for relation in model._meta.get_fields(include_hidden=True) if relation.is_relation and relation.auto_created and not relation.concrete)
        }
        relations.discard(f"{model._meta.label}.merged_into")  # the merge itself
        # Its sectors are its own profile, as its phone is: the survivor keeps its own.
        relations.discard("registry.Cooperative_sectors.cooperative")
        # The history keeps what each row pointed to then: it is never rewritten.
        relations = {name for name in relations if not name.split(".")[1].startswith("Historical")}
        assert relations - merging.handled_relations(model) == set(), model


DUPLICATES = "/admin/registry/cooperative/duplicates/"


def test_curators_see_candidate_pairs_with_their_evidence_and_merge_or_dismiss_them(client, twins):
    client.force_login(CuratorFactory(username="kurator_ganda"))
    Cooperative.objects.filter(pk=twins["duplicate"].pk).update(verification=Verification.PENDING)
    page = client.get(DUPLICATES).content.decode()
    assert page.count('class="kopnet-duplicate"') == 1  # one pair, whatever its evidence
    assert "Nomor badan hukum yang sama: AHU-0001" in page
    assert "Nama mirip" in page
    response = client.post(DUPLICATES, {"action": "merge", "first": twins["survivor"].pk, "second": twins["duplicate"].pk})
    assert response.status_code == 302
    assert Cooperative.objects.get(pk=twins["duplicate"].pk).merged_into_id == twins["survivor"].pk
    page = client.get(DUPLICATES).content.decode()
    assert "digabungkan ke Koperasi Tani Makmur Sejahtera" in page  # the message
    assert 'class="kopnet-duplicate"' not in page  # a merged record is never offered


def test_a_dismissed_pair_is_not_offered_again_and_a_refused_merge_says_why(client, twins):
    client.force_login(CuratorFactory(username="kurator_beda"))
    PartnershipFactory(title="Kerjasama Bersama", initiator=twins["survivor"], parties=[twins["survivor"], twins["duplicate"]])
    refused = client.post(DUPLICATES, {"action": "merge", "first": twins["survivor"].pk, "second": twins["duplicate"].pk})
    assert refused.status_code == 400 and "keduanya pihak dalam KS-" in refused.content.decode()
    assert Cooperative.objects.get(pk=twins["duplicate"].pk).merged_into is None
    for data in ({"action": "merge", "first": "x", "second": "1"}, {"action": "hapus", "first": "1", "second": "2"}):
        assert client.post(DUPLICATES, data).status_code == 400
    assert client.post(DUPLICATES, {"action": "merge", "first": "999999", "second": twins["survivor"].pk}).status_code == 400
    response = client.post(DUPLICATES, {"action": "dismiss", "first": twins["duplicate"].pk, "second": twins["survivor"].pk})
    assert response.status_code == 302
    assert 'class="kopnet-duplicate"' not in client.get(DUPLICATES).content.decode()


def test_only_curators_open_the_candidate_duplicates(client, twins):
    assert client.get(DUPLICATES).status_code == 302  # to the sign-in
    client.force_login(twins["official"])
    assert client.get(DUPLICATES).status_code == 302
    client.force_login(CuratorFactory(username="kurator_mitra"))
    assert client.get("/admin/registry/partner/duplicates/").status_code == 200


def test_any_two_records_merge_from_the_lists_action(client, twins):
    """Two records the candidates page does not offer (nothing shared, neither waiting):
    a curator selects them on the list and chooses which stays."""
    client.force_login(CuratorFactory(username="kurator_aksi"))
    Cooperative.objects.filter(pk=twins["duplicate"].pk).update(legal_number="")
    survivor, duplicate = twins["survivor"], twins["duplicate"]
    selected = {"action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk]}
    page = client.post("/admin/registry/cooperative/", selected).content.decode()
    assert "Data yang dipertahankan" in page and f'value="{duplicate.pk}"' in page
    response = client.post("/admin/registry/cooperative/", {**selected, "apply": "yes", "survivor": duplicate.pk})
    assert response.status_code == 302
    assert Cooperative.objects.get(pk=survivor.pk).merged_into_id == duplicate.pk
    # One record, or a merged one among two, is refused with a message.
    again = client.post("/admin/registry/cooperative/", selected, follow=True).content.decode()
    assert "Pilih tepat dua data yang belum digabungkan." in again


@pytest.mark.parametrize("pairs", [1, 6])
def test_the_candidates_page_reads_no_query_per_pair(client, pairs, django_assert_max_num_queries):
    """The records' provinces and regencies come with them: the page's queries grow
    with the records waiting (one name search each), not with the pairs shown."""
    Regency.objects.create(code="32.04", province_id="32", name="Kabupaten Bandung")
    for n in range(pairs):
        for suffix in ("", " Baru"):
            CooperativeFactory(name=f"Koperasi Kembar {n}{suffix}", legal_number=f"AHU-{n:04d}", regency_place_id="32.04")
    client.force_login(CuratorFactory(username="kurator_hitung"))
    client.get(DUPLICATES)  # the session, the content types: read once per process
    with django_assert_max_num_queries(12):
        page = client.get(DUPLICATES).content.decode()
    assert page.count('class="kopnet-duplicate"') == pairs
    assert "Kabupaten Bandung" in page


def test_names_alike_in_one_regency_say_so():
    Regency.objects.create(code="32.04", province_id="32", name="Kabupaten Bandung")
    CooperativeFactory(name="Koperasi Tani Makmur Sejahtera", regency_place_id="32.04")
    CooperativeFactory(name="Koperasi Tani Makmur Sejahtera", regency_place_id="32.04", verification=Verification.PENDING)
    with translation.override("en"):
        [candidate] = duplicates.candidates(Cooperative)
    assert any("in the same regency/city and tier" in evidence for evidence in candidate.evidence)


def test_a_write_naming_a_merged_record_is_refused_in_words(twins):
    """A form filled in before the merge and sent after it: a party, a membership or
    a request to represent naming the duplicate is refused, naming the survivor
    (registry.merging.require_unmerged); nothing is written."""
    merge(twins)
    duplicate, survivor, partner = twins["duplicate"], twins["survivor"], twins["partner"]
    initiator = CooperativeFactory(name="Koperasi Pendaftar")
    official = UserFactory(username="pengurus_pendaftar")
    RepresentationFactory(user=official, cooperative=initiator)
    before = Partnership.objects.count()

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        partnership_services.partnership_register(
            user=official,
            partnership=Partnership(title="Kerjasama terlambat", start_date=datetime.date(2026, 1, 15), initiator=initiator),
            parties=[PartnershipParty(cooperative=initiator), PartnershipParty(partner=partner), PartnershipParty(cooperative_id=duplicate.pk)],
        )
    assert refused.value.code == "merged"
    assert refused.value.messages == [f"{duplicate.name} was merged into {survivor.name}: name {survivor.name} instead."]
    assert Partnership.objects.count() == before

    with pytest.raises(ValidationError) as refused:
        services.membership_save(
            user=CuratorFactory(), membership=Membership(member=duplicate, federation=twins["federation"], start_date=datetime.date(2020, 1, 1))
        )
    assert refused.value.code == "merged"

    with pytest.raises(ValidationError) as refused:
        services.representation_request(user=UserFactory(username="peminta"), cooperative=duplicate)
    assert refused.value.code == "merged"
    assert not Representation.objects.filter(cooperative=duplicate, user__username="peminta").exists()
