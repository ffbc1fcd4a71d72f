"""The partnership services and the rules they rely on: registering, deriving the
category, references, party constraints, editing, verifying and declining."""

import re
import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kopnet import policy
from kopnet.models import Verification
from partnerships import services
from partnerships.models import (
    Category,
    Confirmation,
    Direction,
    Partnership,
    PartnershipParty,
    PartyRole,
    ReferenceSequence,
)
from registry.models import Tier
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    PartnershipFactory,
    PartyFactory,
    RepresentationFactory,
    UserFactory,
)


def official_of(cooperative, username=None):
    user = UserFactory(**({"username": username} if username else {}))
    RepresentationFactory(user=user, cooperative=cooperative)
    return user


def party(organisation, role=PartyRole.MEMBER):
    field = "partner" if organisation.__class__.__name__ == "Partner" else "cooperative"
    return PartnershipParty(**{field: organisation}, role=role)


def register(user, initiator, *others, direction=Direction.HORIZONTAL, **fields):
    partnership = Partnership(
        title=fields.pop("title", "Kerjasama pemasaran bersama"),
        start_date=fields.pop("start_date", date(2026, 1, 15)),
        direction=direction,
        initiator=initiator,
        **fields,
    )
    parties = [party(initiator), *(party(other) for other in others)]
    return services.partnership_register(user=user, partnership=partnership, parties=parties)


@pytest.fixture
def coop_a(db):
    return CooperativeFactory(name="Koperasi Tani Makmur")


@pytest.fixture
def coop_b(db):
    return CooperativeFactory(name="Koperasi Nelayan Sejahtera")


@pytest.fixture
def user_a(coop_a):
    return official_of(coop_a, "official_a")


@pytest.fixture
def user_b(coop_b):
    return official_of(coop_b, "official_b")


# --- Registering ----------------------------------------------------------------


def test_register_confirms_the_initiators_party_at_once_and_leaves_the_others_pending(user_a, coop_a, coop_b):
    coop_c = CooperativeFactory()

    partnership = register(user_a, coop_a, coop_b, coop_c)

    parties = {p.cooperative_id: p for p in partnership.parties.all()}
    assert parties[coop_a.pk].confirmation == Confirmation.CONFIRMED
    assert parties[coop_a.pk].confirmed_by == user_a
    assert parties[coop_a.pk].confirmed_at is not None
    assert parties[coop_a.pk].role == PartyRole.INITIATOR
    assert parties[coop_b.pk].confirmation == Confirmation.PENDING
    assert parties[coop_c.pk].confirmation == Confirmation.PENDING
    assert parties[coop_b.pk].confirmed_by is None
    assert partnership.verification == Verification.PENDING
    assert partnership.created_by == user_a


def test_register_for_a_cooperative_the_user_does_not_act_for_is_refused(user_a, coop_b):
    other = CooperativeFactory()

    with pytest.raises(ValidationError):
        register(user_a, coop_b, other)

    assert not Partnership.objects.exists()


def test_register_refuses_a_single_party(user_a, coop_a):
    with pytest.raises(ValidationError):
        register(user_a, coop_a)

    assert not Partnership.objects.exists()


def test_register_between_cooperatives_without_direction_is_a_direction_error(user_a, coop_a, coop_b):
    with pytest.raises(ValidationError) as error:
        register(user_a, coop_a, coop_b, direction="")

    assert "direction" in error.value.message_dict
    assert not Partnership.objects.exists()


def test_register_with_a_partner_needs_no_direction(user_a, coop_a):
    partnership = register(user_a, coop_a, PartnerFactory(), direction="")

    partnership.refresh_from_db()
    # Saving the cooperative's party first must not leave a guessed direction behind.
    assert partnership.direction == ""
    assert partnership.category == Category.KEMITRAAN_USAHA


def test_an_edit_replacing_the_partner_keeps_a_business_partnership_without_direction(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b, PartnerFactory(), direction="")
    kept = list(partnership.parties.filter(cooperative__isnull=False))

    services.partnership_update(
        user=user_a, partnership=partnership, parties=[*kept, party(PartnerFactory())], objectives=[], fields=[]
    )

    partnership.refresh_from_db()
    assert (partnership.category, partnership.direction) == (Category.KEMITRAAN_USAHA, "")


# --- Category and the international flag ----------------------------------------


def test_cooperatives_only_make_a_partnership_between_cooperatives(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)

    partnership.refresh_from_db()
    assert partnership.category == Category.ANTAR_KOPERASI
    assert partnership.international is False


def test_a_partner_makes_a_business_partnership(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b, PartnerFactory())

    partnership.refresh_from_db()
    assert partnership.category == Category.KEMITRAAN_USAHA
    assert partnership.international is False


def test_parties_in_two_countries_make_an_international_partnership(user_a, coop_a):
    foreign = CooperativeFactory(name="NCBA CLUSA", country="US", province=None, tier=Tier.INDUK, individual_members=None)

    partnership = register(user_a, coop_a, foreign, direction=Direction.VERTIKAL)

    partnership.refresh_from_db()
    assert partnership.category == Category.ANTAR_KOPERASI
    assert partnership.international is True


def test_a_foreign_partner_makes_an_international_business_partnership(user_a, coop_a):
    partnership = register(user_a, coop_a, PartnerFactory(country="SG", province=None))

    partnership.refresh_from_db()
    assert (partnership.category, partnership.international) == (Category.KEMITRAAN_USAHA, True)


def test_category_and_international_are_recomputed_when_a_party_is_added_and_removed(coop_a, coop_b):
    partnership = PartnershipFactory(initiator=coop_a, parties=[coop_a, coop_b])
    assert (partnership.category, partnership.international) == (Category.ANTAR_KOPERASI, False)

    added = PartyFactory(partnership=partnership, organisation=PartnerFactory(country="JP", province=None))
    partnership.refresh_from_db()
    assert (partnership.category, partnership.international) == (Category.KEMITRAAN_USAHA, True)

    added.delete()
    partnership.refresh_from_db()
    assert (partnership.category, partnership.international) == (Category.ANTAR_KOPERASI, False)


def test_category_is_recomputed_when_an_edit_replaces_a_party(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    kept = partnership.parties.get(cooperative=coop_a)

    services.partnership_update(
        user=user_a,
        partnership=partnership,
        parties=[kept, party(PartnerFactory())],
        objectives=[],
        fields=[],
    )

    partnership.refresh_from_db()
    assert partnership.category == Category.KEMITRAAN_USAHA
    assert not partnership.parties.filter(cooperative=coop_b).exists()


# --- References -------------------------------------------------------------------


def test_reference_has_the_year_and_six_digits(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)

    assert re.fullmatch(rf"KS-{timezone.localdate().year}-[0-9]{{6}}", partnership.reference)


def test_references_are_unique_and_increasing(user_a, coop_a, coop_b):
    references = [register(user_a, coop_a, coop_b, title=f"Kerjasama {n}").reference for n in range(3)]

    assert len(set(references)) == 3
    assert references == sorted(references)
    numbers = [int(reference[-6:]) for reference in references]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_a_reference_is_never_given_again_after_a_deletion(user_a, coop_a, coop_b):
    first = register(user_a, coop_a, coop_b, title="Pertama")
    second = register(user_a, coop_a, coop_b, title="Kedua")
    deleted = second.reference
    second.delete()

    third = register(user_a, coop_a, coop_b, title="Ketiga")

    assert third.reference not in (first.reference, deleted)
    assert third.reference > deleted


def test_a_partnership_saved_without_a_reference_gets_the_next_one(coop_a):
    year = timezone.localdate().year
    ReferenceSequence.objects.create(year=year, last_number=41)

    partnership = PartnershipFactory(initiator=coop_a)

    assert partnership.reference == f"KS-{year}-000042"


# --- Party constraints -------------------------------------------------------------


def test_a_party_that_is_neither_cooperative_nor_partner_is_refused_by_the_database(coop_a):
    partnership = PartnershipFactory(initiator=coop_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipParty.objects.bulk_create([PartnershipParty(partnership=partnership)])


def test_a_party_that_is_both_cooperative_and_partner_is_refused_by_the_database(coop_a):
    partnership = PartnershipFactory(initiator=coop_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipParty.objects.bulk_create(
            [PartnershipParty(partnership=partnership, cooperative=CooperativeFactory(), partner=PartnerFactory())]
        )


@pytest.mark.parametrize("organisations", ["neither", "both"])
def test_full_clean_refuses_a_party_that_is_neither_or_both(coop_a, organisations):
    partnership = PartnershipFactory(initiator=coop_a)
    candidate = PartnershipParty(partnership=partnership)
    if organisations == "both":
        candidate.cooperative, candidate.partner = CooperativeFactory(), PartnerFactory()

    with pytest.raises(ValidationError):
        candidate.full_clean()


def test_a_cooperative_appearing_twice_is_refused_by_the_database(coop_a, coop_b):
    partnership = PartnershipFactory(initiator=coop_a, parties=[coop_a, coop_b])

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipParty.objects.bulk_create([PartnershipParty(partnership=partnership, cooperative=coop_b)])


def test_a_partner_appearing_twice_is_refused_by_the_database(coop_a):
    partner = PartnerFactory()
    partnership = PartnershipFactory(initiator=coop_a, parties=[coop_a, partner])

    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipParty.objects.bulk_create([PartnershipParty(partnership=partnership, partner=partner)])


def test_the_services_refuse_the_same_organisation_twice(user_a, coop_a, coop_b):
    with pytest.raises(ValidationError):
        register(user_a, coop_a, coop_b, coop_b)

    assert not Partnership.objects.exists()


# --- Editing ----------------------------------------------------------------------


def test_edit_by_an_official_of_another_party_is_refused(user_a, user_b, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    partnership.title = "Diubah oleh pihak lain"

    assert policy.may(user_b, "edit", partnership) is False
    with pytest.raises(ValidationError):
        services.partnership_update(
            user=user_b,
            partnership=partnership,
            parties=list(partnership.parties.all()),
            objectives=[],
            fields=[],
        )

    partnership.refresh_from_db()
    assert partnership.title == "Kerjasama pemasaran bersama"


def test_edit_of_a_verified_partnership_waits_as_its_pending_change(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    curator = CuratorFactory()
    services.partnership_verify(curator=curator, pk=partnership.pk, override_note="checked by phone")
    partnership.refresh_from_db()
    assert partnership.verification == Verification.VERIFIED

    partnership.title = "Judul baru"
    services.partnership_update(
        user=user_a, partnership=partnership, parties=list(partnership.parties.all()), objectives=[], fields=[]
    )

    stored = Partnership.objects.get(pk=partnership.pk)
    assert (stored.title, stored.verification, stored.verification_by) == ("Kerjasama pemasaran bersama", Verification.VERIFIED, curator)
    assert partnership.pending_change.changes == {"title": "Judul baru"}


def test_edit_of_a_rejected_partnership_sends_it_back_to_pending(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    services.partnership_reject(curator=CuratorFactory(), pk=partnership.pk, reason="Tanggal keliru")
    partnership.refresh_from_db()

    partnership.title = "Judul baru"
    services.partnership_update(
        user=user_a, partnership=partnership, parties=list(partnership.parties.all()), objectives=[], fields=[]
    )

    partnership.refresh_from_db()
    assert (partnership.title, partnership.verification) == ("Judul baru", Verification.PENDING)
    assert partnership.verification_by is None and partnership.verification_at is None


def test_edit_keeps_the_confirmation_of_parties_that_stay(user_a, user_b, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative=coop_b).pk)

    services.partnership_update(
        user=user_a, partnership=partnership, parties=list(partnership.parties.all()), objectives=[], fields=[]
    )

    assert partnership.parties.get(cooperative=coop_b).confirmation == Confirmation.CONFIRMED


# --- Verifying and declining -------------------------------------------------------


def test_verify_is_refused_while_a_cooperative_party_is_pending(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)

    with pytest.raises(ValidationError):
        services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk)

    partnership.refresh_from_db()
    assert partnership.verification == Verification.PENDING


def test_verify_with_an_override_note_records_it(user_a, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    curator = CuratorFactory()

    services.partnership_verify(curator=curator, pk=partnership.pk, override_note="Confirmed in a meeting")

    partnership.refresh_from_db()
    assert partnership.verification == Verification.VERIFIED
    assert partnership.verification_by == curator
    assert partnership.verification_override == "Confirmed in a meeting"


def test_verify_needs_no_note_once_every_cooperative_confirmed(user_a, user_b, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b, PartnerFactory())
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative=coop_b).pk)

    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk)

    partnership.refresh_from_db()
    assert partnership.verification == Verification.VERIFIED


def test_verification_confirms_the_partner_parties_as_checked_by_the_curator(user_a, user_b, coop_a, coop_b):
    partner = PartnerFactory()
    partnership = register(user_a, coop_a, coop_b, partner)
    services.party_confirm(user=user_b, party_id=partnership.parties.get(cooperative=coop_b).pk)
    curator = CuratorFactory()

    services.partnership_verify(curator=curator, pk=partnership.pk)

    party = partnership.parties.get(partner=partner)
    assert (party.confirmation, party.confirmed_by) == (Confirmation.CONFIRMED, curator)
    assert party.confirmed_at is not None


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_decline_needs_a_reason(user_a, user_b, coop_a, coop_b, reason):
    partnership = register(user_a, coop_a, coop_b)
    pending = partnership.parties.get(cooperative=coop_b)

    with pytest.raises(ValidationError) as error:
        services.party_decline(user=user_b, party_id=pending.pk, reason=reason)

    assert "decline_reason" in error.value.message_dict
    pending.refresh_from_db()
    assert pending.confirmation == Confirmation.PENDING


def test_decline_with_a_reason_records_who_and_why(user_a, user_b, coop_a, coop_b):
    partnership = register(user_a, coop_a, coop_b)
    pending = partnership.parties.get(cooperative=coop_b)

    services.party_decline(user=user_b, party_id=pending.pk, reason="Kami tidak menandatangani perjanjian ini")

    pending.refresh_from_db()
    assert pending.confirmation == Confirmation.DECLINED
    assert pending.confirmed_by == user_b
    assert pending.decline_reason == "Kami tidak menandatangani perjanjian ini"


# --- Concurrency (PostgreSQL) --------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_references():
    coop_a = CooperativeFactory(name="Koperasi Serentak A")
    coop_b = CooperativeFactory(name="Koperasi Serentak B")
    user = official_of(coop_a)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    references, errors = [], []

    def worker(number):
        try:
            barrier.wait(timeout=10)
            references.append(register(user, coop_a, coop_b, title=f"Serentak {number}").reference)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(references) == threads_count
    assert len(set(references)) == threads_count
    assert Partnership.objects.count() == threads_count
