"""A cooperative changes its province's suggestions ("s<province>") only when it is,
or was, in a suggestion pool.

A cooperative's page suggests partners of its tier and province from a pool: the
SUGGESTION_POOL (200) largest verified, active cooperatives of that tier and province
that share a sector with it (partnerships.selectors.horizontal_suggestions). With
"s<province>" changed by any cooperative of the province, each cooperative verified
emptied every profile of its province (a Jawa province holds an eighth of them): at
ten writes a second the benchmark's profiles were rendered afresh on most requests
(coop_detail_random+writes10: 3 % of /healthz).

A cooperative Y can be in the pool of a cooperative X only if, in one sector s they
share, fewer than 200 of the verified, active cooperatives of that tier, province and
sector rank above Y (by members, then id): the pool ranks over a larger set, so Y's
rank there is no better. A write changes "s<province>" when the row before or after
it passes that test (IN_A_POOL), with the other rows as the transaction leaves them.
That is exact for a transaction that writes many cooperatives too (an import, a bulk
update): if a pool changed, either a written row is in it afterwards (its row after
the write passes), or a written row Z left it and no written row entered; then fewer
than 200 unwritten rows rank above Z's old place, and any written row that rose
above it would be in the pool afterwards, so Z's row before the write passes. The key
is the province's, not the sector's, so one passing row covers every pool of it.

The test reads the cooperative's sectors as the transaction leaves them, so where
that differs from before (PostgreSQL runs these triggers at commit; SQLite at each
row, exactly) three cases change the key whatever the test says: a verified
cooperative deleted, moved to another province or tier, or its sectors changed while
it is verified or after this transaction wrote it as verified (a row trigger that
runs at each write remembers that). A pending cooperative's sectors, as it is
registered, change no suggestions (they did: registry/migrations/0012).
"""

import importlib

from django.db import migrations

pages = importlib.import_module("kopnet.migrations.0006_page_versions")
previous = importlib.import_module("registry.migrations.0012_page_versions")

# partnerships.selectors.SUGGESTION_POOL when this was written (a migration keeps its value).
POOL = 200

IN_A_POOL = f"""{{row}}.verification = 'verified' AND {{row}}.status = 'aktif' AND EXISTS (
    SELECT 1 FROM registry_cooperative_sectors AS mine WHERE mine.cooperative_id = {{row}}.id AND (
        SELECT count(*) FROM (
            SELECT 1 FROM registry_cooperative AS other
            JOIN registry_cooperative_sectors AS theirs
                ON theirs.cooperative_id = other.id AND theirs.sector_id = mine.sector_id
            WHERE other.verification = 'verified' AND other.status = 'aktif' AND other.tier = {{row}}.tier
                AND other.province_id = {{row}}.province_id AND other.id <> {{row}}.id
                AND (other.member_count > {{row}}.member_count
                     OR (other.member_count = {{row}}.member_count AND other.id < {{row}}.id))
            LIMIT {POOL}
        ) AS above
    ) < {POOL}
)"""
# Set by a row trigger that runs at each write (not at commit): this transaction wrote
# a cooperative that was verified before the write (kopnet.cache.WROTE_VERIFIED, which
# forgets it once the deferred triggers ran in the middle of a transaction).
WROTE_VERIFIED = "kopnet.wrote_verified"
REMEMBER = f"""
CREATE OR REPLACE FUNCTION kopnet_remember_verified_cooperative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('{WROTE_VERIFIED}', '1', true);
    RETURN NULL;
END $$;
CREATE TRIGGER kopnet_remember_verified_cooperative AFTER UPDATE OR DELETE ON registry_cooperative
    FOR EACH ROW WHEN (OLD.verification = 'verified') EXECUTE FUNCTION kopnet_remember_verified_cooperative();
"""
MOVED_OR_DELETED = (
    "(TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.province_id, OLD.tier) IS DISTINCT FROM (NEW.province_id, NEW.tier)))"
    " AND {row}.verification = 'verified'"
)


def suggestions(condition, columns=previous.SHOWN):
    return pages.page_triggers(
        "kopnet_pages_cooperative_suggestions",
        "registry_cooperative",
        own=[],
        shown=[f"SELECT 's' || {{row}}.province_id AS k WHERE {condition}"],
        columns=columns,
        insert_when="{row}.verification = 'verified'",
    )


def sector_suggestions(condition):
    return pages.page_triggers(
        "kopnet_pages_cooperative_sectors_suggestions",
        "registry_cooperative_sectors",
        own=[f"SELECT 's' || province_id AS k FROM registry_cooperative WHERE id = {{row}}.cooperative_id AND {condition}"],
    )


POSTGRES_CONDITION = f"({MOVED_OR_DELETED}) OR ({IN_A_POOL})"
POSTGRES = (
    suggestions(POSTGRES_CONDITION),
    sector_suggestions(f"(verification = 'verified' OR current_setting('{WROTE_VERIFIED}', true) = '1')"),
)
SQLITE = (suggestions(IN_A_POOL), sector_suggestions("verification = 'verified'"))

# 0012's triggers of cooperatives and their sectors, without "s<province>".
COOPERATIVE = pages.page_triggers(
    "kopnet_pages_cooperative",
    "registry_cooperative",
    own=["SELECT 'c' || {row}.id AS k"],
    shown=[select for select in previous.COOPERATIVE_SHOWN if not select.startswith("SELECT 's'")],
    columns=previous.SHOWN,
    insert_when="{row}.verification = 'verified'",
)
SECTORS = pages.page_triggers(
    "kopnet_pages_cooperative_sectors",
    "registry_cooperative_sectors",
    own=[select for select in previous.SECTORS_OWN if not select.startswith("SELECT 's'")],
)


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMEMBER)
        triggers = POSTGRES
    else:
        triggers = SQLITE
    for add_triggers, _remove in triggers:
        add_triggers(apps, schema_editor)


def remove(apps, schema_editor):
    for _add, remove_triggers in POSTGRES:  # the same names on both
        remove_triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS kopnet_remember_verified_cooperative ON registry_cooperative")
        schema_editor.execute("DROP FUNCTION IF EXISTS kopnet_remember_verified_cooperative()")


class Migration(migrations.Migration):
    dependencies = [("registry", "0013_province_list_versions")]

    operations = [
        # 0012's triggers go (same names) and come back without "s<province>".
        migrations.RunPython(previous.COOPERATIVE[1], previous.COOPERATIVE[0]),
        migrations.RunPython(previous.SECTORS[1], previous.SECTORS[0]),
        migrations.RunPython(*COOPERATIVE),
        migrations.RunPython(*SECTORS),
        migrations.RunPython(add, remove),
    ]
