"""The verified cooperatives' search rows, kept by PostgreSQL as the cooperatives change,
for a visitor's search of the list (registry.models.CooperativeSearchRow).

A common word ("harapan") matches some 30,000 of 250,000 cooperatives. Their trigram
index finds them, then PostgreSQL reads each match's row to test it again (the index
only says "maybe"), to count the matches and to sort them for the page: nearly every
block of the cooperatives' table (10,215 of 11,041, 340-byte rows) and three
upper-cased columns tested per match. `registry_cooperativesearchrow` holds, for each
verified cooperative, the columns the list filters and sorts on and one text to test,
`haystack`, already upper-cased: the name, short name and legal number joined by
\\x01: 6,216 blocks at 250,000 cooperatives. make bench's name search (PostgreSQL's
time for a search's queries, p50 over 60 texts) went from 23.5 ms (bench/RESULTS.md
at 56460b0) to 15.0 ms (at ae83a65).

Who keeps the rows: a row trigger on the cooperatives, in the writing statement
itself, whatever writes (a service, the admin, an import, a bulk UPDATE, SQL by hand).
A verified cooperative has its row, with its current values; any other has none.
Two writers of one cooperative already wait for each other on its row, and a row's
key is the cooperative's, so no lock is added. TRUNCATE empties them too. A write that
goes around the trigger (seed_scale disables them for its bulk load) calls
registry_search_rows_rebuild() after (registry.services.search_rows_rebuild). SQLite
(development and tests) has none of it: the search reads the cooperatives.
"""

from django.db import migrations, models

ROWS = "registry_cooperativesearchrow"

# The columns of a row, and the expressions that make them from a cooperative `c`.
COLUMNS = {
    "id": "{c}.id",
    "name": "{c}.name",
    "haystack": "UPPER({c}.name || E'\\x01' || {c}.short_name || E'\\x01' || {c}.legal_number)",
    "nik": "{c}.nik",
    "tier": "{c}.tier",
    "type": "{c}.type",
    "country": "{c}.country",
    "province_id": "{c}.province_id",
    "status": "{c}.status",
    "scope": "{c}.scope",
    "member_count": "{c}.member_count",
    "founded": "{c}.founded",
}
# The cooperative's columns the rows are made from (a change of any other leaves them).
READ = ("verification", "name", "short_name", "legal_number", "nik", "tier", "type", "country", "province_id",
        "status", "scope", "member_count", "founded")  # fmt: skip


def made_from(c):
    return ", ".join(expression.format(c=c) for expression in COLUMNS.values())


NAMES = ", ".join(COLUMNS)

TABLE = f"""
CREATE TABLE {ROWS} (
    id bigint PRIMARY KEY,
    name varchar(200) NOT NULL,
    haystack text NOT NULL,
    nik varchar(16),
    tier varchar(10) NOT NULL,
    type varchar(20) NOT NULL,
    country varchar(2) NOT NULL,
    province_id varchar(2),
    status varchar(20) NOT NULL,
    scope varchar(20) NOT NULL,
    member_count integer NOT NULL,
    founded date
)
"""

# Made again by the rebuild after its rows are in (an index filled row by row costs more).
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS coop_search_haystack ON {ROWS} USING gin (haystack gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS coop_search_nik ON {ROWS} (nik)",
]

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION registry_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.verification <> 'verified' THEN
        DELETE FROM {ROWS} WHERE id = OLD.id;
        RETURN NULL;
    END IF;
    INSERT INTO {ROWS} ({NAMES}) SELECT {made_from("NEW")}
    ON CONFLICT (id) DO UPDATE SET {", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS if name != "id")};
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_search_rows_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {ROWS};
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_search_rows_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {ROWS};
    DROP INDEX IF EXISTS coop_search_haystack, coop_search_nik;
    INSERT INTO {ROWS} ({NAMES})
        SELECT {made_from("c")} FROM registry_cooperative c WHERE c.verification = 'verified';
    {"; ".join(INDEXES)};
    ANALYZE {ROWS};
END
$$;
"""

CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in READ)
TRIGGERS = f"""
CREATE TRIGGER registry_search_row_insert AFTER INSERT ON registry_cooperative
    FOR EACH ROW WHEN (NEW.verification = 'verified') EXECUTE FUNCTION registry_search_row();
CREATE TRIGGER registry_search_row_update AFTER UPDATE ON registry_cooperative
    FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION registry_search_row();
CREATE TRIGGER registry_search_row_delete AFTER DELETE ON registry_cooperative
    FOR EACH ROW WHEN (OLD.verification = 'verified') EXECUTE FUNCTION registry_search_row();
CREATE TRIGGER registry_search_rows_truncate AFTER TRUNCATE ON registry_cooperative
    FOR EACH STATEMENT EXECUTE FUNCTION registry_search_rows_truncate();
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's search reads the cooperatives
    for statement in [TABLE, FUNCTIONS, TRIGGERS, "SELECT registry_search_rows_rebuild()"]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for trigger in ("row_insert", "row_update", "row_delete", "rows_truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_search_{trigger} ON registry_cooperative")
    schema_editor.execute(f"DROP TABLE IF EXISTS {ROWS}")
    for function in ("registry_search_row()", "registry_search_rows_truncate()", "registry_search_rows_rebuild()"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0015_suggestion_pool_index")]

    operations = [
        # The model reads the table; the table and what keeps it are PostgreSQL's alone.
        migrations.CreateModel(
            name="CooperativeSearchRow",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=200)),
                ("haystack", models.TextField()),
                ("nik", models.CharField(max_length=16, null=True)),
                ("tier", models.CharField(max_length=10)),
                ("type", models.CharField(max_length=20)),
                ("country", models.CharField(max_length=2)),
                ("status", models.CharField(max_length=20)),
                ("scope", models.CharField(max_length=20)),
                ("member_count", models.IntegerField()),
                ("founded", models.DateField(null=True)),
                (
                    "province",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="registry.province",
                    ),
                ),
            ],
            options={"db_table": ROWS, "ordering": ["name", "id"], "managed": False},
        ),
        migrations.RunPython(add, remove),
    ]
