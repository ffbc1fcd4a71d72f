"""On PostgreSQL, a verified cooperative coded to another regency changes its
province's suggestions ("s<province>") without 0014's pool test.

The test counts, for each sector of the row, up to 200 cooperatives that rank above
it; at national scale (250,000 cooperatives) it cost 23 ms a row at commit, so coding
the typed regencies of a national registry (registry.services.regencies_match) took
about an hour and a half, nearly all of it in this trigger. A regency move is rare
after that one-off coding, and a province's suggestions rendered again for one is
cheap, so it no longer asks whether the row is in a pool (more rendering, never a
stale page); every other change keeps the exact test.

SQLite runs these triggers at each row (no deferred work to pile up at commit), and
its triggers cannot name OLD and NEW in one SELECT used for inserts and deletes too:
it keeps 0031's exact test.
"""

import importlib

from django.db import migrations

pool = importlib.import_module("registry.migrations.0014_suggestion_pool_versions")
previous = importlib.import_module("registry.migrations.0031_place_page_versions")

REGENCY_MOVED = (
    "(TG_OP = 'UPDATE' AND OLD.regency_place_id IS DISTINCT FROM NEW.regency_place_id"
    " AND {row}.verification = 'verified')"
)


def suggestions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The cheap test first: OR stops at the first true operand.
        condition = f"{REGENCY_MOVED} OR {pool.POSTGRES_CONDITION}"
        previous.remove_suggestions(apps, schema_editor)
        pool.suggestions(condition, columns=previous.COLUMNS)[0](apps, schema_editor)


def previous_suggestions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous.remove_suggestions(apps, schema_editor)
        previous.suggestions(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0031_place_page_versions")]

    operations = [migrations.RunPython(suggestions, previous_suggestions)]
