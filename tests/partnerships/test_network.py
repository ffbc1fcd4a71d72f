"""The cooperative page's partnership network (the JSON cytoscape draws, and the same
links as a list) and its suggested partners."""

import json
import re

import pytest
from django.urls import reverse

from kopnet.models import Verification
from partnerships import selectors
from registry.models import CooperativeStatus, Scope, Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, province, sector
from tests.partnerships.public_data import day, federation, foreign_partner, partnership, pending

pytestmark = pytest.mark.django_db


def network(client, coop):
    response = client.get(f"/koperasi/{coop.slug}/")
    assert response.status_code == 200
    match = re.search(
        r'<script id="kn-network-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, "the page carries the network as JSON"
    return json.loads(match.group(1)), response


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

    response = client.get(f"/koperasi/{coop.slug}/")
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

    response = visitor.get(f"/koperasi/{farmer.slug}/")

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

    response = visitor.get(f"/koperasi/{farmer.slug}/")

    assert names(response.context["suggested_vertical"]) == ["Puskop Jabar", "Induk nasional"]
    html = response.content.decode()
    assert "Puskop Jabar" in html and "Induk nasional" in html


def test_vertical_suggestions_leave_out_federations_it_belongs_to_through_others(visitor, farmer):
    puskop = federation(name="Puskop", province=province("32"), sectors=[sector("pertanian")])
    induk = federation(Tier.INDUK, scope=Scope.NASIONAL, name="Induk", sectors=[sector("pertanian")])
    MembershipFactory(member=farmer, federation=puskop)
    MembershipFactory(member=puskop, federation=induk)

    response = visitor.get(f"/koperasi/{farmer.slug}/")

    assert response.context["suggested_vertical"] == []


def test_an_apex_has_no_vertical_suggestions_and_a_cooperative_without_sectors_none_at_all(farmer):
    apex = federation(Tier.APEX, scope=Scope.NASIONAL, sectors=[sector("pertanian")])
    bare = CooperativeFactory()
    federation(sectors=[sector("pertanian")])

    assert selectors.vertical_suggestions(apex) == []
    assert selectors.vertical_suggestions(bare) == []
    assert selectors.horizontal_suggestions(bare, _anonymous()) == []


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
