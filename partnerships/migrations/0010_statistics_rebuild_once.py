"""The statistics' full recount reads the partnerships' keys once, and the counts take
the one commit turn every trigger at commit takes.

partnerships_statistics_rebuild() (0008) read every verified partnership's keys twice:
once to count them, once to remember each partnership's contribution, each pass a
DISTINCT over 2.9 million parties that spilled to disk at the default work_mem. At
250,000 cooperatives and 1,000,000 partnerships it took 70 s of seed_scale's 192 s
(the issue allows 180). Reading the keys once into a temporary table, with memory
enough to sort them, takes about 21 s.

partnerships_statistics_turn() took the same two locks as kopnet_commit_turn()
(kopnet/migrations/0006: the data version's row, then advisory lock 20260802), written
out a second time; it now calls it, so that the turn is one function.
"""

import importlib
import re

from django.db import migrations

counts = importlib.import_module("partnerships.migrations.0008_statistics_counts")

KEYS = "partnerships_statistics_rebuilt"

REBUILD = f"""
CREATE OR REPLACE FUNCTION partnerships_statistics_rebuild() RETURNS void LANGUAGE plpgsql
SET work_mem = '256MB' AS $$
BEGIN
    PERFORM partnerships_statistics_turn();
    DELETE FROM {counts.PENDING};
    -- DELETE, not TRUNCATE: readers keep the old numbers until this commits.
    DELETE FROM {counts.CONTRIBUTION};
    DELETE FROM {counts.COUNT};
    DROP TABLE IF EXISTS pg_temp.{KEYS};
    CREATE TEMPORARY TABLE {KEYS} ON COMMIT DROP AS
    {counts.partnership_keys("TRUE", "TRUE", "TRUE")};
    INSERT INTO {counts.COUNT} (dimension, value, count)
    SELECT dimension, value, COUNT(*) FROM {KEYS} GROUP BY dimension, value;
    INSERT INTO {counts.COUNT} (dimension, value, count)
    SELECT k.dimension, k.value, COUNT(*) FROM registry_cooperative c {counts.cooperative_keys("c")}
    GROUP BY k.dimension, k.value;
    INSERT INTO {counts.CONTRIBUTION} (partnership_id, counts)
    SELECT k.partnership_id, array_agg(c.id ORDER BY c.id)
    FROM {KEYS} k JOIN {counts.COUNT} c ON c.dimension = k.dimension AND c.value = k.value
    GROUP BY k.partnership_id;
    DROP TABLE {KEYS};
END $$;
"""

TURN = """
CREATE OR REPLACE FUNCTION partnerships_statistics_turn() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kopnet_commit_turn();
END $$;
"""


def previous(name):
    """0008's definition of function `name`, to put back when migrating backwards."""
    found = re.search(rf"CREATE FUNCTION {name}\(\).*?END \$\$;", counts.FUNCTIONS, re.S)
    return found.group(0).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TURN)
        schema_editor.execute(REBUILD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in ("partnerships_statistics_turn", "partnerships_statistics_rebuild"):
            # RESET: 0008's function had no settings of its own.
            schema_editor.execute(previous(name))
            schema_editor.execute(f"ALTER FUNCTION {name}() RESET ALL")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0009_page_versions"),
        ("kopnet", "0006_page_versions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
