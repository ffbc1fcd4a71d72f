"""How KopNet's codes map to the standards other registries use, where they fit
(README, "Standards"): the open data (API, snapshots) carries these beside our own.

- A party's role → OCDS `partyRole` (Open Contracting Data Standard, codelist
  partyRole) and IATI `participating-org/@role` (codelist OrganisationRole: 1
  Funding, 2 Accountable, 3 Extending, 4 Implementing). None where no code means
  the same: OCDS describes procurement, and a cooperative's fellow member is no
  party role of a contract there.
- A partnership's corroboration → GLEIF's `ValidationSources` (the level of
  corroboration of a Legal Entity Identifier's record), which our levels follow.
"""

from partnerships.models import Corroboration, PartyRole

OCDS_PARTY_ROLE = {
    PartyRole.INITIATOR: None,
    PartyRole.MEMBER: None,
    PartyRole.SUPPLIER: "supplier",
    PartyRole.BUYER: "buyer",
    PartyRole.FUNDER: "funder",
    PartyRole.RECIPIENT: "payee",
    PartyRole.FACILITATOR: None,
}

IATI_ORGANISATION_ROLE = {
    PartyRole.INITIATOR: "2",  # Accountable: answers for the activity
    PartyRole.MEMBER: "4",  # Implementing
    PartyRole.SUPPLIER: "4",
    PartyRole.BUYER: "4",
    PartyRole.FUNDER: "1",  # Funding
    PartyRole.RECIPIENT: None,  # IATI names recipients elsewhere, not as a participating organisation
    PartyRole.FACILITATOR: "3",  # Extending: manages the activity for others
}

GLEIF_VALIDATION_SOURCES = {
    Corroboration.DECLARED: "ENTITY_SUPPLIED_ONLY",
    Corroboration.CONFIRMED: "PARTIALLY_CORROBORATED",
    Corroboration.DOCUMENTED: "FULLY_CORROBORATED",
}
