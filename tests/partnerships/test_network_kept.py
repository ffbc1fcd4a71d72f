"""A visitor's partnership network on a cooperative's page (its totals, the party rows of
the picture and the newest partnerships) stays exact after every kind of write.

On PostgreSQL a visitor's network is read from what triggers keep
(partnerships/migrations/0012_cooperative_network.py). After each write here, every
cooperative's network as kept must equal the one counted from the tables (the path
signed-in readers and SQLite take), and the write must have changed the networks when
it changes what a visitor sees. The writes run in the test's transaction: the reader
applies the transaction's pending changes first (in production that happens at commit;
the tests at the end commit for real, from one thread and from two at once).
"""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test import Client

from kopnet.models import Verification
from partnerships import selectors, services
from partnerships.models import Partnership, PartnershipParty
from registry import services as registry_services
from registry.models import Cooperative, Partner
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory
from tests.partnerships.public_data import day, partnership
from tests.partnerships.test_statistics_counts import WRITES, registry  # noqa: F401 - a fixture
from tests.partnerships.test_statistics_races import together

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL keeps the network"),
]

VISITOR = AnonymousUser()


def network(cooperative, kept):
    """What a visitor's page shows of the cooperative's network, kept or counted afresh."""
    visible = Partnership.objects.visible_to(VISITOR).involving(cooperative=cooperative)
    shown = selectors.partnership_network(cooperative, visible, VISITOR, kept=kept)
    newest = []
    if shown["totals"]["partnerships"] and kept:
        newest = selectors.kept_newest_partnerships(cooperative)
    elif shown["totals"]["partnerships"]:
        newest = selectors.partnerships_for_list(selectors.newest_partnerships(visible))
    return {**shown, "newest": [listed(record) for record in newest]}


def listed(partnership):
    """What a list shows of a partnership and its parties."""
    parties = [
        (party.pk, party.partnership_id, party.organisation.pk, party.organisation.name, party.organisation.slug,
         party.organisation.verification, party.cooperative_id is not None)
        for party in partnership.parties.all()
    ]  # fmt: skip
    return partnership.reference, partnership.title, partnership.status, partnership.end_date, parties


def networks(kept, cooperatives=None):
    cooperatives = Cooperative.objects.order_by("pk") if cooperatives is None else cooperatives
    return {cooperative.slug: network(cooperative, kept) for cooperative in cooperatives}


def assert_kept_is_fresh(cooperatives=None):
    """Every cooperative's network (or these cooperatives') as kept equals a fresh count."""
    fresh, kept = networks(False, cooperatives), networks(True, cooperatives)
    assert kept.keys() == fresh.keys()
    for slug, figures in fresh.items():
        for part, shown in figures.items():
            assert kept[slug][part] == shown, f"{slug}: {part}"
    return fresh


@pytest.fixture(autouse=True)
def small_pictures(monkeypatch):
    """Limits small enough for a few partnerships to reach them: which rows and which
    partnerships are the newest, and where the picture stops, then show."""
    monkeypatch.setattr(selectors, "NETWORK_PARTY_ROWS", 4)
    monkeypatch.setattr(selectors, "NETWORK_NODES", 3)
    monkeypatch.setattr(selectors, "PROFILE_PARTNERSHIPS", 2)


@pytest.fixture
def busy(registry):  # noqa: F811 - the fixture imported above
    """The statistics' registry, and more for the network: partnerships that start on
    the same day (their order is the partnership's id, then the party's), and verified
    ones with a cooperative and a partner awaiting verification (named to nobody)."""
    data = registry
    data["waiting_partner"] = PartnerFactory(name="PT Belum Diverifikasi", verification=Verification.PENDING)
    data["same_day"] = [
        partnership(data["a"], data["b"], data["waiting_cooperative"], start_date=day(2022, 6)),
        partnership(data["a"], data["waiting_partner"], data["pt"], start_date=day(2022, 6)),
        partnership(data["a"], CooperativeFactory(), start_date=day(2022, 6), verification=Verification.PENDING),
    ]
    data["alone"] = partnership(data["puskop"], start_date=day(2020))  # no other party
    assert_kept_is_fresh()
    return data


def move_party(data):
    """A party moved to another partnership, and another to another organisation."""
    PartnershipParty.objects.filter(partnership=data["ab"], cooperative=data["b"]).update(partnership=data["a_puskop"])
    PartnershipParty.objects.filter(partnership=data["b_pt"], partner=data["pt"]).update(
        partner=None, cooperative=data["lonely"]
    )


NETWORK_WRITES = {
    **WRITES,
    "partnership_unverified": lambda data: Partnership.objects.filter(pk=data["ab"].pk).update(
        verification=Verification.PENDING
    ),
    "partner_verified": lambda data: registry_services.partner_verify(
        curator=data["curator"], pk=data["waiting_partner"].pk
    ),
    "partner_rejected": lambda data: registry_services.partner_reject(
        curator=data["curator"], pk=data["pt"].pk, reason="Tidak dikenal."
    ),
    "cooperative_unverified": lambda data: Cooperative.objects.filter(pk=data["b"].pk).update(
        verification=Verification.PENDING
    ),
    "parties_moved": move_party,
    "party_partner_changed": lambda data: PartnershipParty.objects.filter(
        partnership=data["b_pt"], partner=data["pt"]
    ).update(partner=data["foreign"]),
    "parties_bulk_created": lambda data: PartnershipParty.objects.bulk_create(
        [PartnershipParty(partnership=data["alone"], partner=data["foreign"]),
         PartnershipParty(partnership=data["b_pt"], cooperative=data["a"])]
    ),  # fmt: skip
    "same_start_dates": lambda data: Partnership.objects.filter(pk__in=[data["ab"].pk, data["abroad"].pk]).update(
        start_date=day(2022, 6)
    ),
    "only_party_left": lambda data: PartnershipParty.objects.filter(partnership=data["alone"]).delete(),
}
# Writes after which a visitor's networks stay as they were: the others must change some.
KEEP_THE_NETWORKS = {
    "registered", "confirmed", "cooperative_moved", "cooperative_tier_changed", "cooperative_went_abroad",
    "partner_moved", "admin_cooperative_edit", "bulk_update_cooperatives", "bulk_update_partners", "fields_set",
    "fields_cleared", "cooperative_deleted", "cooperative_added", "field_deleted",
}  # fmt: skip


@pytest.mark.parametrize("write", NETWORK_WRITES)
def test_the_kept_network_equals_a_fresh_count_after_the_write(busy, write):
    before = networks(kept=False)

    NETWORK_WRITES[write](busy)

    after = assert_kept_is_fresh()
    changed = any(after[slug] != figures for slug, figures in before.items() if slug in after)
    assert changed != (write in KEEP_THE_NETWORKS)


def test_a_visitor_reads_the_kept_network_and_a_curator_counts_afresh(busy, monkeypatch):
    kept, read = [], selectors.kept_network_totals
    monkeypatch.setattr(selectors, "kept_network_totals", lambda coop: kept.append(coop) or read(coop))
    assert Client().get(f"/koperasi/{busy['a'].slug}/").status_code == 200
    assert kept == [busy["a"]]
    curator = Client()
    curator.force_login(busy["curator"])
    assert curator.get(f"/koperasi/{busy['a'].slug}/").context["partnership_count"] == 7
    assert kept == [busy["a"]]


def test_the_page_shows_the_visitor_the_kept_network(busy):
    services.partnership_verify(curator=busy["curator"], pk=busy["waiting"].pk, override_note="Lewat telepon.")
    a = busy["a"]
    fresh = network(a, kept=False)

    response = Client().get(f"/koperasi/{a.slug}/")
    network_page = Client().get(f"/koperasi/{a.slug}/jaringan/")

    assert network_page.context["network"] == {key: value for key, value in fresh.items() if key != "newest"}
    assert [listed(record) for record in response.context["partnerships"]] == fresh["newest"]
    assert response.context["partnership_count"] == fresh["totals"]["partnerships"] == 6
    assert response.context["partnerships_more"] == 4


def test_writes_rolled_back_leave_the_networks(busy):
    before = assert_kept_is_fresh()
    try:
        with transaction.atomic():
            busy["ab"].delete()
            assert networks(kept=True) == networks(kept=False) != before
            raise RuntimeError("undo")
    except RuntimeError:
        pass

    assert assert_kept_is_fresh() == before


def test_a_rebuild_from_the_tables_gives_the_kept_networks(busy):
    before = assert_kept_is_fresh()

    services.network_rebuild()

    assert assert_kept_is_fresh() == before


def test_a_truncate_builds_everything_again(busy):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('TRUNCATE "partnerships_partnershipparty"')

    kept = assert_kept_is_fresh()
    assert all(figures["totals"]["partnerships"] == 0 for figures in kept.values())


# --- writes that really commit ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_committed_writes_without_a_test_transaction_are_kept():
    """Each write commits on its own (autocommit), as a request's would: the page reads
    what the commits applied, with nothing left to apply."""
    first, second, partner = CooperativeFactory(), CooperativeFactory(), PartnerFactory()
    record = PartnershipFactory(initiator=first, parties=[first, second], verification=Verification.PENDING)
    assert not connection.in_atomic_block

    Partnership.objects.filter(pk=record.pk).update(verification=Verification.VERIFIED)
    assert network(first, kept=True)["totals"] == {"partnerships": 1, "cooperatives": 1, "partners": 0}
    PartnershipParty.objects.create(partnership=record, partner=partner)
    assert_kept_is_fresh()
    PartnershipParty.objects.filter(partnership=record, cooperative=second).delete()
    assert network(first, kept=True)["totals"] == {"partnerships": 1, "cooperatives": 0, "partners": 1}
    record.delete()
    assert network(first, kept=True)["totals"] == {"partnerships": 0, "cooperatives": 0, "partners": 0}
    assert_kept_is_fresh()


def add_party(record, organisation):
    """A party added without saving the partnership (PartnershipParty.save() writes the
    partnership's row, which would make the two writers take turns, hiding the race)."""
    kind = "cooperative" if isinstance(organisation, Cooperative) else "partner"
    return lambda: PartnershipParty.objects.bulk_create([PartnershipParty(partnership=record, **{kind: organisation})])


def set_verification(record, state):
    note = "Ganda." if state == Verification.REJECTED else ""
    return lambda: Partnership.objects.filter(pk=record.pk).update(verification=state, verification_note=note)


def scenario_party_added_while_verified():
    record = PartnershipFactory(initiator=(c := CooperativeFactory()), parties=[c], verification=Verification.PENDING)
    return [add_party(record, CooperativeFactory()), set_verification(record, Verification.VERIFIED)]


def scenario_party_added_while_rejected():
    record = PartnershipFactory(initiator=(c := CooperativeFactory()), parties=[c, CooperativeFactory()])
    return [add_party(record, PartnerFactory()), set_verification(record, Verification.REJECTED)]


def scenario_two_partnerships_with_the_same_partner():
    """Two partnerships of one cooperative take the same partner at once: it counts once."""
    coop, partner = CooperativeFactory(), PartnerFactory()
    first = PartnershipFactory(initiator=coop, parties=[coop])
    second = PartnershipFactory(initiator=coop, parties=[coop])
    return [add_party(first, partner), add_party(second, partner)]


def scenario_partner_leaves_one_while_it_joins_another():
    coop, partner = CooperativeFactory(), PartnerFactory()
    leaving = PartnershipFactory(initiator=coop, parties=[coop, partner])
    joining = PartnershipFactory(initiator=coop, parties=[coop])
    leave = lambda: PartnershipParty.objects.filter(partnership=leaving, partner=partner).delete()  # noqa: E731
    return [leave, add_party(joining, partner)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "scenario",
    [
        scenario_party_added_while_verified, scenario_party_added_while_rejected,
        scenario_two_partnerships_with_the_same_partner, scenario_partner_leaves_one_while_it_joins_another,
    ],
)  # fmt: skip
def test_two_writes_at_once_each_keep_the_other(scenario):
    for _round in range(3):
        errors = together(*scenario())

        assert errors == [None, None], [repr(error) for error in errors]
        assert_kept_is_fresh()
