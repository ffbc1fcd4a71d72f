"""Issue 14 §4: the partnership JSON carries the standards' codes beside KopNet's:
OCDS partyRole and IATI OrganisationRole for each party, GLEIF ValidationSources for
the corroboration; every code of ours has its mapping (None where none fits)."""

import pytest
from django.test import Client

from partnerships import standards
from partnerships.models import Corroboration, PartyRole
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, PartyFactory

pytestmark = pytest.mark.django_db

OCDS_PARTY_ROLES = {"buyer", "procuringEntity", "supplier", "tenderer", "funder", "enquirer", "payer", "payee", "reviewBody", "interestedParty"}


def test_every_role_and_level_of_ours_has_its_mapping_into_the_standards_codes():
    assert set(standards.OCDS_PARTY_ROLE) == set(PartyRole)
    assert set(standards.IATI_ORGANISATION_ROLE) == set(PartyRole)
    assert set(standards.GLEIF_VALIDATION_SOURCES) == set(Corroboration)
    assert {code for code in standards.OCDS_PARTY_ROLE.values() if code} <= OCDS_PARTY_ROLES
    assert {code for code in standards.IATI_ORGANISATION_ROLE.values() if code} <= {"1", "2", "3", "4"}


def test_the_partnership_json_carries_the_codes_beside_ours():
    coop = CooperativeFactory()
    partnership = PartnershipFactory(initiator=coop, parties=[coop])
    PartyFactory(partnership=partnership, organisation=PartnerFactory(), role=PartyRole.FUNDER)

    body = Client().get(f"/api/v1/partnerships/{partnership.reference}/").json()

    assert [(p["role"], p["ocds_role"], p["iati_role"]) for p in body["parties"]] == [
        ("initiator", None, "2"), ("funder", "funder", "1"),
    ]  # fmt: skip
    assert (body["corroboration"], body["gleif_validation_sources"]) == ("confirmed", "PARTIALLY_CORROBORATED")
