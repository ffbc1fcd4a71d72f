"""Issue 14 §1: each record by its key, as its page shows it; what a reader may not
see is a 404, as on the pages; a merged record's address answers 301 with its
survivor's; the query count of a list does not grow with its rows."""

import pytest
from django.test import Client

from kopnet.models import Verification
from registry.models import Cooperative
from registry.services import record_merge
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    PartnershipFactory,
    RepresentationFactory,
    UserFactory,
    sector,
)

pytestmark = pytest.mark.django_db


def test_a_cooperative_as_its_page_shows_it():
    coop = CooperativeFactory(name="Koperasi Tani Makmur", individual_members=120, sectors=[sector("pertanian")])

    response = Client().get(f"/api/v1/cooperatives/{coop.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Koperasi Tani Makmur"
    assert (body["members"], body["sectors"], body["province"], body["verified"]) == (120, ["pertanian"], "32", True)
    assert body["url"] == f"http://testserver/api/v1/cooperatives/{coop.slug}/"
    assert body["page"].endswith(f"/koperasi/{coop.slug}/")


def test_a_partnership_names_its_parties_as_the_reader_may():
    coop = CooperativeFactory(name="Koperasi Tani Makmur")
    hidden = PartnerFactory(name="PT Belum Diperiksa", verification=Verification.PENDING)
    partnership = PartnershipFactory(initiator=coop, parties=[coop, hidden])

    parties = Client().get(f"/api/v1/partnerships/{partnership.reference}/").json()["parties"]

    assert parties[0] | {"confirmation": None} == {
        "organisation_type": "cooperative", "organisation": coop.slug, "name": "Koperasi Tani Makmur",
        "role": "initiator", "ocds_role": None, "iati_role": "2", "confirmation": None,
    }  # fmt: skip
    assert parties[1]["organisation"] is None and parties[1]["name"] != "PT Belum Diperiksa"


@pytest.mark.parametrize("kind", ["cooperatives", "partners", "partnerships"])
def test_a_pending_record_is_a_404_for_a_visitor_and_there_for_its_official(kind):
    coop = CooperativeFactory(verification=Verification.PENDING)
    user = UserFactory()
    RepresentationFactory(user=user, cooperative=coop)
    record = {
        "cooperatives": lambda: coop,
        "partners": lambda: PartnerFactory(verification=Verification.PENDING, proposed_by=user),
        "partnerships": lambda: PartnershipFactory(initiator=coop, verification=Verification.PENDING),
    }[kind]()
    key = getattr(record, "reference", None) or record.slug
    official = Client()
    official.force_login(user)

    assert Client().get(f"/api/v1/{kind}/{key}/").status_code == 404
    assert official.get(f"/api/v1/{kind}/{key}/").status_code == 200
    assert Client().get(f"/api/v1/{kind}/{key}/").json() == {"detail": "Data tidak ditemukan."}


def test_a_merged_cooperatives_address_answers_301_with_its_survivors():
    survivor = CooperativeFactory(name="Koperasi Tani Makmur")
    merged = CooperativeFactory(name="Koperasi Tani Makmur (ganda)")
    record_merge(curator=CuratorFactory(), model=Cooperative, survivor_pk=survivor.pk, merged_pk=merged.pk)

    response = Client().get(f"/api/v1/cooperatives/{merged.slug}/", {"fields": "name"})

    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/cooperatives/{survivor.slug}/?fields=name"


@pytest.mark.parametrize("kind", ["cooperatives", "partners", "partnerships"])
def test_a_lists_queries_do_not_grow_with_its_rows(kind, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            coop = CooperativeFactory(sectors=[sector("pertanian"), sector("perikanan")])
            PartnershipFactory(initiator=coop, parties=[coop, PartnerFactory(), CooperativeFactory()])

    visitor = Client()
    make(1)
    # The rows; then their sectors (cooperatives), or their parties, objectives and
    # fields (partnerships); partners need nothing more.
    queries = {"cooperatives": 2, "partners": 1, "partnerships": 4}[kind]
    with django_assert_num_queries(queries):
        assert visitor.get(f"/api/v1/{kind}/").status_code == 200
    make(6)
    with django_assert_num_queries(queries):
        assert len(visitor.get(f"/api/v1/{kind}/").json()["results"]) > 6
