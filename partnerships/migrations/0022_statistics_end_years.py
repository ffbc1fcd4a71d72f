"""The statistics' kept counts also count the verified partnerships by the year they
ended (dimension "end_year"; none for an open one), so that the statistics can show
how many were active in each year beside how many started (issue 13 §4) from the
same kept rows: active in year Y = started in Y or before, less those that ended
before Y (partnerships.selectors.active_years), the list's "active in year" rule.

0008's functions count a partnership again when its start date changes; they now
count its end year too, and again when its end date changes. Replaced here from
0008's and 0010's own text with the one more key, then every count is counted once
afresh (partnerships_statistics_rebuild(): about 21 s at 1,000,000 partnerships).
"""

import importlib

from django.db import migrations

counts = importlib.import_module("partnerships.migrations.0008_statistics_counts")
rebuilt = importlib.import_module("partnerships.migrations.0010_statistics_rebuild_once")

START_YEAR = "('year', EXTRACT(YEAR FROM p.start_date)::integer::text)"
END_YEAR = "('end_year', EXTRACT(YEAR FROM p.end_date)::integer::text)"
WATCHED_BEFORE = "(o.verification, o.category, o.direction, o.international, o.start_date)"
WATCHED_AFTER = "(n.verification, n.category, n.direction, n.international, n.start_date)"


def with_end_year(sql):
    """A function's text that counts the end year beside the start year, and counts a
    partnership again when its end date changes."""
    changed = sql.replace(START_YEAR, f"{START_YEAR},\n        {END_YEAR}")
    changed = changed.replace(WATCHED_BEFORE, WATCHED_BEFORE.replace(")", ", o.end_date)"))
    changed = changed.replace(WATCHED_AFTER, WATCHED_AFTER.replace(")", ", n.end_date)"))
    return changed


def defined(name, text):
    """Function `name`'s CREATE statement in `text`, as CREATE OR REPLACE."""
    start = text.index(f"CREATE FUNCTION {name}(")
    body = text.index("$$", start) + 2  # the body runs to the next $$ (none holds one)
    end = text.index("$$;", body) + len("$$;")
    return text[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


# The functions whose text holds the keys or the watched columns: 0008's, and 0010's rebuild.
FUNCTIONS = [
    defined("partnerships_statistics_keys", counts.FUNCTIONS),
    defined("partnerships_statistics_recount", counts.FUNCTIONS),
    defined("partnerships_statistics_partnership", counts.FUNCTIONS),
    rebuilt.REBUILD.strip(),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite counts with plain queries (partnerships.selectors)
    for sql in FUNCTIONS:
        changed = with_end_year(sql)
        assert changed != sql, "0008's text moved: the end year would not be counted"
        schema_editor.execute(changed, params=None)
    schema_editor.execute("SELECT partnerships_statistics_rebuild()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FUNCTIONS:
        schema_editor.execute(sql, params=None)
    schema_editor.execute("SELECT partnerships_statistics_rebuild()")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0021_corroboration"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
