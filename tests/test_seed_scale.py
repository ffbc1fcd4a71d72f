"""bench/seed_scale.py: a generated registry that keeps every rule, and a guard for real data."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q

from bench.seed_scale import Command
from kopnet.models import Verification
from partnerships.models import Category, Partnership, PartnershipParty, derive_from_parties
from registry.models import Cooperative, Membership, Partner, Tier

COOPERATIVES, PARTNERSHIPS = 600, 900


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def seeded(db):
    return run("--cooperatives", str(COOPERATIVES), "--partnerships", str(PARTNERSHIPS))


def test_generates_the_asked_sizes_with_a_progress_bar(seeded):
    out, err = seeded
    assert Cooperative.objects.count() == COOPERATIVES
    assert Partnership.objects.count() == PARTNERSHIPS
    assert "100% partnerships 900/900" in err and "Generated 600 cooperatives" in out
    assert set(Cooperative.objects.values_list("tier", flat=True).distinct()) == set(Tier.values)
    assert Cooperative.objects.values("province").distinct().count() == 39  # 38 provinces and none (abroad)
    parties = Partnership.objects.annotate(n=Count("parties")).aggregate(low=Count("pk", filter=Q(n__lt=2)), high=Count("pk", filter=Q(n__gt=6)))
    assert parties == {"low": 0, "high": 0}
    assert Partner.objects.exists() and Membership.objects.exists()


def test_stored_figures_agree_with_the_rows(seeded):
    federations = Cooperative.objects.exclude(tier=Tier.PRIMER).annotate(
        active=Count("member_memberships", filter=Q(member_memberships__end_date__isnull=True))
    )
    assert all(coop.member_count == coop.active for coop in federations)
    assert not Cooperative.objects.filter(tier=Tier.PRIMER).exclude(member_count=models_individual()).exists()
    sample = Partnership.objects.order_by("?")[:60]
    for partnership in sample:
        parties = PartnershipParty.objects.filter(partnership=partnership).select_related("cooperative", "partner")
        category, international, _direction = derive_from_parties(parties)
        assert (partnership.category, partnership.international) == (category, international)
        if category == Category.ANTAR_KOPERASI:
            assert partnership.direction
        assert partnership.initiator_id == parties.get(role="initiator").cooperative_id


def models_individual():
    from django.db.models import F

    return F("individual_members")


def test_the_statistics_count_the_generated_rows(seeded):
    # The bulk load runs without triggers; the statistics' counts are redone after it.
    from tests.partnerships.test_statistics_counts import fresh_numbers, page_numbers

    numbers = page_numbers()
    assert numbers == fresh_numbers()
    assert numbers["partnerships", "total"] > PARTNERSHIPS / 2
    run("--cooperatives", "300", "--partnerships", "50")  # a second run replaces them
    assert page_numbers() == fresh_numbers()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL keeps the networks")
def test_the_kept_networks_agree_with_the_generated_rows(seeded):
    # The bulk load runs without triggers; the cooperatives' networks are rebuilt after it.
    from tests.partnerships.test_network_kept import assert_kept_is_fresh

    busiest = Cooperative.objects.annotate(n=Count("partnership_parties")).order_by("-n", "pk")
    networks = assert_kept_is_fresh([*busiest[:20], *Cooperative.objects.order_by("?")[:20]])
    assert max(figures["totals"]["partnerships"] for figures in networks.values()) > 10


def test_the_province_rows_are_made_after_the_load(seeded):
    # The bulk load runs without triggers; the partnership list's province rows are
    # made again after it (PostgreSQL; SQLite keeps none).
    from tests.partnerships.test_province_rows import assert_kept_rows_are_fresh, kept_rows

    assert_kept_rows_are_fresh()
    if connection.vendor == "postgresql":
        assert kept_rows()


def test_the_search_rows_are_made_after_the_load(seeded):
    # The load goes around the search rows' trigger: seed_scale makes them after.
    from tests.registry.test_search_rows import assert_kept_rows_are_fresh, kept_rows

    assert_kept_rows_are_fresh()
    if connection.vendor == "postgresql":
        assert kept_rows()


def test_the_member_rows_are_made_after_the_load(seeded):
    # The load goes around the member rows' triggers too.
    from tests.registry.test_kept_member_rows import fresh_rows, kept_rows

    if connection.vendor == "postgresql":
        assert kept_rows() == fresh_rows() and kept_rows()


def test_a_few_organisations_gather_many_partnerships(seeded):
    busiest = (
        PartnershipParty.objects.exclude(cooperative=None).values("cooperative").annotate(n=Count("id")).order_by("-n")
    )
    average = PartnershipParty.objects.exclude(cooperative=None).count() / COOPERATIVES
    assert busiest[0]["n"] >= 3 * average


def test_registrations_after_seeding_continue_the_references(seeded):
    from partnerships.models import ReferenceSequence
    from django.utils import timezone

    year = timezone.localdate().year
    taken = set(Partnership.objects.filter(reference__startswith=f"KS-{year}-").values_list("reference", flat=True))
    assert ReferenceSequence.next_reference(year) not in taken
    # New rows get fresh ids: the sequences were moved past the generated ones.
    assert Cooperative.objects.create(name="Koperasi Sesudah Benih", tier=Tier.PRIMER, type="konsumen", scope="kabupaten_kota", province_id="32").pk > COOPERATIVES


def test_refuses_a_database_with_records_it_did_not_generate(db):
    from tests.factories import CooperativeFactory

    real = CooperativeFactory(name="Koperasi Sungguhan")
    with pytest.raises(CommandError, match="did not generate"):
        run("--cooperatives", "300", "--partnerships", "10")
    assert Cooperative.objects.get() == real
    run("--cooperatives", "300", "--partnerships", "10", "--force")
    assert not Cooperative.objects.filter(pk=real.pk, name=real.name).exists()
    assert Cooperative.objects.count() == 300


def test_a_second_run_replaces_the_generated_data(seeded):
    run("--cooperatives", "300", "--partnerships", "50")
    assert (Cooperative.objects.count(), Partnership.objects.count()) == (300, 50)
    assert Cooperative.objects.filter(verification=Verification.VERIFIED).count() > 250


def test_sizes_too_small_for_every_tier_are_refused(db):
    with pytest.raises(CommandError, match="at least"):
        run("--cooperatives", "20", "--partnerships", "10")



def test_seeding_changes_the_version_every_page_shows(db):
    """The load runs without the page version triggers on PostgreSQL: the page version
    every cached page is keyed by ("r") changes instead, so none is served stale."""
    from kopnet.models import PageVersion

    def every_page():
        return PageVersion.objects.filter(key="r").values_list("token", flat=True).first()

    before = every_page()
    run("--cooperatives", str(COOPERATIVES), "--partnerships", str(PARTNERSHIPS))
    after = every_page()
    assert after is not None and after != before


def test_seeding_changes_every_data_version(db):
    # A seed is a write: no page cached before it may be served after it, whatever the
    # scope (PostgreSQL loads with the triggers off and changes the versions at the end).
    from kopnet.cache import SCOPES
    from kopnet.models import DataVersion

    before = dict(DataVersion.objects.values_list("id", "token"))
    assert set(before) >= set(SCOPES.values())
    run("--cooperatives", "300", "--partnerships", "50")
    after = dict(DataVersion.objects.values_list("id", "token"))
    assert all(after[scope] != before[scope] for scope in SCOPES.values())


def test_seeding_puts_back_every_index_key_and_trigger(db):
    # PostgreSQL loads without them (bench/scale.py Writer.bulk_load) and makes them again.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite loads with its indexes, keys and triggers in place")

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text ~ '^(registry|partnerships|kopnet)_' "
                "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE tablename ~ '^(registry|partnerships|kopnet)_' "
                "UNION ALL SELECT tgrelid::regclass::text, tgname, tgenabled::text FROM pg_trigger "
                "WHERE tgrelid::regclass::text ~ '^(registry|partnerships|kopnet)_' AND NOT tgisinternal"
            )
            return sorted(cursor.fetchall())

    before = schema()
    run("--cooperatives", "300", "--partnerships", "50")
    assert schema() == before


def test_the_same_seed_generates_the_same_data(db):
    def generated():
        return (
            list(Cooperative.objects.order_by("pk").values_list("slug", "tier", "province", "verification", "nik", "founded", "member_count")),
            list(Partnership.objects.order_by("pk").values_list("reference", "title", "category", "direction", "start_date", "status", "value")),
            list(PartnershipParty.objects.order_by("pk").values_list("partnership", "cooperative", "partner", "role", "confirmation")),
            list(Membership.objects.order_by("pk").values_list("member", "federation", "start_date", "end_date")),
        )

    run("--cooperatives", "300", "--partnerships", "80", "--seed", "7")
    first = generated()
    run("--cooperatives", "300", "--partnerships", "80", "--seed", "7")
    assert generated() == first
    run("--cooperatives", "300", "--partnerships", "80", "--seed", "8")
    assert generated() != first
