"""The cooperative's partnership network (the JSON cytoscape draws, and the same links
as a list) and its suggested partners: pages of their own, which its profile fetches."""

import json
import random
import re

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from kopnet.models import Verification
from partnerships import selectors
from partnerships.models import PartnershipParty
from registry.models import TIER_RANK, Cooperative, CooperativeStatus, Membership, Scope, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, province, sector
from tests.markup import normalised
from tests.partnerships.public_data import day, federation, foreign_partner, partnership, pending

pytestmark = pytest.mark.django_db


def network(client, coop):
    response = client.get(f"/koperasi/{coop.slug}/jaringan/")
    assert response.status_code == 200
    match = re.search(
        r'<script id="kn-network-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "the page carries the network as JSON"
    return json.loads(match.group(1)), response


def deferred_sections(html):
    """(id, url) of each section a page fetches from a page of its own (kopnet.js)."""
    return re.findall(r'<section [^>]*id="([a-z-]+)"[^>]* data-kn-deferred="([^"]+)"', html)


def test_the_profile_fetches_its_network_and_suggestions_from_their_pages(visitor):
    coop = CooperativeFactory(sectors=[sector("pertanian")])
    partnership(coop, PartnerFactory())

    html = visitor.get(f"/koperasi/{coop.slug}/").content.decode()

    sections = deferred_sections(html)
    assert sections == [("network", f"/koperasi/{coop.slug}/jaringan/"), ("suggestions", f"/koperasi/{coop.slug}/saran/")]
    assert "kn-network-data" not in html and "js/network" in html  # drawn once fetched
    for section_id, url in sections:
        assert f'<a href="{url}">' in html  # what readers without JavaScript follow
        page = visitor.get(url).content.decode()
        # What kopnet.js puts in the placeholder's place: the page's element of its id.
        assert page.count(f' id="{section_id}"') == 1
        assert not deferred_sections(page)


def test_a_profile_without_partnerships_fetches_no_network(visitor):
    coop = CooperativeFactory()

    html = visitor.get(f"/koperasi/{coop.slug}/").content.decode()

    assert [section_id for section_id, _url in deferred_sections(html)] == ["suggestions"]
    assert ' id="network"' in html and "jaringan/" not in html and "js/network" not in html


def test_network_has_the_cooperative_its_partners_and_one_edge_per_partnership(visitor):
    coop = CooperativeFactory(name="KUD Mina", short_name="KUD-M")
    fishers = CooperativeFactory(name="Koperasi Nelayan")
    bank = PartnerFactory(name="Bank Daerah")
    usa = foreign_partner(name="NCBA CLUSA")
    first = partnership(coop, fishers, start_date=day(2020))
    second = partnership(coop, fishers, start_date=day(2021))
    loan = partnership(coop, bank, start_date=day(2022))
    abroad = partnership(coop, usa, start_date=day(2023))
    partnership(fishers, bank)  # does not involve the cooperative

    data, _response = network(visitor, coop)

    nodes = {node["id"]: node for node in data["nodes"]}
    assert nodes[f"c{coop.pk}"]["kind"] == "self" and nodes[f"c{coop.pk}"]["label"] == "KUD-M"
    assert nodes[f"c{fishers.pk}"] == {
        "id": f"c{fishers.pk}",
        "label": "Koperasi Nelayan",
        "name": "Koperasi Nelayan",
        "kind": "cooperative",
        "url": reverse("registry:cooperative_detail", args=[fishers.slug]),
    }
    assert nodes[f"p{bank.pk}"]["kind"] == "partner"
    assert nodes[f"p{bank.pk}"]["url"] == reverse("registry:partner_detail", args=[bank.slug])
    assert set(nodes) == {f"c{coop.pk}", f"c{fishers.pk}", f"p{bank.pk}", f"p{usa.pk}"}
    edges = {edge["reference"]: edge for edge in data["edges"]}
    assert set(edges) == {first.reference, second.reference, loan.reference, abroad.reference}
    assert all(edge["source"] == f"c{coop.pk}" for edge in edges.values())
    assert edges[first.reference]["target"] == edges[second.reference]["target"] == f"c{fishers.pk}"
    assert edges[first.reference]["category"] == "antar_koperasi"
    assert edges[loan.reference]["category"] == "kemitraan_usaha"
    assert edges[abroad.reference]["international"] is True
    assert edges[loan.reference]["url"] == f"/kerjasama/{loan.reference}/"
    assert {item["value"] for item in data["legend"]} == {"antar_koperasi", "kemitraan_usaha"}


def test_a_multilateral_partnership_joins_the_cooperative_to_every_other_party(visitor):
    dekopin = federation(Tier.APEX, scope=Scope.NASIONAL, name="Dekopin")
    others = [foreign_partner(name=f"Apex body {n}") for n in range(4)]
    aco = partnership(dekopin, *others, title="Pendirian ACO", start_date=day(1977, 12, 5))

    data, _response = network(visitor, dekopin)

    assert len(data["nodes"]) == 5
    assert [edge["reference"] for edge in data["edges"]] == [aco.reference] * 4


def test_network_leaves_out_partnerships_the_reader_cannot_see(client, curator_user):
    coop, hidden_partner = CooperativeFactory(), CooperativeFactory()
    waiting = pending(coop, hidden_partner)

    response = client.get(f"/koperasi/{coop.slug}/jaringan/")
    assert "kn-network-data" not in response.content.decode()
    client.force_login(curator_user)
    data, _response = network(client, coop)
    assert [edge["reference"] for edge in data["edges"]] == [waiting.reference]


def test_an_unverified_party_is_drawn_without_a_link_for_visitors(visitor):
    coop = CooperativeFactory()
    proposed = PartnerFactory(verification=Verification.PENDING)
    partnership(coop, proposed)

    data, _response = network(visitor, coop)

    (node,) = [node for node in data["nodes"] if node["kind"] == "partner"]
    assert node["url"] == ""


def test_the_text_list_holds_the_same_links_as_the_drawing(visitor):
    coop = CooperativeFactory()
    bank = PartnerFactory(name="Bank Pembangunan")
    loan = partnership(coop, bank)

    _data, response = network(visitor, coop)
    html = response.content.decode()
    listed = html[html.index("<details"):html.index("</details>")]

    assert reverse("registry:partner_detail", args=[bank.slug]) in listed
    assert f"/kerjasama/{loan.reference}/" in listed


# partnerships/_network.html's list as the template wrote it before {% network_list %}
# wrote it in Python.
NETWORK_LIST_ORACLE = """{% load i18n %}<ul class="mt-2">
      {% for link in network.links %}
      <li>
        {% if link.node.url %}<a href="{{ link.node.url }}">{{ link.node.name }}</a>{% else %}{{ link.node.name }}{% endif %}
        <span class="text-body-secondary">({% if link.node.kind == "partner" %}{% translate "partner" %}{% else %}{% translate "cooperative" %}{% endif %})</span>
        <ul>
          {% for edge in link.partnerships %}
          <li><a href="{{ edge.url }}">{{ edge.title }}</a> <span class="font-monospace small">{{ edge.reference }}</span> · {{ edge.category_label }}{% if edge.international %} · {% translate "International" %}{% endif %}</li>
          {% endfor %}
        </ul>
      </li>
      {% endfor %}
    </ul>"""


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_text_list_is_the_template_loops(visitor, language):
    coop = CooperativeFactory(name="Koperasi <Pusat> & Co")
    bank = PartnerFactory(name='Bank "Rakyat" <Daerah>')
    partnership(coop, bank, title="Kredit <usaha> & modal")
    partnership(coop, foreign_partner(name="Rabobank <Foundation>"), CooperativeFactory(name="Koperasi Kedua"))
    partnership(coop, PartnerFactory(name="Mitra Menunggu", verification=Verification.PENDING))
    visitor.cookies["django_language"] = language

    _data, response = network(visitor, coop)

    with translation.override(language):
        expected = engines["django"].from_string(NETWORK_LIST_ORACLE).render({"network": response.context["network"]})
    page = normalised(response.content.decode())
    assert normalised(expected) in page
    assert page.count("<li><a href=") >= 4 and "Kredit &lt;usaha&gt; &amp; modal" in page
    assert ("International" if language == "en" else "Internasional") in expected


def test_network_draws_at_most_sixty_partners_the_most_recent_first_and_says_how_many_more(visitor, monkeypatch):
    monkeypatch.setattr(selectors, "NETWORK_NODES", 3)
    coop = CooperativeFactory()
    partners = [CooperativeFactory() for _ in range(5)]
    for n, other in enumerate(partners):
        partnership(coop, other, start_date=day(2010 + n))

    data, response = network(visitor, coop)

    drawn = {node["id"] for node in data["nodes"]} - {f"c{coop.pk}"}
    assert drawn == {f"c{other.pk}" for other in partners[-3:]}
    assert {edge["target"] for edge in data["edges"]} == drawn
    assert response.context["network"]["more"] == 2


def test_the_cap_is_sixty():
    assert selectors.NETWORK_NODES == 60


# --- suggestions ------------------------------------------------------------------


@pytest.fixture
def farmer():
    return CooperativeFactory(name="KUD Tani", province=province("32"), sectors=[sector("pertanian")])


def names(coops):
    return [coop.name for coop in coops]


def test_horizontal_suggestions_are_same_tier_same_province_shared_sector_without_partnership(visitor, farmer):
    CooperativeFactory(name="Cocok", province=province("32"), sectors=[sector("pertanian"), sector("perikanan")])
    CooperativeFactory(name="Provinsi lain", province=province("35"), sectors=[sector("pertanian")])
    CooperativeFactory(name="Sektor lain", province=province("32"), sectors=[sector("perikanan")])
    federation(name="Tingkat lain", province=province("32"), sectors=[sector("pertanian")])
    CooperativeFactory(name="Belum diverifikasi", verification=Verification.PENDING, sectors=[sector("pertanian")])
    CooperativeFactory(name="Dibubarkan", status=CooperativeStatus.DIBUBARKAN, sectors=[sector("pertanian")])
    partner = CooperativeFactory(name="Sudah bermitra", province=province("32"), sectors=[sector("pertanian")])
    partnership(farmer, partner)

    response = visitor.get(f"/koperasi/{farmer.slug}/saran/")

    suggested = response.context["suggested_horizontal"]
    assert names(suggested) == ["Cocok"]
    assert [s.slug for s in suggested[0].shared_sectors] == ["pertanian"]
    assert "Cocok" in response.content.decode()


def test_horizontal_suggestions_put_more_shared_sectors_first_and_stop_at_five(farmer):
    farmer.sectors.add(sector("perikanan"))
    CooperativeFactory(name="Satu sektor", sectors=[sector("perikanan")])
    CooperativeFactory(name="Dua sektor", sectors=[sector("pertanian"), sector("perikanan")])
    for n in range(6):
        CooperativeFactory(name=f"Lain {n}", sectors=[sector("pertanian")])

    suggested = selectors.horizontal_suggestions(farmer, _anonymous())

    assert len(suggested) == 5
    assert suggested[0].name == "Dua sektor"


def test_vertical_suggestions_are_higher_tier_federations_covering_the_province_not_joined(visitor, farmer):
    MembershipFactory(
        member=farmer,
        federation=federation(name="Sudah anggota", province=province("32"), sectors=[sector("pertanian")]),
    )
    federation(name="Puskop Jabar", province=province("32"), sectors=[sector("pertanian")])
    federation(Tier.INDUK, scope=Scope.NASIONAL, name="Induk nasional", province=province("31"), sectors=[sector("pertanian")])
    federation(name="Puskop Jatim", province=province("35"), sectors=[sector("pertanian")])
    federation(name="Sektor lain", province=province("32"), sectors=[sector("perikanan")])
    CooperativeFactory(name="Primer sama", province=province("32"), sectors=[sector("pertanian")])
    federation(name="Belum diverifikasi", verification=Verification.PENDING, sectors=[sector("pertanian")])

    response = visitor.get(f"/koperasi/{farmer.slug}/saran/")

    assert names(response.context["suggested_vertical"]) == ["Puskop Jabar", "Induk nasional"]
    html = response.content.decode()
    assert "Puskop Jabar" in html and "Induk nasional" in html


def test_vertical_suggestions_leave_out_federations_it_belongs_to_through_others(visitor, farmer):
    puskop = federation(name="Puskop", province=province("32"), sectors=[sector("pertanian")])
    induk = federation(Tier.INDUK, scope=Scope.NASIONAL, name="Induk", sectors=[sector("pertanian")])
    MembershipFactory(member=farmer, federation=puskop)
    MembershipFactory(member=puskop, federation=induk)

    response = visitor.get(f"/koperasi/{farmer.slug}/saran/")

    assert response.context["suggested_vertical"] == []


def test_an_apex_has_no_vertical_suggestions_and_a_cooperative_without_sectors_none_at_all(farmer):
    apex = federation(Tier.APEX, scope=Scope.NASIONAL, sectors=[sector("pertanian")])
    bare = CooperativeFactory()
    federation(sectors=[sector("pertanian")])

    assert selectors.vertical_suggestions(apex) == []
    assert selectors.vertical_suggestions(bare) == []
    assert selectors.horizontal_suggestions(bare, _anonymous()) == []


# The suggestions are hand-written SQL (partnerships/selectors.py): held here to their
# definition, written out in Python over every cooperative, on data drawn at random
# with ties in every sort key, a pool smaller than the candidates, partners seen and
# unseen, and memberships.

SLUGS = ("pertanian", "perikanan", "peternakan", "perdagangan")


def random_registry(rng):
    coops = []
    for n in range(70):
        tier = rng.choice([Tier.PRIMER, Tier.PRIMER, Tier.SEKUNDER, Tier.INDUK, Tier.APEX])
        foreign = n % 23 == 0
        attributes = {
            "name": f"Kop {rng.randrange(40):02d}",  # names repeat: the id breaks the tie
            "tier": tier,
            "province": None if foreign else province(rng.choice(["32", "35"])),
            "country": "MY" if foreign else "ID",
            "scope": rng.choice(list(Scope)),
            "status": rng.choice([CooperativeStatus.AKTIF] * 4 + [CooperativeStatus.TIDAK_AKTIF]),
            "verification": rng.choice([Verification.VERIFIED] * 5 + [Verification.PENDING]),
            "individual_members": rng.choice([10, 20, 20, 30]) if tier == Tier.PRIMER else None,
            "sectors": [sector(slug) for slug in rng.sample(SLUGS, rng.randrange(0, 3))],
        }
        coops.append(CooperativeFactory(**attributes))
    verified = [coop for coop in coops if coop.verification == Verification.VERIFIED]
    for _n in range(40):
        one, other = rng.sample(coops, 2)
        (partnership if rng.random() < 0.7 else pending)(one, other)
    for _n in range(25):
        member, above = rng.sample(verified, 2)
        if TIER_RANK[above.tier] > TIER_RANK[member.tier] and not Membership.objects.filter(
            member=member, federation=above
        ).exists():
            MembershipFactory(
                member=member, federation=above, start_date=day(2010), end_date=rng.choice([None, None, day(2020)])
            )
    return Cooperative.objects.order_by("id").prefetch_related("sectors")


def expected_horizontal(coop, everyone, pool_size):
    mine = {sector.pk for sector in coop.sectors.all()}
    seen = set(
        PartnershipParty.objects.filter(
            partnership__verification=Verification.VERIFIED, partnership__parties__cooperative=coop
        ).values_list("cooperative_id", flat=True)
    )
    if not mine or not coop.province_id:
        return []
    pool = sorted(
        (
            other
            for other in everyone
            if other.verification == Verification.VERIFIED
            and other.status == CooperativeStatus.AKTIF
            and other.tier == coop.tier
            and other.province_id == coop.province_id
            and mine & {sector.pk for sector in other.sectors.all()}
        ),
        key=lambda other: (-other.member_count, other.pk),
    )[:pool_size]
    left = [other for other in pool if other.pk != coop.pk and other.pk not in seen]
    shared = {other.pk: len(mine & {sector.pk for sector in other.sectors.all()}) for other in left}
    return sorted(left, key=lambda other: (-shared[other.pk], -other.member_count, other.name, other.pk))[:5]


def expected_vertical(coop, everyone):
    mine = {sector.pk for sector in coop.sectors.all()}
    joined = Membership.ancestor_ids(coop.pk)  # directly or through others

    def covers(other):
        return (
            other.scope == Scope.INTERNASIONAL
            or (other.scope == Scope.NASIONAL and other.country == coop.country)
            or (coop.province_id is not None and other.province_id == coop.province_id)
        )

    candidates = [
        other
        for other in everyone
        if other.verification == Verification.VERIFIED
        and other.status == CooperativeStatus.AKTIF
        and TIER_RANK[other.tier] > TIER_RANK[coop.tier]
        and mine & {sector.pk for sector in other.sectors.all()}
        and covers(other)
        and other.pk not in joined
    ]

    def order(other):
        shared = len(mine & {sector.pk for sector in other.sectors.all()})
        return (TIER_RANK[other.tier], 0 if other.province_id == coop.province_id else 1, -shared, other.name, other.pk)

    return sorted(candidates, key=order)[:5]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_suggestions_match_their_definition_on_random_data(monkeypatch, seed):
    monkeypatch.setattr(selectors, "SUGGESTION_POOL", 3)  # fewer than the candidates
    rng = random.Random(seed)
    everyone = list(random_registry(rng))
    checked = 0
    for coop in everyone:
        horizontal = selectors.horizontal_suggestions(coop, _anonymous())
        vertical = selectors.vertical_suggestions(coop)
        assert [other.pk for other in horizontal] == [other.pk for other in expected_horizontal(coop, everyone, 3)]
        assert [other.pk for other in vertical] == [other.pk for other in expected_vertical(coop, everyone)]
        selectors.with_shared_sectors(coop, horizontal, vertical)
        mine = {sector.pk for sector in coop.sectors.all()}
        for other in horizontal + vertical:
            theirs = set(other.sectors.values_list("pk", flat=True))
            assert [sector.pk for sector in other.shared_sectors] == [
                sector.pk for sector in coop.sectors.order_by("name") if sector.pk in theirs
            ]
            assert other.shared_sectors and mine >= {sector.pk for sector in other.shared_sectors}
        checked += bool(horizontal) + bool(vertical)
    assert checked > 20, "the data gives suggestions to check"


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# --- A partner's network (issue 12) --------------------------------------------------


def partner_network(client, partner):
    response = client.get(f"/mitra/{partner.slug}/jaringan/")
    assert response.status_code == 200
    match = re.search(
        r'<script id="kn-network-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "the page carries the network as JSON"
    return json.loads(match.group(1)), response


def test_a_partners_profile_fetches_its_network_centred_on_the_partner(visitor):
    bank = PartnerFactory(name="Bank Daerah Contoh")
    kud, ksp = CooperativeFactory(name="KUD Contoh"), CooperativeFactory(name="KSP Contoh")
    loan = partnership(kud, bank, start_date=day(2021))
    credit = partnership(ksp, bank, start_date=day(2022))
    partnership(kud, ksp)  # does not involve the bank

    html = visitor.get(f"/mitra/{bank.slug}/").content.decode()
    assert deferred_sections(html) == [("network", f"/mitra/{bank.slug}/jaringan/")]

    data, response = partner_network(visitor, bank)
    nodes = {node["id"]: node for node in data["nodes"]}
    assert set(nodes) == {f"p{bank.pk}", f"c{kud.pk}", f"c{ksp.pk}"}
    assert nodes[f"p{bank.pk}"]["kind"] == "self"
    assert {edge["reference"]: edge["target"] for edge in data["edges"]} == {
        loan.reference: f"c{kud.pk}", credit.reference: f"c{ksp.pk}",
    }  # fmt: skip
    assert all(edge["source"] == f"p{bank.pk}" for edge in data["edges"])
    assert response.context["network"]["totals"] == {"partnerships": 2, "cooperatives": 2, "partners": 0}
    assert "2 organisasi bekerja sama dengan mitra ini" in response.content.decode()
    assert "Mitra ini" in response.content.decode()


def test_a_partners_network_leaves_out_what_the_reader_cannot_see(client, curator_user):
    bank = PartnerFactory()
    waiting = pending(CooperativeFactory(), bank)

    assert "kn-network-data" not in client.get(f"/mitra/{bank.slug}/jaringan/").content.decode()
    client.force_login(curator_user)
    data, _response = partner_network(client, bank)
    assert [edge["reference"] for edge in data["edges"]] == [waiting.reference]


@pytest.mark.parametrize("rows", [1, 30])
def test_a_partners_network_reads_a_fixed_number_of_queries(visitor, django_assert_num_queries, rows):
    bank = PartnerFactory()
    for _ in range(rows):
        partnership(CooperativeFactory(), bank)
    # 1 the partner, 2 the totals, 3 the other parties with their partnerships and organisations.
    with django_assert_num_queries(3):
        partner_network(visitor, bank)
