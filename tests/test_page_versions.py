"""Profiles are cached by page versions (kopnet.models.PageVersion): a write renders
again exactly the pages that show what it changed, and keeps every other profile.

Each test caches the pages of a small world, writes one way (a model save, a bulk
update, a service, a delete), then checks that the pages showing the change show it
(never stale) and that the others still come from the cache (scoped).
"""

import importlib

import pytest
from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kopnet.cache import run_deferred_triggers
from kopnet.models import PageVersion, Verification
from partnerships import selectors
from partnerships.models import CooperationField, Objective, Partnership, PartnershipDocument, PartnershipParty
from registry.models import Cooperative, Membership, Partner, Province, Regency, Scope, Sector, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, PartnershipFactory, PartyFactory


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.KOPNET_PAGE_CACHE = True


def main_content(response):
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def coop_url(coop):
    return f"/koperasi/{Cooperative.objects.get(pk=coop.pk).slug}/"


def partner_url(partner):
    return f"/mitra/{Partner.objects.get(pk=partner.pk).slug}/"


def partnership_url(partnership):
    return f"/kerjasama/{partnership.reference}/"


class World:
    """A federation with a member, cooperatives of two provinces, a partner, and two
    partnerships; a visitor has every page of it cached."""

    def __init__(self):
        farming = Sector.objects.get(slug="pertanian")
        self.federation = CooperativeFactory(name="Koperasi Sekunder Induk Tani", tier=Tier.SEKUNDER, scope=Scope.PROVINSI)
        self.member = CooperativeFactory(name="Koperasi Anggota Tani")
        self.member.sectors.add(farming)
        MembershipFactory(member=self.member, federation=self.federation)
        self.elsewhere = CooperativeFactory(name="Koperasi Jauh Sekali", province=Province.objects.get(code="51"))
        self.other = CooperativeFactory(name="Koperasi Lain Lagi", province=Province.objects.get(code="51"))
        self.partner = PartnerFactory(name="PT Mitra Dagang")
        self.with_partner = PartnershipFactory(title="Kerjasama Pupuk", initiator=self.member, parties=[self.member, self.partner])
        self.far = PartnershipFactory(title="Kerjasama Jauh", initiator=self.elsewhere, parties=[self.elsewhere, self.other])
        self.visitor = Client()
        self.pages = self.urls()
        for url in self.pages.values():
            self.visitor.get(url)

    def urls(self):
        return {
            "federation": coop_url(self.federation),
            "member": coop_url(self.member),
            # Parts of profiles that are pages of their own, which the profiles fetch.
            "federation_members": coop_url(self.federation) + "anggota/",
            "member_network": coop_url(self.member) + "jaringan/",
            "member_suggestions": coop_url(self.member) + "saran/",
            "elsewhere": coop_url(self.elsewhere),
            "other": coop_url(self.other),
            "partner": partner_url(self.partner),
            "with_partner": partnership_url(self.with_partner),
            "far": partnership_url(self.far),
        }

    def get(self, name):
        response = self.visitor.get(self.pages[name])
        assert response.status_code == 200
        return response

    def cached(self):
        """The names of the pages a visitor now gets from the cache."""
        return {name for name in self.pages if self.get(name).get("X-KopNet-Cache") == "hit"}

    def shows(self, name, text):
        return text in main_content(self.get(name))


@pytest.fixture
def world(db):
    world = World()
    assert world.cached() == set(world.pages)
    return world


def rendered_again(world):
    return set(world.pages) - world.cached()


# --- scoped: a write renders only the pages that show it -------------------------------


def test_a_phone_number_renders_only_its_own_page(world):
    Cooperative.objects.filter(pk=world.elsewhere.pk).update(phone="0361 555 777")
    assert rendered_again(world) == {"elsewhere"}
    assert world.shows("elsewhere", "0361 555 777")


def test_a_partnership_renders_its_page_and_its_parties_pages(world):
    Partnership.objects.filter(pk=world.far.pk).update(title="Kerjasama Jauh Sekali")
    assert rendered_again(world) == {"far", "elsewhere", "other"}
    assert world.shows("other", "Kerjasama Jauh Sekali") and world.shows("far", "Kerjasama Jauh Sekali")


def test_a_partnership_renders_the_network_of_its_parties(world):
    Partnership.objects.filter(pk=world.with_partner.pk).update(title="Kerjasama Pupuk Organik")
    assert rendered_again(world) == {"with_partner", "member", "member_network", "member_suggestions", "partner"}
    assert world.shows("member_network", "Kerjasama Pupuk Organik")


def test_a_partys_confirmation_renders_the_partnership_and_its_parties(world):
    PartnershipParty.objects.filter(partnership=world.far, cooperative=world.other).update(confirmation="pending")
    assert rendered_again(world) == {"far", "elsewhere", "other"}


def test_a_pending_partnership_registered_renders_only_its_parties_pages(world):
    pending = PartnershipFactory(
        verification=Verification.PENDING, initiator=world.elsewhere, parties=[world.elsewhere, world.other]
    )
    assert rendered_again(world) == {"elsewhere", "other"}
    assert not world.shows("other", pending.title)


def test_a_pending_cooperative_registered_renders_no_page_but_its_own(world):
    CooperativeFactory(verification=Verification.PENDING, province=world.member.province, tier=Tier.SEKUNDER)
    assert rendered_again(world) == set()


def test_a_hit_costs_one_query(world):
    with CaptureQueriesContext(connection) as queries:
        assert world.get("member")["X-KopNet-Cache"] == "hit"
    expected = 1 if connection.vendor == "sqlite" else 3  # PostgreSQL in a test: the deferred triggers run first
    assert len(queries) == expected, "\n".join(q["sql"][:300] for q in queries)


# --- never stale: each kind of write reaches every page that shows it -----------------


def test_a_partner_renamed_shows_on_its_partnerships_and_their_parties(world):
    partner = Partner.objects.get(pk=world.partner.pk)
    partner.name = "PT Mitra Dagang Baru"
    partner.save()
    # The member's network names it; its suggestions leave out cooperatives it works with.
    assert rendered_again(world) == {"partner", "with_partner", "member", "member_network", "member_suggestions"}
    assert world.shows("with_partner", "PT Mitra Dagang Baru") and world.shows("member", "PT Mitra Dagang Baru")
    assert world.shows("member_network", "PT Mitra Dagang Baru")


def test_a_member_renamed_shows_on_its_federations_list(world):
    Cooperative.objects.filter(pk=world.member.pk).update(name="Koperasi Anggota Tani Jaya")
    assert {"member", "federation_members", "partner", "with_partner"} <= rendered_again(world)
    assert world.shows("federation_members", "Koperasi Anggota Tani Jaya")
    assert world.shows("partner", "Koperasi Anggota Tani Jaya")


def test_a_federation_renamed_shows_in_its_members_tree(world):
    Cooperative.objects.filter(pk=world.federation.pk).update(name="Koperasi Sekunder Induk Tani Raya")
    assert world.shows("member", "Koperasi Sekunder Induk Tani Raya")


def test_a_members_member_renamed_shows_in_the_preview_above(world):
    apex = CooperativeFactory(name="Induk Koperasi Nasional", tier=Tier.INDUK, scope=Scope.NASIONAL)
    MembershipFactory(member=world.federation, federation=apex)
    visitor, members = world.visitor, coop_url(apex) + "anggota/"
    visitor.get(members)
    assert world.member.name in main_content(visitor.get(members))
    Cooperative.objects.filter(pk=world.member.pk).update(name="Koperasi Anggota Berganti")
    assert "Koperasi Anggota Berganti" in main_content(visitor.get(members))


def test_a_membership_shows_on_both_pages(world):
    MembershipFactory(member=world.elsewhere, federation=world.federation)
    assert world.shows("federation_members", world.elsewhere.name)
    assert world.shows("elsewhere", world.federation.name)
    Membership.objects.filter(member=world.elsewhere).delete()
    assert not world.shows("federation_members", world.elsewhere.name)


def test_a_party_added_and_removed_shows_on_every_partys_page(world):
    newcomer = CooperativeFactory(name="Koperasi Pendatang Baru")
    party = PartyFactory(partnership=world.with_partner, organisation=newcomer, confirmation="confirmed")
    assert world.shows("with_partner", newcomer.name) and world.shows("partner", newcomer.name)
    party.delete()
    assert not world.shows("partner", newcomer.name)


def test_a_partnership_deleted_leaves_its_parties_pages(world):
    Partnership.objects.filter(pk=world.far.pk).delete()
    assert not world.shows("other", "Kerjasama Jauh")


def test_reference_data_renamed_shows_on_every_profile(world):
    Sector.objects.filter(slug="pertanian").update(name="Pertanian Terpadu")
    assert world.shows("member", "Pertanian Terpadu")
    Province.objects.filter(pk=world.member.province_id).update(name="Provinsi Baru Sekali")
    assert world.shows("member", "Provinsi Baru Sekali")


def test_objectives_fields_and_documents_show_on_the_partnership(world):
    field = CooperationField.objects.order_by("pk").first()
    world.with_partner.fields.add(field)
    assert world.shows("with_partner", field.name)
    CooperationField.objects.filter(pk=field.pk).update(name="Bidang Berganti Nama")
    assert world.shows("with_partner", "Bidang Berganti Nama")
    objective = Objective.objects.order_by("pk").first()
    world.with_partner.objectives.add(objective)
    assert world.shows("with_partner", objective.name)
    PartnershipDocument.objects.create(partnership=world.with_partner, title="Naskah Perjanjian", file="x.pdf", content_type="application/pdf", size=1000)
    assert world.shows("with_partner", "Naskah Perjanjian")


def test_a_cooperative_verified_nearby_joins_the_suggestions(world):
    neighbour = CooperativeFactory(
        name="Koperasi Tetangga Tani", province=world.member.province, verification=Verification.PENDING
    )
    neighbour.sectors.add(Sector.objects.get(slug="pertanian"))
    assert not world.shows("member_suggestions", neighbour.name)
    Cooperative.objects.filter(pk=neighbour.pk).update(verification=Verification.VERIFIED)
    assert world.shows("member_suggestions", neighbour.name)
    # The profiles keep theirs: their suggestions are a page of their own.
    assert {"member", "elsewhere"} <= world.cached()


def test_a_federation_verified_joins_the_suggestions_of_lower_tiers(world):
    federation = CooperativeFactory(
        name="Koperasi Sekunder Tetangga", tier=Tier.SEKUNDER, scope=Scope.PROVINSI,
        province=world.member.province, verification=Verification.PENDING,
    )
    federation.sectors.add(Sector.objects.get(slug="pertanian"))
    assert not world.shows("member_suggestions", federation.name)
    Cooperative.objects.filter(pk=federation.pk).update(verification=Verification.VERIFIED)
    assert world.shows("member_suggestions", federation.name)


# A cooperative changes its province's suggestions only when it is, or was, among the
# SUGGESTION_POOL largest of its tier, province and a sector it has
# (registry/migrations/0014_suggestion_pool_versions.py).


@pytest.fixture
def crowded(world):
    """SUGGESTION_POOL larger farming cooperatives beside world.member: a small one
    cannot enter anyone's pool."""
    farming = Sector.objects.get(slug="pertanian")
    crowd = Cooperative.objects.bulk_create(
        Cooperative(
            name=f"Koperasi Besar {n:03d}", slug=f"koperasi-besar-{n:03d}", tier=Tier.PRIMER,
            type=world.member.type, province=world.member.province, scope=Scope.KABUPATEN_KOTA,
            verification=Verification.VERIFIED, individual_members=5000 + n, member_count=5000 + n,
        )
        for n in range(selectors.SUGGESTION_POOL)
    )  # fmt: skip
    Cooperative.sectors.through.objects.bulk_create(
        Cooperative.sectors.through(cooperative_id=coop.pk, sector_id=farming.pk) for coop in crowd
    )
    for url in world.pages.values():
        world.visitor.get(url)
    assert world.cached() == set(world.pages)
    return crowd


def test_the_triggers_know_the_pool_the_suggestions_take():
    migration = importlib.import_module("registry.migrations.0014_suggestion_pool_versions")
    assert migration.POOL == selectors.SUGGESTION_POOL


def pending_farmer(world, name, members):
    coop = CooperativeFactory(
        name=name, province=world.member.province, verification=Verification.PENDING,
        individual_members=members, sectors=[Sector.objects.get(slug="pertanian")],
    )  # fmt: skip
    Cooperative.objects.filter(pk=coop.pk).update(member_count=members)
    return coop


def test_a_small_cooperative_registered_and_verified_outside_every_pool_keeps_the_profiles(world, crowded):
    small = pending_farmer(world, "Koperasi Kecil Sekali", 10)
    assert "member_suggestions" in world.cached()  # registered: pending, with its sectors
    Cooperative.objects.filter(pk=small.pk).update(verification=Verification.VERIFIED)
    assert "member_suggestions" in world.cached()
    assert not world.shows("member_suggestions", "Koperasi Kecil Sekali")


def test_a_cooperative_verified_into_the_pool_renders_the_profiles_again(world, crowded):
    large = pending_farmer(world, "Koperasi Raksasa Tani", 90000)
    assert "member_suggestions" in world.cached()
    Cooperative.objects.filter(pk=large.pk).update(verification=Verification.VERIFIED)
    assert world.shows("member_suggestions", "Koperasi Raksasa Tani")


def test_the_pools_largest_shrinking_out_of_it_renders_the_profiles_again(world, crowded):
    largest = crowded[-1]
    assert world.shows("member_suggestions", largest.name)
    Cooperative.objects.filter(pk=largest.pk).update(member_count=1)
    assert not world.shows("member_suggestions", largest.name)


def test_two_cooperatives_swapping_places_in_one_update_render_the_profiles_again(world, crowded):
    """The test reads the other rows as the transaction leaves them: one leaving the
    pool as another enters, in one statement, still changes the suggestions."""
    small = pending_farmer(world, "Koperasi Naik Daun", 10)
    Cooperative.objects.filter(pk=small.pk).update(verification=Verification.VERIFIED)
    largest = crowded[-1]
    assert world.shows("member_suggestions", largest.name) and "member_suggestions" in world.cached()
    Cooperative.objects.filter(pk__in=[small.pk, largest.pk]).update(
        member_count=Case(When(pk=small.pk, then=Value(99999)), default=Value(1))
    )
    assert world.shows("member_suggestions", "Koperasi Naik Daun") and not world.shows("member_suggestions", largest.name)


def test_a_pool_member_unverified_with_its_sectors_taken_renders_the_profiles_again(world, crowded):
    largest = crowded[-1]
    assert world.shows("member_suggestions", largest.name)
    with transaction.atomic():
        Cooperative.objects.filter(pk=largest.pk).update(verification=Verification.PENDING)
        Cooperative.objects.get(pk=largest.pk).sectors.clear()
    assert not world.shows("member_suggestions", largest.name)


def test_a_pool_member_moved_with_its_sectors_taken_renders_the_profiles_again(world, crowded):
    largest = crowded[-1]
    with transaction.atomic():
        Cooperative.objects.filter(pk=largest.pk).update(province=Province.objects.get(code="51"))
        Cooperative.objects.get(pk=largest.pk).sectors.clear()
    assert not world.shows("member_suggestions", largest.name)


def test_a_pool_member_deleted_renders_the_profiles_again(world, crowded):
    largest = crowded[-1]
    Cooperative.objects.get(pk=largest.pk).delete()
    assert not world.shows("member_suggestions", largest.name)


def two_regencies(world):
    """Two regencies of world.member's province, as registry.models.Regency rows."""
    code = world.member.province_id
    return [Regency.objects.create(code=f"{code}.{n:02d}", province_id=code, name=f"Kabupaten Uji {n}") for n in (1, 2)]


def test_a_pool_member_coded_to_another_regency_renders_the_profiles_again(world, crowded):
    """The suggestions put the same regency first (registry/migrations/0031)."""
    first, second = two_regencies(world)
    largest = crowded[-1]
    Cooperative.objects.filter(pk=largest.pk).update(regency_place=first)
    assert "member_suggestions" not in world.cached()
    world.get("member_suggestions")
    Cooperative.objects.filter(pk=largest.pk).update(regency_place=second)
    assert "member_suggestions" not in world.cached()


def test_a_regency_move_outside_every_pool_skips_the_pool_test_on_postgresql(world, crowded):
    """registry/migrations/0032: on PostgreSQL a verified cooperative's regency move
    renders its province's suggestions again without the pool test (23 ms a row at
    national scale); SQLite, row by row, keeps the exact test. A pending one's, never."""
    first, _second = two_regencies(world)
    small = pending_farmer(world, "Koperasi Kecil Sekali", 10)
    Cooperative.objects.filter(pk=small.pk).update(regency_place=first)
    assert "member_suggestions" in world.cached()
    Cooperative.objects.filter(pk=small.pk).update(verification=Verification.VERIFIED)
    assert "member_suggestions" in world.cached()
    Cooperative.objects.filter(pk=small.pk).update(regency_place=None)
    assert ("member_suggestions" in world.cached()) == (connection.vendor != "postgresql")


# --- the lists and the home page follow what they show ---------------------------------

LISTS = ("/", "/koperasi/", "/mitra/", "/kerjasama/")


@pytest.fixture
def lists(world):
    for url in LISTS:
        world.visitor.get(url)
    return world


def lists_rendered_again(world):
    return {url for url in LISTS if world.visitor.get(url).get("X-KopNet-Cache") != "hit"}


def test_writes_no_list_shows_keep_every_list(lists):
    Cooperative.objects.filter(pk=lists.member.pk).update(phone="0811 222 333", address="Jalan Baru 1")
    CooperativeFactory(verification=Verification.PENDING, name="Koperasi Belum Diperiksa")
    PartnerFactory(verification=Verification.PENDING)
    PartnershipFactory(verification=Verification.PENDING, initiator=lists.member, parties=[lists.member, lists.other])
    PartnershipParty.objects.filter(partnership=lists.far).update(confirmed_at=None)
    assert lists_rendered_again(lists) == set()


def test_a_cooperative_renamed_shows_on_its_list_the_partnerships_and_the_home_pages_latest(lists):
    Cooperative.objects.filter(pk=lists.other.pk).update(name="Koperasi Lain Berganti")
    # Home shows the latest verified partnerships, their parties named: it follows the list's version.
    assert lists_rendered_again(lists) == {"/", "/koperasi/", "/kerjasama/"}
    assert "Koperasi Lain Berganti" in main_content(lists.visitor.get("/koperasi/"))
    assert "Koperasi Lain Berganti" in main_content(lists.visitor.get("/kerjasama/"))


def test_a_cooperative_verified_shows_on_its_list_and_the_home_page(lists):
    waiting = CooperativeFactory(verification=Verification.PENDING, name="Koperasi Baru Diverifikasi")
    assert lists_rendered_again(lists) == set()
    Cooperative.objects.filter(pk=waiting.pk).update(verification=Verification.VERIFIED)
    assert lists_rendered_again(lists) == {"/", "/koperasi/"}
    assert waiting.name in main_content(lists.visitor.get("/koperasi/"))


def test_a_sector_added_shows_on_the_list_of_cooperatives(lists):
    lists.other.sectors.add(Sector.objects.get(slug="perikanan"))
    assert lists_rendered_again(lists) == {"/koperasi/"}


def test_a_partner_renamed_shows_on_its_list_and_the_partnerships(lists):
    Partner.objects.filter(pk=lists.partner.pk).update(name="PT Mitra Berganti")
    assert lists_rendered_again(lists) == {"/", "/mitra/", "/kerjasama/"}
    assert "PT Mitra Berganti" in main_content(lists.visitor.get("/kerjasama/"))


def test_a_verified_partnership_changed_shows_on_the_list_and_the_home_page(lists):
    Partnership.objects.filter(pk=lists.far.pk).update(title="Kerjasama Jauh Berganti")
    assert lists_rendered_again(lists) == {"/", "/kerjasama/"}
    assert "Kerjasama Jauh Berganti" in main_content(lists.visitor.get("/kerjasama/"))
    pending = PartnershipFactory(
        verification=Verification.PENDING, title="Kerjasama Menunggu Kurator",
        initiator=lists.other, parties=[lists.other, lists.partner],
    )
    assert lists_rendered_again(lists) == set()
    Partnership.objects.filter(pk=pending.pk).update(verification=Verification.VERIFIED)
    assert "Kerjasama Menunggu Kurator" in main_content(lists.visitor.get("/kerjasama/"))


def test_a_tier_change_shows_on_the_home_page(lists):
    Cooperative.objects.filter(pk=lists.other.pk).update(tier=Tier.SEKUNDER, individual_members=None)
    assert "/" in lists_rendered_again(lists)


def rendered_again_of(world, urls):
    return {url for url in urls if world.visitor.get(url).get("X-KopNet-Cache") != "hit"}


def test_a_list_filtered_to_a_province_is_rendered_again_only_for_writes_in_that_province(world):
    home_province = world.member.province_id
    assert home_province and home_province != "51"
    ours, bali, bali_primary = (
        f"/koperasi/?province={home_province}", "/koperasi/?province=51", "/koperasi/?tier=primer&province=51"
    )
    urls = {"/koperasi/", ours, bali, bali_primary}
    for url in urls:
        assert world.visitor.get(url).status_code == 200
    assert rendered_again_of(world, urls) == set()

    Cooperative.objects.filter(pk=world.other.pk).update(name="Koperasi Lain Berganti")
    assert rendered_again_of(world, urls) == {"/koperasi/", bali, bali_primary}
    assert "Koperasi Lain Berganti" in main_content(world.visitor.get(bali))

    world.member.sectors.add(Sector.objects.get(slug="perikanan"))
    assert rendered_again_of(world, urls) == {"/koperasi/", ours}

    # A move shows on the lists of both provinces.
    Cooperative.objects.filter(pk=world.member.pk).update(province=Province.objects.get(code="51"))
    assert rendered_again_of(world, urls) == urls
    assert world.member.name in main_content(world.visitor.get(bali))
    assert world.member.name not in main_content(world.visitor.get(ours))


def test_a_province_list_key_comes_from_the_filter_the_list_reads(world):
    """Repeated or odd province parameters key the page by the value the filter uses."""
    twice = "/koperasi/?province=11&province=51"
    assert world.visitor.get(twice).status_code == 200
    assert world.visitor.get(twice).get("X-KopNet-Cache") == "hit"
    Cooperative.objects.filter(pk=world.other.pk).update(name="Koperasi Lain Berganti")
    response = world.visitor.get(twice)
    assert response.get("X-KopNet-Cache") != "hit"
    assert "Koperasi Lain Berganti" in main_content(response)
    assert world.visitor.get("/koperasi/?province=5").status_code == 400


def test_a_profiles_versions_are_read_by_a_query_compiled_once_for_every_value(world):
    from kopnet.cache import compiled_lookup, page_versions
    from registry.views import cooperative_versions

    member = page_versions(None, cooperative_versions, world.member.slug)
    other = page_versions(None, cooperative_versions, world.other.slug)
    assert None not in member[:1] and member != other
    assert page_versions(None, cooperative_versions, "no-such-cooperative") is None
    before = compiled_lookup.cache_info()
    page_versions(None, cooperative_versions, world.member.slug)
    after = compiled_lookup.cache_info()
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_a_versions_query_that_does_not_take_its_value_is_refused(db):
    from kopnet.cache import page_versions

    with pytest.raises(ValueError):
        page_versions(None, lambda slug: Cooperative.objects.filter(slug="fixed").values_list("pk"), "x")


# --- once per transaction ---------------------------------------------------------------


def bump(key):
    with connection.cursor() as cursor:
        cursor.execute("SELECT kopnet_bump_pages(ARRAY[%s])", [key])


def token(key):
    return PageVersion.objects.filter(key=key).values_list("token", flat=True).first()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's triggers change keys row by row")
@pytest.mark.django_db(transaction=True)
def test_a_key_changes_once_per_transaction_however_many_rows_name_it():
    # A bulk UPDATE of 70,000 verified partnerships changed "l" 70,000 times in one
    # transaction, each change walking past the ones before: minutes at commit.
    with transaction.atomic():
        bump("once-test")
        first = token("once-test")
        bump("once-test")
        assert token("once-test") == first
        with connection.cursor() as cursor:
            run_deferred_triggers(cursor)  # as a page read in the transaction does
        bump("once-test")
        second = token("once-test")
        assert second != first  # what it writes after the read changes the key again
    first = second
    with transaction.atomic():
        bump("once-test")
        assert token("once-test") != first  # the next transaction changes it again
