"""The registry's page versions (kopnet.models.PageVersion): which pages a write to a
registry table changes, so that a write empties only them (the builders:
kopnet/migrations/0006_page_versions.py; what partnerships' pages show of the
registry, partnerships/migrations/0009_page_versions.py).

- A cooperative's row: its own page; when a column that other pages show changes
  (SHOWN), its federations' member lists, their federations' member previews, the
  suggestions of its province and, above the primary tier, the federations ("f":
  trees and suggestions of higher tiers).
- Its sectors: its page and the suggestions it takes part in.
  (registry/migrations/0014_suggestion_pool_versions.py narrows "s<province>" to the
  cooperatives that are, or were, in a suggestion pool.)
- A membership: both cooperatives' pages, the previews of the federation's
  federations, and the trees ("f").
- A partner's row: its page. Provinces and sectors: every profile ("r").
- The lists of cooperatives ("lc") and partners ("lp"): a verified record's listed
  or searched column changed, or its sectors; the home page's summary ("h"): a
  verified cooperative's tier, type or province, a partner's verification. A
  pending record registered or edited is on none of them.

A migration that rebuilds one of these tables on SQLite must put them back.
"""

import importlib

from django.db import migrations

pages = importlib.import_module("kopnet.migrations.0006_page_versions")

# What other pages show of a cooperative: member lists and previews, trees, suggestions.
SHOWN = ["name", "short_name", "slug", "verification", "status", "tier", "type", "province_id", "member_count", "scope", "country"]

COOPERATIVE_SHOWN = [
    "SELECT 'c' || federation_id AS k FROM registry_membership WHERE member_id = {row}.id",
    "SELECT 'c' || above.federation_id AS k FROM registry_membership AS below "
    "JOIN registry_membership AS above ON above.member_id = below.federation_id WHERE below.member_id = {row}.id",
    "SELECT 's' || {row}.province_id AS k",
    "SELECT 'f' AS k WHERE {row}.tier <> 'primer'",
]
COOPERATIVE = pages.page_triggers(
    "kopnet_pages_cooperative",
    "registry_cooperative",
    own=["SELECT 'c' || {row}.id AS k"],
    shown=COOPERATIVE_SHOWN,
    columns=SHOWN,
    # A cooperative registered is pending: on no page but its own until verified.
    insert_when="{row}.verification = 'verified'",
)
SECTORS_OWN = [
    "SELECT 'c' || {row}.cooperative_id AS k",
    "SELECT 's' || province_id AS k FROM registry_cooperative WHERE id = {row}.cooperative_id",
    "SELECT 'f' AS k FROM registry_cooperative WHERE id = {row}.cooperative_id AND tier <> 'primer'",
]
SECTORS = pages.page_triggers("kopnet_pages_cooperative_sectors", "registry_cooperative_sectors", own=SECTORS_OWN)
MEMBERSHIP = pages.page_triggers(
    "kopnet_pages_membership",
    "registry_membership",
    own=[
        "SELECT 'c' || {row}.member_id AS k",
        "SELECT 'c' || {row}.federation_id AS k",
        "SELECT 'c' || federation_id AS k FROM registry_membership WHERE member_id = {row}.federation_id",
        "SELECT 'f' AS k",
    ],
)
PARTNER = pages.page_triggers("kopnet_pages_partner", "registry_partner", own=["SELECT 'p' || {row}.id AS k"])


def of_verified(key, table, columns):
    """Triggers that change `key` when a verified row's `columns` change (or one is
    verified, unverified, added verified or deleted)."""
    return pages.page_triggers(
        f"kopnet_pages_{table}_{key}",
        table,
        own=[],
        shown=[f"SELECT '{key}' AS k WHERE {{row}}.verification = 'verified'"],
        columns=["verification", *columns],
    )


# What the list of cooperatives shows or searches of each.
LISTED = [
    "name", "short_name", "slug", "tier", "type", "status", "province_id", "country", "regency", "founded",
    "member_count", "scope", "nik", "legal_number",
]  # fmt: skip
COOPERATIVE_LIST = of_verified("lc", "registry_cooperative", LISTED)
COOPERATIVE_SECTORS_LIST = pages.page_triggers(
    "kopnet_pages_cooperative_sectors_lc",
    "registry_cooperative_sectors",
    own=["SELECT 'lc' AS k FROM registry_cooperative WHERE id = {row}.cooperative_id AND verification = 'verified'"],
)
PARTNER_LIST = of_verified(
    "lp", "registry_partner", ["name", "slug", "kind", "country", "province_id", "registration_number"]
)
COOPERATIVE_SUMMARY = of_verified("h", "registry_cooperative", ["tier", "type", "province_id"])
PARTNER_SUMMARY = of_verified("h", "registry_partner", [])
PROVINCE = pages.page_triggers("kopnet_pages_province", "registry_province", own=["SELECT 'r' AS k"])
SECTOR = pages.page_triggers("kopnet_pages_sector", "registry_sector", own=["SELECT 'r' AS k"])


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0006_page_versions"),
        ("registry", "0010_record_version"),
    ]

    operations = [
        migrations.RunPython(*triggers)
        for triggers in (
            COOPERATIVE, SECTORS, MEMBERSHIP, PARTNER, PROVINCE, SECTOR,
            COOPERATIVE_LIST, COOPERATIVE_SECTORS_LIST, PARTNER_LIST, COOPERATIVE_SUMMARY, PARTNER_SUMMARY,
        )  # fmt: skip
    ]
