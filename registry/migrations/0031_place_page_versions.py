"""The pages that show or filter by a regency/city follow its code.

- A partner's list filtered by regency (?regency=32.04): "lp" changes when a verified
  partner's regency_place changes too.
- The statistics break a province down by regency: "h" changes when a verified
  cooperative's does.
- A cooperative's suggestions put the same regency first: "s<province>" changes when
  a cooperative in a pool moves to another regency (0014's test, one column more).
The lists of cooperatives need nothing new: a coded regency's name is written to the
listed `regency` column (registry.models.Cooperative.save), which "lc" follows.
"""

import importlib

from django.db import migrations

previous = importlib.import_module("registry.migrations.0012_page_versions")
pool = importlib.import_module("registry.migrations.0014_suggestion_pool_versions")

PARTNER_LIST = previous.of_verified(
    "lp", "registry_partner", ["name", "slug", "kind", "country", "province_id", "registration_number", "regency_place_id"]
)
COOPERATIVE_SUMMARY = previous.of_verified("h", "registry_cooperative", ["tier", "type", "province_id", "regency_place_id"])
COLUMNS = [*previous.SHOWN, "regency_place_id"]


def suggestions(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    add, _remove = pool.suggestions(pool.POSTGRES_CONDITION if postgres else pool.IN_A_POOL, columns=COLUMNS)
    add(apps, schema_editor)


def previous_suggestions(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    add, _remove = pool.suggestions(pool.POSTGRES_CONDITION if postgres else pool.IN_A_POOL)
    add(apps, schema_editor)


def remove_suggestions(apps, schema_editor):
    pool.suggestions("")[1](apps, schema_editor)  # by name: the same on both databases


class Migration(migrations.Migration):
    dependencies = [("registry", "0030_places_of_organisations")]

    operations = [
        # Each set of triggers goes (same names) and comes back with the regency's column.
        migrations.RunPython(previous.PARTNER_LIST[1], previous.PARTNER_LIST[0]),
        migrations.RunPython(*PARTNER_LIST),
        migrations.RunPython(previous.COOPERATIVE_SUMMARY[1], previous.COOPERATIVE_SUMMARY[0]),
        migrations.RunPython(*COOPERATIVE_SUMMARY),
        migrations.RunPython(remove_suggestions, previous_suggestions),
        migrations.RunPython(suggestions, remove_suggestions),
    ]
