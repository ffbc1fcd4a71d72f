"""The partnerships of each province, kept by PostgreSQL as the data changes, for the
public list filtered to a province.

The list's province filter is "a party (cooperative or partner) sits in the province":
a UNION of the party ids found through the cooperatives' and the partners' provinces.
PostgreSQL cannot combine that set with the conditions on the partnerships
(category, year, verified): at 250,000 cooperatives and 1,000,000 partnerships a
populous province's list took 530 ms for its rows and 420 ms for its count, cold.

Two tables now answer it:

- `partnerships_partnershipprovince` (partnerships.models.PartnershipProvince): one
  row per partnership and province where one of its parties sits, with the
  partnership's columns the list filters and sorts on (verification, category,
  direction, international, status, start and end date). Its index walks "province
  P, newest first", skipping the rows other filters leave out: the list's page
  joins the first 50 to their partnerships.
- `partnerships_province_count`: how many of those rows there are by province,
  verification, category, direction, international flag, status, start year and end
  year (9999: no end date; the list's years end at 2100). "Active in year Y" is
  "started in Y or before, ends in Y or later", so the list's count is a sum of a few
  hundred of these, where counting the rows of Jawa Timur (374,000) took 45 ms even
  from an index.

Who keeps them exact, whatever writes (a service, the admin, an import, a bulk
UPDATE, SQL by hand), as the statistics' counts are kept (0008_statistics_counts.py):

1. Statement triggers note in `partnerships_province_pending` what a statement may
   have changed: a partnership whose kept columns changed or that was deleted; the
   partnerships of a party added, removed or moved; a cooperative or partner whose
   province changed. TRUNCATE asks for everything again.
2. At commit, a deferred constraint trigger takes the commit turn
   (kopnet_commit_turn(): one committing writer at a time, reading every earlier
   commit) and makes the noted partnerships' rows again from the tables, changing the
   counts by what it removed and added. Two transactions that touch one partnership
   (one adds a party in Jawa Barat while the other changes its category) cannot each
   miss the other's change: whichever commits second makes the rows from both.

Nothing else writes them. SQLite (development and tests, a few thousand rows) has
none of it: the filter reads the parties there. A write that goes around the triggers
(seed_scale disables them for its bulk load) calls partnerships_province_rebuild()
after (partnerships.services.province_rows_rebuild). A later migration that renames a
table or column these functions read replaces them.
"""

import importlib

from django.db import migrations, models

# Its triggers are built as the statistics' are.
statistics = importlib.import_module("partnerships.migrations.0008_statistics_counts")

ROWS = "partnerships_partnershipprovince"
COUNT = "partnerships_province_count"
PENDING = "partnerships_province_pending"
# The deferred trigger that applies a transaction's notes (partnerships.selectors names it).
TRIGGER = "partnerships_provinces"
# The end year counted for a partnership without an end date.
OPEN_END = 9999

COLUMNS = "verification, category, direction, international, status"
COUNT_KEY = f"province_id, {COLUMNS}, start_year, end_year"
ROW_COLUMNS = f"partnership_id, province_id, {COLUMNS}, start_date, end_date"

TABLES = f"""
CREATE TABLE {ROWS} (
    partnership_id bigint NOT NULL,
    province_id varchar(2) NOT NULL,
    verification text NOT NULL,
    category text NOT NULL,
    direction text NOT NULL,
    international boolean NOT NULL,
    status text NOT NULL,
    start_date date NOT NULL,
    end_date date
);
CREATE TABLE {COUNT} (
    province_id varchar(2) NOT NULL,
    verification text NOT NULL,
    category text NOT NULL,
    direction text NOT NULL,
    international boolean NOT NULL,
    status text NOT NULL,
    start_year integer NOT NULL,
    end_year integer NOT NULL,
    count bigint NOT NULL,
    PRIMARY KEY ({COUNT_KEY})
);
CREATE TABLE {PENDING} (
    kind varchar(12) NOT NULL,
    ids bigint[]
);
"""

# The rows' key and index, made after the rows when they are all made again (the
# rebuild: 2.7 million rows at 1,000,000 partnerships took 54 s to insert into their
# indexes, 10 s to select).
INDEXES = f"""
ALTER TABLE {ROWS} ADD CONSTRAINT {ROWS}_pkey PRIMARY KEY (partnership_id, province_id);
-- A province's partnerships, newest (or oldest) first: the list's page is the first
-- rows that match. The other columns let the walk skip the rows that do not without
-- visiting the table (an index of category first as well cost 311 MB at 1,000,000
-- partnerships and saved nothing: the walk for a category in Jawa Timur, active in
-- 2019, reads 96 entries for 50 rows).
CREATE INDEX partnerships_province_start ON {ROWS}
    (province_id, start_date, partnership_id) INCLUDE (verification, category, end_date, direction, international, status);
"""
DROP_INDEXES = f"""
DROP INDEX partnerships_province_start;
ALTER TABLE {ROWS} DROP CONSTRAINT {ROWS}_pkey;
"""


def rows_of(where_party):
    """The rows of the partnerships whose parties `where_party` selects, from the tables.

    A party is exactly one cooperative or one partner (a check constraint), so its
    province is whichever of the two it has; a partnership is in a province once
    however many of its parties sit there.
    """
    return f"""
    SELECT DISTINCT p.id, COALESCE(c.province_id, r.province_id), p.verification, p.category, p.direction,
        p.international, p.status, p.start_date, p.end_date
    FROM partnerships_partnershipparty party
    JOIN partnerships_partnership p ON p.id = party.partnership_id
    LEFT JOIN registry_cooperative c ON c.id = party.cooperative_id
    LEFT JOIN registry_partner r ON r.id = party.partner_id
    WHERE COALESCE(c.province_id, r.province_id) IS NOT NULL AND {where_party}
    """


def counted(source, sign):
    """Change the counts by `sign` for each row of `source` (the rows removed or added)."""
    return f"""
    INSERT INTO {COUNT} AS kept ({COUNT_KEY}, count)
    SELECT province_id, {COLUMNS}, EXTRACT(YEAR FROM start_date)::integer,
        COALESCE(EXTRACT(YEAR FROM end_date)::integer, {OPEN_END}), {sign} * COUNT(*)
    FROM {source}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT ({COUNT_KEY}) DO UPDATE SET count = kept.count + excluded.count
    """


FUNCTIONS = f"""
-- Make these partnerships' rows again from the tables, and change the counts by the
-- difference. Generic plans: index lookups by id whatever the ids (as the statistics').
CREATE FUNCTION partnerships_province_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    -- Two statements: an insert may bring back the key of a row the delete removed.
    WITH gone AS (
        DELETE FROM {ROWS} WHERE partnership_id = ANY(ids) RETURNING *
    )
    {counted("gone", -1)};
    WITH added AS (
        INSERT INTO {ROWS} ({ROW_COLUMNS}) {rows_of("party.partnership_id = ANY(ids)")}
        RETURNING *
    )
    {counted("added", 1)};
END $$;

-- Everything made again, from the tables alone.
CREATE FUNCTION partnerships_province_rebuild() RETURNS void LANGUAGE plpgsql
SET work_mem = '256MB' SET maintenance_work_mem = '1GB' AS $$
BEGIN
    PERFORM kopnet_commit_turn();
    DELETE FROM {PENDING};
    -- As the kept network's rebuild: the rows without their key and index, which are
    -- built after (readers wait for this to commit).
    {DROP_INDEXES}
    TRUNCATE {ROWS}, {COUNT};
    INSERT INTO {ROWS} ({ROW_COLUMNS}) {rows_of("TRUE")};
    {INDEXES}
    {counted(ROWS, 1)};
    ANALYZE {ROWS};
    ANALYZE {COUNT};
END $$;

-- At commit: this transaction's notes, applied (the first call takes them all; the
-- calls for its other pending rows find none).
CREATE FUNCTION partnerships_province_apply() RETURNS trigger LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    everything boolean;
    partnership_ids bigint[];
    cooperative_ids bigint[];
    partner_ids bigint[];
BEGIN
    PERFORM kopnet_commit_turn();
    WITH taken AS (
        DELETE FROM {PENDING} RETURNING *
    )
    SELECT
        (SELECT bool_or(kind = 'all') FROM taken),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id WHERE kind = 'partnership'),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id WHERE kind = 'cooperative'),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id WHERE kind = 'partner')
    INTO everything, partnership_ids, cooperative_ids, partner_ids;
    IF everything THEN
        PERFORM partnerships_province_rebuild();
        RETURN NULL;
    END IF;
    -- An organisation that moved province: its partnerships as they are now, those
    -- committed before this one included.
    IF cooperative_ids IS NOT NULL OR partner_ids IS NOT NULL THEN
        SELECT array_agg(DISTINCT id) INTO partnership_ids FROM (
            SELECT unnest(partnership_ids) AS id
            UNION ALL
            SELECT partnership_id FROM partnerships_partnershipparty WHERE cooperative_id = ANY(cooperative_ids)
            UNION ALL
            SELECT partnership_id FROM partnerships_partnershipparty WHERE partner_id = ANY(partner_ids)
        ) AS noted;
    END IF;
    IF partnership_ids IS NOT NULL THEN
        PERFORM partnerships_province_refresh(partnership_ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_province_note(kind text, ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF kind = 'all' OR cardinality(ids) > 0 THEN
        INSERT INTO {PENDING} (kind, ids) VALUES (kind, ids);
    END IF;
END $$;

CREATE FUNCTION partnerships_province_note_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM partnerships_province_note('all', NULL);
    RETURN NULL;
END $$;

-- A new partnership has no parties yet: its party rows note it.
CREATE FUNCTION partnerships_province_partnership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM partnerships_province_note('partnership', ARRAY(SELECT id FROM old_rows));
    ELSE
        PERFORM partnerships_province_note('partnership', ARRAY(
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.verification, o.category, o.direction, o.international, o.status, o.start_date, o.end_date)
                IS DISTINCT FROM
                (n.verification, n.category, n.direction, n.international, n.status, n.start_date, n.end_date)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_province_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM partnerships_province_note('partnership', ARRAY(SELECT DISTINCT partnership_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partnerships_province_note('partnership', ARRAY(SELECT DISTINCT partnership_id FROM old_rows));
    ELSE
        -- A party's answer (the commonest update) changes none of these.
        PERFORM partnerships_province_note('partnership', ARRAY(
            SELECT DISTINCT both_sides.id FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (o.partnership_id), (n.partnership_id)) AS both_sides (id)
            WHERE (o.partnership_id, o.cooperative_id, o.partner_id)
                IS DISTINCT FROM (n.partnership_id, n.cooperative_id, n.partner_id)));
    END IF;
    RETURN NULL;
END $$;

-- A cooperative or partner (TG_ARGV[0]) that moved province.
CREATE FUNCTION partnerships_province_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM partnerships_province_note(TG_ARGV[0], ARRAY(
        SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.province_id IS DISTINCT FROM n.province_id));
    RETURN NULL;
END $$;
"""

# table: (its function with arguments, the events it watches). A new cooperative or
# partner is party to nothing yet, and one that is cannot be deleted (PROTECT).
WATCHED = {
    "partnerships_partnership": ("partnerships_province_partnership()", ("UPDATE", "DELETE")),
    "partnerships_partnershipparty": ("partnerships_province_party()", ("INSERT", "UPDATE", "DELETE")),
    "registry_cooperative": ("partnerships_province_organisation('cooperative')", ("UPDATE",)),
    "registry_partner": ("partnerships_province_organisation('partner')", ("UPDATE",)),
}


def trigger_statements():
    return statistics.noting_triggers(
        TRIGGER, PENDING, "partnerships_province_apply()", "partnerships_province_note_all()", WATCHED
    )


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite reads the parties (partnerships.filters)
    for statement in [TABLES, INDEXES, FUNCTIONS, *trigger_statements(), "SELECT partnerships_province_rebuild()"]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statistics.dropped_noting_triggers(TRIGGER, WATCHED):
        schema_editor.execute(statement)
    schema_editor.execute(f"DROP TABLE IF EXISTS {PENDING}, {COUNT}, {ROWS}")
    for function in (
        "partnerships_province_refresh(bigint[])", "partnerships_province_rebuild()", "partnerships_province_apply()",
        "partnerships_province_note(text, bigint[])", "partnerships_province_note_all()",
        "partnerships_province_partnership()", "partnerships_province_party()", "partnerships_province_organisation()",
    ):  # fmt: skip
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0006_page_versions"),
        ("registry", "0015_suggestion_pool_index"),
        ("partnerships", "0012_cooperative_network"),
    ]

    operations = [
        # The model reads the table; the table and what keeps it are PostgreSQL's alone.
        migrations.CreateModel(
            name="PartnershipProvince",
            fields=[
                ("pk", models.CompositePrimaryKey("partnership", "province", blank=True, editable=False, primary_key=True, serialize=False)),
                ("verification", models.TextField()),
                ("category", models.TextField()),
                ("direction", models.TextField()),
                ("international", models.BooleanField()),
                ("status", models.TextField()),
                ("start_date", models.DateField()),
                ("end_date", models.DateField(null=True)),
            ],
            options={"db_table": ROWS, "managed": False},
        ),
        migrations.RunPython(add, remove),
    ]
