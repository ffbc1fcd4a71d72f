"""The partnerships' page versions (kopnet.models.PageVersion): which pages a write to
a partnerships table changes (the builders: kopnet/migrations/0006_page_versions.py;
the registry's own: registry/migrations/0012_page_versions.py).

- A partnership's row: its page and the pages of its parties (their lists and
  networks show it).
- A party: the partnership's page and the pages of every party of it (old and new).
- Its objectives, fields and documents: its page. Objectives and fields: every
  profile ("r").
- What the registry's rows show here: a cooperative's or partner's name, address,
  tier, province, country or verification, on the pages of its partnerships and of
  their parties.
- The list of partnerships ("l"): a verified partnership's row, parties, objectives
  or fields, or the name of an organisation party to one. A pending partnership
  registered or edited is not on it.

A migration that rebuilds one of these tables on SQLite must put them back.
"""

import importlib

from django.db import migrations

pages = importlib.import_module("kopnet.migrations.0006_page_versions")

PARTIES_OF = (
    "SELECT 'c' || cooperative_id AS k FROM partnerships_partnershipparty WHERE partnership_id = {partnership}",
    "SELECT 'p' || partner_id AS k FROM partnerships_partnershipparty WHERE partnership_id = {partnership}",
)


def parties_of(partnership):
    return [select.replace("{partnership}", partnership) for select in PARTIES_OF]


def named(organisation, column):
    """The pages that name `organisation` (c or p) in a party: its partnerships and their parties'."""
    mine = f"FROM partnerships_partnershipparty AS mine WHERE mine.{column} = {{row}}.id"
    others = (
        "FROM partnerships_partnershipparty AS mine JOIN partnerships_partnershipparty AS other "
        f"ON other.partnership_id = mine.partnership_id WHERE mine.{column} = {{row}}.id"
    )
    return pages.page_triggers(
        f"kopnet_pages_{organisation}_parties",
        f"registry_{organisation}",
        own=[],
        shown=[
            f"SELECT 'k' || mine.partnership_id AS k {mine}",
            f"SELECT 'c' || other.cooperative_id AS k {others}",
            f"SELECT 'p' || other.partner_id AS k {others}",
            "SELECT 'l' AS k WHERE EXISTS (SELECT 1 FROM partnerships_partnershipparty AS mine "
            "JOIN partnerships_partnership AS listed ON listed.id = mine.partnership_id "
            f"WHERE mine.{column} = {{row}}.id AND listed.verification = 'verified')",
        ],
        columns=NAMED[organisation],
        insert_when="0 = 1",  # a new organisation is party to nothing yet
    )


# What a partnership's page and its parties' lists show of an organisation.
NAMED = {
    "cooperative": ["name", "short_name", "slug", "verification", "tier", "province_id", "country"],
    "partner": ["name", "slug", "verification", "kind", "province_id", "country"],
}

# On the list when verified.
LISTED = "SELECT 'l' AS k FROM partnerships_partnership WHERE id = {row}.partnership_id AND verification = 'verified'"

PARTNERSHIP = pages.page_triggers(
    "kopnet_pages_partnership",
    "partnerships_partnership",
    own=["SELECT 'k' || {row}.id AS k", *parties_of("{row}.id")],
    shown=["SELECT 'l' AS k WHERE {row}.verification = 'verified'"],
    columns=[
        "verification", "reference", "title", "description", "category", "international", "direction",
        "new_entity", "new_entity_name", "new_entity_kind", "start_date", "end_date", "value", "currency", "status",
        "initiator_id",
    ],
)  # fmt: skip
PARTY = pages.page_triggers(
    "kopnet_pages_party",
    "partnerships_partnershipparty",
    own=[
        "SELECT 'k' || {row}.partnership_id AS k",
        "SELECT 'c' || {row}.cooperative_id AS k",
        "SELECT 'p' || {row}.partner_id AS k",
        *parties_of("{row}.partnership_id"),
    ],
    shown=[LISTED],  # the list names the parties, not their answers
    columns=["partnership_id", "cooperative_id", "partner_id"],
)
OF_PARTNERSHIP = [
    pages.page_triggers(f"kopnet_pages_{table}", table, own=["SELECT 'k' || {row}.partnership_id AS k", *listed])
    for table, listed in (
        ("partnerships_partnership_objectives", [LISTED]),
        ("partnerships_partnership_fields", [LISTED]),
        ("partnerships_partnershipdocument", []),
    )
]
TERMS = [
    pages.page_triggers(f"kopnet_pages_{table}", table, own=["SELECT 'r' AS k"])
    for table in ("partnerships_objective", "partnerships_cooperationfield")
]


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0006_page_versions"),
        ("registry", "0012_page_versions"),
        ("partnerships", "0008_statistics_counts"),
    ]

    operations = [
        migrations.RunPython(*triggers)
        for triggers in (PARTNERSHIP, PARTY, *OF_PARTNERSHIP, *TERMS, named("cooperative", "cooperative_id"), named("partner", "partner_id"))
    ]
