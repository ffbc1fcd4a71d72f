"""Every registry rule through both doors.

The first door is full_clean(), which every form, admin page, import and service
calls: it raises ValidationError naming the field. The second is a raw
objects.create(), which skips clean(): where a single row can express the rule, the
database refuses it with an IntegrityError.
"""

import datetime
import itertools

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from kopnet.models import Verification
from registry import services
from registry.models import (
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    Membership,
    Partner,
    PartnerKind,
    Province,
    Representation,
    RepresentationState,
    Scope,
    Sector,
    Tier,
    TIER_RANK,
)
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    MembershipFactory,
    PartnerFactory,
    RepresentationFactory,
    UserFactory,
    province,
    sector,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Users are props here; hashing their passwords properly costs half a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

TODAY = timezone.localdate
LONG_AGO = datetime.date(2010, 1, 1)


def tomorrow():
    return TODAY() + datetime.timedelta(days=1)


def clean_errors(instance):
    """The errors full_clean() reports, by field; fails the test if there are none."""
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def assert_database_refuses(create):
    # The savepoint keeps the test's transaction usable after the error.
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def federation(tier=Tier.SEKUNDER, **fields):
    fields.setdefault("scope", Scope.NASIONAL if tier in (Tier.INDUK, Tier.APEX) else Scope.PROVINSI)
    return CooperativeFactory(tier=tier, **fields)


def cooperative_fields(**overrides):
    """Everything a raw Cooperative.objects.create() needs, valid unless overridden."""
    fields = {
        "name": "Koperasi Uji Mandiri",
        "tier": Tier.PRIMER,
        "type": CooperativeType.SERBA_USAHA,
        "country": "ID",
        "province": province("32"),
        "scope": Scope.KABUPATEN_KOTA,
    }
    return {**fields, **overrides}


# --- Membership: who may join whom -------------------------------------------------

TIER_PAIRS = list(itertools.product(Tier.values, Tier.values))


@pytest.mark.parametrize(("member_tier", "federation_tier"), TIER_PAIRS)
def test_membership_tier_pairs(member_tier, federation_tier):
    member = CooperativeFactory(tier=member_tier)
    joined = CooperativeFactory(tier=federation_tier)
    membership = Membership(member=member, federation=joined, start_date=LONG_AGO)

    if federation_tier == Tier.PRIMER:
        assert "federation" in clean_errors(membership)
    elif TIER_RANK[member_tier] > TIER_RANK[federation_tier]:
        assert "member" in clean_errors(membership)
    else:
        membership.full_clean()


def test_every_tier_pair_is_covered():
    assert len(TIER_PAIRS) == 16


def test_primer_takes_no_members():
    membership = Membership(member=CooperativeFactory(), federation=CooperativeFactory(), start_date=LONG_AGO)

    with translation.override("en"):
        errors = clean_errors(membership)
    assert errors["federation"] == ["A primary cooperative takes no cooperative members; its members are people."]


def test_sekunder_rejects_member_of_higher_tier():
    membership = Membership(member=federation(Tier.INDUK), federation=federation(Tier.SEKUNDER), start_date=LONG_AGO)

    assert "member" in clean_errors(membership)


def test_apex_may_join_apex():
    membership = Membership(member=federation(Tier.APEX), federation=federation(Tier.APEX), start_date=LONG_AGO)

    membership.full_clean()


def test_cooperative_cannot_be_its_own_member():
    body = federation()

    assert "member" in clean_errors(Membership(member=body, federation=body, start_date=LONG_AGO))
    assert_database_refuses(lambda: Membership.objects.create(member=body, federation=body, start_date=LONG_AGO))


def test_direct_cycle_is_refused():
    first, second = federation(), federation()
    MembershipFactory(member=first, federation=second)

    assert "federation" in clean_errors(Membership(member=second, federation=first, start_date=LONG_AGO))


def test_cycle_through_a_chain_is_refused():
    bottom, middle, top = federation(Tier.APEX), federation(Tier.APEX), federation(Tier.APEX)
    MembershipFactory(member=bottom, federation=middle)
    MembershipFactory(member=middle, federation=top)

    assert "federation" in clean_errors(Membership(member=top, federation=bottom, start_date=LONG_AGO))


def test_ended_membership_makes_no_cycle():
    first, second = federation(), federation()
    MembershipFactory(member=first, federation=second, start_date=LONG_AGO, end_date=datetime.date(2012, 1, 1))

    Membership(member=second, federation=first, start_date=LONG_AGO).full_clean()


def test_second_active_membership_of_a_pair_is_refused():
    member, body = CooperativeFactory(), federation()
    MembershipFactory(member=member, federation=body, start_date=LONG_AGO)

    assert NON_FIELD_ERRORS in clean_errors(Membership(member=member, federation=body, start_date=TODAY()))
    assert_database_refuses(
        lambda: Membership.objects.create(member=member, federation=body, start_date=TODAY())
    )


def test_overlapping_periods_of_a_pair_are_refused():
    member, body = CooperativeFactory(), federation()
    MembershipFactory(member=member, federation=body, start_date=LONG_AGO, end_date=datetime.date(2015, 12, 31))

    overlapping = Membership(member=member, federation=body, start_date=datetime.date(2014, 1, 1))
    assert NON_FIELD_ERRORS in clean_errors(overlapping)
    Membership(member=member, federation=body, start_date=datetime.date(2016, 1, 1)).full_clean()


def test_rejoining_after_an_ended_membership_is_stored():
    member, body = CooperativeFactory(), federation()
    MembershipFactory(member=member, federation=body, start_date=LONG_AGO, end_date=datetime.date(2015, 12, 31))
    rejoined = Membership(member=member, federation=body, start_date=datetime.date(2016, 1, 1))

    rejoined.full_clean()
    rejoined.save()

    assert Membership.objects.filter(member=member, federation=body).count() == 2


def test_membership_end_not_before_start():
    member, body = CooperativeFactory(), federation()
    backwards = dict(member=member, federation=body, start_date=datetime.date(2015, 1, 1), end_date=datetime.date(2014, 1, 1))

    assert "end_date" in clean_errors(Membership(**backwards))
    assert_database_refuses(lambda: Membership.objects.create(**backwards))


def test_membership_may_end_on_its_start_day():
    member, body = CooperativeFactory(), federation()

    Membership(member=member, federation=body, start_date=LONG_AGO, end_date=LONG_AGO).full_clean()


def test_membership_end_date_not_in_the_future():
    membership = Membership(member=CooperativeFactory(), federation=federation(), start_date=LONG_AGO, end_date=tomorrow())

    assert "end_date" in clean_errors(membership)


def test_membership_without_start_date_is_a_field_error():
    # A form left blank must give a message, not a crash in the overlap query.
    membership = Membership(member=CooperativeFactory(), federation=federation(), start_date=None)

    assert "start_date" in clean_errors(membership)


# --- A tier change that would break a membership -----------------------------------


def test_federation_cannot_drop_below_its_members():
    body = federation(Tier.APEX)
    MembershipFactory(member=federation(Tier.INDUK), federation=body)
    body.tier = Tier.SEKUNDER

    assert "tier" in clean_errors(body)


def test_federation_may_drop_to_the_tier_of_its_members():
    body = federation(Tier.APEX)
    MembershipFactory(member=federation(Tier.INDUK), federation=body)
    body.tier = Tier.INDUK

    body.full_clean()


def test_member_cannot_rise_above_its_federation():
    member = federation(Tier.SEKUNDER)
    MembershipFactory(member=member, federation=federation(Tier.SEKUNDER))
    member.tier = Tier.INDUK

    assert "tier" in clean_errors(member)


def test_federation_with_members_cannot_become_primer():
    body = federation(Tier.SEKUNDER)
    MembershipFactory(member=CooperativeFactory(), federation=body)
    body.tier = Tier.PRIMER

    assert "tier" in clean_errors(body)


def test_tier_change_is_free_once_memberships_ended():
    body = federation(Tier.SEKUNDER)
    MembershipFactory(member=CooperativeFactory(), federation=body, start_date=LONG_AGO, end_date=datetime.date(2012, 1, 1))
    body.tier = Tier.PRIMER

    body.full_clean()


# --- member_count follows the memberships ------------------------------------------


def member_count(cooperative):
    cooperative.refresh_from_db(fields=["member_count"])
    return cooperative.member_count


def test_member_count_counts_active_member_cooperatives():
    body = federation()
    MembershipFactory(member=CooperativeFactory(), federation=body)
    MembershipFactory(member=CooperativeFactory(), federation=body)
    MembershipFactory(member=CooperativeFactory(), federation=body, start_date=LONG_AGO, end_date=datetime.date(2012, 1, 1))

    assert member_count(body) == 2


def test_member_count_drops_when_a_membership_ends():
    body = federation()
    membership = MembershipFactory(member=CooperativeFactory(), federation=body)

    membership.end_date = TODAY()
    membership.save()

    assert member_count(body) == 0


def test_member_count_drops_when_a_membership_is_deleted():
    body = federation()
    membership = MembershipFactory(member=CooperativeFactory(), federation=body)

    membership.delete()

    assert member_count(body) == 0


def test_member_count_drops_when_memberships_are_deleted_in_bulk():
    # The admin's "delete selected" action deletes through the queryset.
    body = federation()
    MembershipFactory(member=CooperativeFactory(), federation=body)
    MembershipFactory(member=CooperativeFactory(), federation=body)

    Membership.objects.filter(federation=body).delete()

    assert member_count(body) == 0


def test_member_count_follows_a_membership_moved_to_another_federation():
    old, new = federation(), federation()
    membership = MembershipFactory(member=CooperativeFactory(), federation=old)

    membership.federation = new
    membership.save()

    assert (member_count(old), member_count(new)) == (0, 1)


def test_member_count_survives_saving_a_stale_federation():
    body = federation()
    stale = Cooperative.objects.get(pk=body.pk)
    MembershipFactory(member=CooperativeFactory(), federation=body)

    stale.name = "Pusat Koperasi Baru"
    stale.save()

    assert member_count(body) == 1


def test_primer_member_count_is_its_individual_members():
    primer = CooperativeFactory(individual_members=250)
    assert member_count(primer) == 250

    primer.individual_members = 300
    primer.save()
    assert member_count(primer) == 300

    primer.individual_members = None
    primer.save()
    assert member_count(primer) == 0


# --- Cooperative fields ------------------------------------------------------------


# At most 16 characters: PostgreSQL refuses a longer value with a DataError
# before the check constraint is asked.
@pytest.mark.parametrize("nik", ["123", "123456789012345", "12345678901234ab", "1234 5678 901234"])
def test_nik_koperasi_is_16_digits(nik):
    assert "nik" in clean_errors(CooperativeFactory.build(nik=nik))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(nik=nik)))


def test_nik_koperasi_of_17_digits_is_refused():
    assert "nik" in clean_errors(CooperativeFactory.build(nik="12345678901234567"))


def test_nik_koperasi_of_16_digits_is_accepted():
    CooperativeFactory.build(nik="3204010100000001").full_clean()


def test_blank_nik_koperasi_is_stored_as_none():
    cooperative = CooperativeFactory.build(nik="")
    cooperative.full_clean()
    cooperative.save()

    assert Cooperative.objects.get(pk=cooperative.pk).nik is None


def test_nik_koperasi_is_unique():
    CooperativeFactory(nik="3204010100000001")

    with translation.override("en"):
        errors = clean_errors(CooperativeFactory.build(nik="3204010100000001"))
    assert errors["nik"] == ["Another cooperative already has this NIK Koperasi."]
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(nik="3204010100000001")))


def test_nik_koperasi_only_for_indonesian_cooperatives():
    foreign = dict(country="MY", province=None, nik="3204010100000001")

    assert "nik" in clean_errors(CooperativeFactory.build(**foreign))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(**foreign)))


def test_indonesian_cooperative_needs_a_province():
    assert "province" in clean_errors(CooperativeFactory.build(country="ID", province=None))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(province=None)))


def test_foreign_cooperative_has_no_province():
    assert "province" in clean_errors(CooperativeFactory.build(country="US", province=province("31")))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(country="US")))


def test_foreign_cooperative_without_province_is_valid():
    CooperativeFactory.build(country="US", province=None).full_clean()


@pytest.mark.parametrize("field", ["founded", "legal_date"])
def test_cooperative_dates_not_in_the_future(field):
    assert field in clean_errors(CooperativeFactory.build(**{field: tomorrow()}))
    CooperativeFactory.build(**{field: TODAY()}).full_clean()


@pytest.mark.parametrize(
    ("field", "bad", "good"),
    [
        ("email", "pengurus@", "pengurus@koperasi.example"),
        ("website", "koperasi dot id", "https://koperasi.example/"),
        ("phone", "call me maybe", "+62 22 420-1234"),
    ],
)
def test_contact_fields_are_validated(field, bad, good):
    assert field in clean_errors(CooperativeFactory.build(**{field: bad}))
    CooperativeFactory.build(**{field: good}).full_clean()


def test_names_are_trimmed():
    cooperative = CooperativeFactory.build(name="  Koperasi Tani Makmur \n", short_name=" KTM ")

    cooperative.full_clean()

    assert (cooperative.name, cooperative.short_name) == ("Koperasi Tani Makmur", "KTM")


def test_blank_name_is_refused():
    assert "name" in clean_errors(CooperativeFactory.build(name="   "))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(name="")))


@pytest.mark.parametrize("field", ["name", "address", "regency"])
def test_nul_bytes_are_refused_with_a_message(field):
    with translation.override("en"):
        errors = clean_errors(CooperativeFactory.build(**{field: "Koperasi\x00Makmur"}))

    assert errors[field] == ["This field may not contain NUL characters."]


def test_individual_members_only_for_primer():
    assert "individual_members" in clean_errors(CooperativeFactory.build(tier=Tier.SEKUNDER, individual_members=40))
    assert_database_refuses(
        lambda: Cooperative.objects.create(**cooperative_fields(tier=Tier.SEKUNDER, individual_members=40))
    )


@pytest.mark.parametrize(
    "field", ["tier", "type", "scope", "status", "verification"]
)
def test_invalid_choice_is_refused(field):
    assert field in clean_errors(CooperativeFactory.build(**{field: "bogus"}))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(**{field: "bogus"})))


def test_every_status_is_accepted():
    for status in CooperativeStatus.values:
        CooperativeFactory.build(status=status).full_clean()


def test_slug_is_made_unique_from_the_name():
    first = CooperativeFactory(name="Koperasi Maju Bersama")
    second = CooperativeFactory(name="Koperasi Maju Bersama")
    third = CooperativeFactory(name="Koperasi Maju Bersama")

    assert [first.slug, second.slug, third.slug] == [
        "koperasi-maju-bersama",
        "koperasi-maju-bersama-2",
        "koperasi-maju-bersama-3",
    ]


def test_given_slug_is_kept_and_must_be_unique():
    CooperativeFactory(name="Koperasi A", slug="kop-a")

    assert "slug" in clean_errors(CooperativeFactory.build(name="Koperasi B", slug="kop-a"))
    assert_database_refuses(lambda: Cooperative.objects.create(**cooperative_fields(slug="kop-a")))


# --- Partner -----------------------------------------------------------------------


def test_indonesian_partner_needs_a_province():
    assert "province" in clean_errors(PartnerFactory.build(province=None))
    assert_database_refuses(
        lambda: Partner.objects.create(name="PT Tanpa Provinsi", kind=PartnerKind.SWASTA, country="ID")
    )


def test_foreign_partner_has_no_province():
    assert "province" in clean_errors(PartnerFactory.build(country="JP", province=province("31")))
    assert_database_refuses(
        lambda: Partner.objects.create(
            name="JICA", kind=PartnerKind.INTERNASIONAL, country="JP", province=province("31")
        )
    )
    PartnerFactory.build(country="JP", province=None, kind=PartnerKind.INTERNASIONAL).full_clean()


@pytest.mark.parametrize("kind", PartnerKind.values)
def test_every_partner_kind_is_accepted(kind):
    PartnerFactory.build(kind=kind).full_clean()


def test_unknown_partner_kind_is_refused():
    assert "kind" in clean_errors(PartnerFactory.build(kind="koperasi"))
    assert_database_refuses(
        lambda: Partner.objects.create(name="PT Salah", kind="koperasi", country="ID", province=province())
    )


def test_partner_name_trimmed_and_nul_refused():
    partner = PartnerFactory.build(name="  PT Mitra Tani  ")
    partner.full_clean()
    assert partner.name == "PT Mitra Tani"

    assert "description" in clean_errors(PartnerFactory.build(description="a\x00b"))


# --- Verification ------------------------------------------------------------------


def verify(record, curator):
    service = services.cooperative_verify if isinstance(record, Cooperative) else services.partner_verify
    service(curator=curator, pk=record.pk)


def reject(record, curator, reason):
    service = services.cooperative_reject if isinstance(record, Cooperative) else services.partner_reject
    service(curator=curator, pk=record.pk, reason=reason)


@pytest.mark.parametrize("factory", [CooperativeFactory, PartnerFactory])
def test_verify_records_who_and_when(factory):
    curator = CuratorFactory()
    record = factory(verification=Verification.PENDING)
    before = timezone.now()

    verify(record, curator)
    record.refresh_from_db()

    assert record.verification == Verification.VERIFIED
    assert record.verification_by == curator
    assert record.verification_at >= before


@pytest.mark.parametrize("factory", [CooperativeFactory, PartnerFactory])
def test_reject_records_who_when_and_why(factory):
    curator = CuratorFactory()
    record = factory(verification=Verification.PENDING)

    reject(record, curator, "  Dokumen badan hukum tidak sah.  ")
    record.refresh_from_db()

    assert (record.verification, record.verification_by, record.verification_note) == (
        Verification.REJECTED,
        curator,
        "Dokumen badan hukum tidak sah.",
    )
    assert record.verification_at is not None


@pytest.mark.parametrize("factory", [CooperativeFactory, PartnerFactory])
def test_reject_needs_a_reason(factory):
    record = factory(verification=Verification.PENDING)

    with pytest.raises(ValidationError) as caught:
        reject(record, CuratorFactory(), "   ")

    assert "verification_note" in caught.value.message_dict
    record.refresh_from_db()
    assert record.verification == Verification.PENDING


def test_rejected_without_reason_refused_by_both_doors():
    assert "verification_note" in clean_errors(CooperativeFactory.build(verification=Verification.REJECTED))
    assert_database_refuses(
        lambda: Cooperative.objects.create(**cooperative_fields(verification=Verification.REJECTED))
    )
    assert_database_refuses(
        lambda: Partner.objects.create(
            name="PT Ditolak", kind=PartnerKind.SWASTA, province=province(), verification=Verification.REJECTED
        )
    )


def test_verifying_after_a_rejection_clears_the_reason():
    record = CooperativeFactory(verification=Verification.PENDING)
    reject(record, CuratorFactory(), "NIK Koperasi tidak cocok.")

    verify(record, CuratorFactory())
    record.refresh_from_db()

    assert record.verification_note == ""


# --- History -----------------------------------------------------------------------


def change_and_save(instance, user, field, value):
    setattr(instance, field, value)
    instance._history_user = user
    instance.save()


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        (lambda: Province.objects.get(code="32"), "name", "Jawa Barat (diubah)"),
        (lambda: Sector.objects.get(slug="pertanian"), "name_en", "Farming"),
        (lambda: CooperativeFactory(), "short_name", "KTM"),
        (lambda: MembershipFactory(start_date=datetime.date(2020, 1, 1)), "end_date", datetime.date(2024, 12, 31)),
        (lambda: PartnerFactory(), "description", "Mitra pemasaran."),
        (lambda: RepresentationFactory(state=RepresentationState.REQUESTED), "state", RepresentationState.APPROVED),
    ],
    ids=["province", "sector", "cooperative", "membership", "partner", "representation"],
)
def test_every_model_keeps_a_history_with_the_user(make, field, value):
    editor = UserFactory(username="editor")
    instance = make()
    versions = instance.history.count()

    change_and_save(instance, editor, field, value)

    latest = instance.history.first()
    assert instance.history.count() == versions + 1
    assert (latest.history_type, latest.history_user) == ("~", editor)
    assert getattr(latest, field) == value


def test_cooperative_history_records_its_sectors():
    cooperative = CooperativeFactory()

    cooperative.sectors.set([sector("pertanian"), sector("perikanan")])

    latest = cooperative.history.first()
    assert {row.sector.slug for row in latest.sectors.all()} == {"pertanian", "perikanan"}


# --- Representation ----------------------------------------------------------------


def test_one_open_representation_per_user_and_cooperative():
    existing = RepresentationFactory(state=RepresentationState.REQUESTED)
    again = dict(user=existing.user, cooperative=existing.cooperative, state=RepresentationState.REQUESTED)

    assert NON_FIELD_ERRORS in clean_errors(Representation(**again))
    assert_database_refuses(lambda: Representation.objects.create(**again))


def test_approved_representation_blocks_a_new_request():
    existing = RepresentationFactory(state=RepresentationState.APPROVED)

    assert_database_refuses(
        lambda: Representation.objects.create(user=existing.user, cooperative=existing.cooperative)
    )


def test_new_request_allowed_after_revocation():
    existing = RepresentationFactory(state=RepresentationState.REVOKED)
    again = Representation(user=existing.user, cooperative=existing.cooperative)

    again.full_clean()
    again.save()


def test_representation_decision_records_who_and_when():
    curator = CuratorFactory()
    representation = RepresentationFactory(state=RepresentationState.REQUESTED)

    services.representation_decide(curator=curator, pk=representation.pk, decision="approve")
    representation.refresh_from_db()

    assert (representation.state, representation.decided_by) == (RepresentationState.APPROVED, curator)
    assert representation.decided_at is not None


def test_unknown_representation_state_refused_in_the_database():
    existing = RepresentationFactory()

    assert_database_refuses(
        lambda: Representation.objects.create(user=UserFactory(), cooperative=existing.cooperative, state="owner")
    )

def test_slug_generated_from_a_reserved_word_is_changed(db):
    assert CooperativeFactory(name="Baru").slug == "baru-2"

def test_reserved_slug_is_refused(db):
    coop = CooperativeFactory.build(slug="baru")
    with pytest.raises(ValidationError) as caught:
        coop.full_clean()
    assert "slug" in caught.value.message_dict
