"""The statistics' counts under writes that really commit, two at a time (PostgreSQL).

PostgreSQL applies a transaction's changes to the counts at its commit, one commit at
a time (partnerships/migrations/0008_statistics_counts.py). Here real threads with their
own connections write at once and commit, and the page must still equal a fresh count:
two writes that each change what the other counts (a party added while its
partnership is verified, a cooperative moving while it joins a partnership) must not
miss each other, and writers must not wait for each other on the shared counts (the
number of verified partnerships in all) nor deadlock on them.
"""

import threading

import pytest
from django.db import connection, transaction

from kopnet.models import Verification
from partnerships import services
from partnerships.models import CooperationField, Partnership, PartnershipParty
from registry.models import Cooperative, Partner
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, UserFactory, province
from tests.partnerships.public_data import day
from tests.partnerships.test_statistics_counts import fresh_numbers, page_numbers

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite counts from the tables and serialises writers"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 4


def together(*writes):
    """Run each write in its own thread, connection and transaction; each waits, its
    write done but not committed, until all are, then commits. Returns what each
    raised (None when it committed)."""
    barrier = threading.Barrier(len(writes))
    errors = [None] * len(writes)

    def run(index, write):
        try:
            with transaction.atomic():
                write()
                barrier.wait(timeout=10)
        except Exception as error:  # noqa: BLE001 - the test reads it
            errors[index] = error
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, write)) for n, write in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def field(slug):
    # A transactional test before this one may have emptied the curated lists.
    return CooperationField.objects.get_or_create(slug=slug, defaults={"name": slug, "name_en": slug})[0]


def verified(*organisations, **attributes):
    return PartnershipFactory(initiator=organisations[0], parties=list(organisations), **attributes)


def set_verification(record, state):
    note = "Ganda." if state == Verification.REJECTED else ""
    return lambda: Partnership.objects.filter(pk=record.pk).update(verification=state, verification_note=note)


def add_party(record, organisation):
    """A party added without saving the partnership: PartnershipParty.save() also
    writes its partnership's derived columns, which would make the two writers take
    turns on the partnership's row, and so hide the race."""
    kind = "cooperative" if isinstance(organisation, Cooperative) else "partner"
    return lambda: PartnershipParty.objects.bulk_create([PartnershipParty(partnership=record, **{kind: organisation})])


def scenario_party_added_while_verified():
    """One adds a party in Aceh to a waiting partnership, the other verifies it."""
    record = verified(CooperativeFactory(), CooperativeFactory(), verification=Verification.PENDING)
    return [add_party(record, CooperativeFactory(province=province("11"))), set_verification(record, Verification.VERIFIED)]


def scenario_party_added_while_rejected():
    record = verified(CooperativeFactory(), CooperativeFactory())
    return [add_party(record, PartnerFactory(province=province("11"))), set_verification(record, Verification.REJECTED)]


def scenario_cooperative_moves_while_it_joins():
    """One moves a cooperative to Aceh, the other makes it a party of a verified partnership."""
    mover = CooperativeFactory(province=province("35"))
    record = verified(CooperativeFactory(), CooperativeFactory())
    move = lambda: Cooperative.objects.filter(pk=mover.pk).update(province=province("11"))  # noqa: E731
    return [move, add_party(record, mover)]


def scenario_partner_moves_while_its_partnership_is_verified():
    partner = PartnerFactory(province=province("35"))
    record = verified(CooperativeFactory(), partner, verification=Verification.PENDING)
    move = lambda: Partner.objects.filter(pk=partner.pk).update(province=province("11"))  # noqa: E731
    return [move, set_verification(record, Verification.VERIFIED)]


def scenario_two_parties_in_one_province():
    """Two parties in Aceh join a verified partnership at once: it counts once there."""
    record = verified(CooperativeFactory(), CooperativeFactory())
    aceh = province("11")
    return [add_party(record, CooperativeFactory(province=aceh)), add_party(record, PartnerFactory(province=aceh))]


def scenario_field_added_while_verified():
    record = verified(CooperativeFactory(), CooperativeFactory(), verification=Verification.PENDING)
    return [lambda: record.fields.add(field("advokasi")), set_verification(record, Verification.VERIFIED)]


def scenario_last_party_there_leaves_while_another_arrives():
    aceh = province("11")
    leaving = CooperativeFactory(province=aceh)
    record = verified(CooperativeFactory(), CooperativeFactory(), leaving)
    leave = lambda: PartnershipParty.objects.filter(partnership=record, cooperative=leaving).delete()  # noqa: E731
    return [leave, add_party(record, PartnerFactory(province=aceh))]


@pytest.mark.parametrize(
    "scenario",
    [
        scenario_party_added_while_verified, scenario_party_added_while_rejected,
        scenario_cooperative_moves_while_it_joins, scenario_partner_moves_while_its_partnership_is_verified,
        scenario_two_parties_in_one_province, scenario_field_added_while_verified,
        scenario_last_party_there_leaves_while_another_arrives,
    ],
)  # fmt: skip
def test_two_writes_at_once_each_count_the_other(scenario):
    for _round in range(ROUNDS):
        errors = together(*scenario())

        assert errors == [None, None], [repr(error) for error in errors]
        assert page_numbers() == fresh_numbers()


def test_writers_neither_queue_nor_deadlock_on_the_shared_counts():
    """Each writer verifies two partnerships in one transaction, in the opposite order of
    provinces to the other. Counts changed as each statement runs would make the second
    writer wait for the first one's commit at its first verification (the number of
    partnerships in all), and then each would wait for the other (Jawa Barat, Jawa
    Timur): the barrier between their two verifications would never be reached."""
    curator = UserFactory(is_staff=True, is_superuser=True)
    jabar, jatim = province("32"), province("35")
    for _round in range(ROUNDS):
        waiting = {
            name: verified(CooperativeFactory(province=first), CooperativeFactory(province=first),
                           verification=Verification.PENDING, start_date=day(2020))
            for name, first in [("first_jabar", jabar), ("first_jatim", jatim),
                                ("then_jatim", jatim), ("then_jabar", jabar)]
        }  # fmt: skip
        barrier = threading.Barrier(2)
        errors = []

        def writer(first, then):
            try:
                with transaction.atomic():
                    services.partnership_verify(curator=curator, pk=waiting[first].pk)
                    barrier.wait(timeout=10)
                    services.partnership_verify(curator=curator, pk=waiting[then].pk)
            except Exception as error:  # noqa: BLE001 - the test reads it
                errors.append(error)
                barrier.abort()
            finally:
                connection.close()

        threads = [
            threading.Thread(target=writer, args=("first_jabar", "then_jatim")),
            threading.Thread(target=writer, args=("first_jatim", "then_jabar")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        assert Partnership.objects.filter(verification=Verification.VERIFIED, pk__in=[p.pk for p in waiting.values()]).count() == 4
        assert page_numbers() == fresh_numbers()


def test_committed_writes_without_a_test_transaction_are_counted():
    """Each write commits on its own (autocommit), as a request's would: the page reads
    what the commits applied, with nothing left to apply."""
    curator = UserFactory(is_staff=True, is_superuser=True)
    first, second = CooperativeFactory(province=province("32")), CooperativeFactory(province=province("35"))
    record = verified(first, second, verification=Verification.PENDING, start_date=day(2019))
    assert not connection.in_atomic_block

    services.partnership_verify(curator=curator, pk=record.pk)
    assert page_numbers() == fresh_numbers()
    Cooperative.objects.filter(pk=second.pk).update(province=province("11"))
    assert page_numbers() == fresh_numbers()
    record.fields.add(field("perdagangan"))
    assert page_numbers() == fresh_numbers()
    services.partnership_reject(curator=curator, pk=record.pk, reason="Ganda.")
    assert page_numbers() == fresh_numbers()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM partnerships_statistics_pending")
        assert cursor.fetchone()[0] == 0
