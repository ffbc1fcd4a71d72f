"""The verified members of each federation by name, kept by PostgreSQL as memberships
and cooperatives change, for a visitor's page of a federation's members
(registry.views.CooperativeMembersView, registry.models.kept_member_page).

A federation's members page shows 50 of its verified active members by name and how
many there are. The largest federations have 3,000-3,500 members: finding them read
each member's cooperative row (its name to sort by, its verification to count it), a
lookup per member: 15 ms for the largest at 250,000 cooperatives, half of the page's
cold time. `registry_memberrow` holds one row per federation and verified active
member with the member's name, indexed in the page's order: the page is a walk of
the index, the count one of the same index's entries, with no cooperative read but
the 50 shown.

Who keeps the rows: row triggers on the memberships (a membership added, ended,
moved or removed) and on the cooperatives (a name or a verification changed), in
the writing statement, whatever writes (a service, the admin, an import, SQL by
hand). A membership's trigger takes the member's row FOR SHARE before it reads the
member, so a membership written while the member's verification changes waits for
that change and reads it. TRUNCATE of either table empties them. A write that goes
around the triggers (seed_scale's bulk load) calls registry_member_rows_rebuild()
after (registry.services.kept_rows_rebuild). SQLite (development and tests) has none
of it: the page reads the memberships and cooperatives.
"""

from django.db import migrations

ROWS = "registry_memberrow"

TABLE = f"""
CREATE TABLE {ROWS} (
    federation_id bigint NOT NULL,
    member_id bigint NOT NULL,
    name varchar(200) NOT NULL,
    PRIMARY KEY (federation_id, member_id)
)
"""

# Made again by the rebuild after its rows are in.
INDEXES = [
    f"CREATE INDEX IF NOT EXISTS member_row_order ON {ROWS} (federation_id, name, member_id)",
    f"CREATE INDEX IF NOT EXISTS member_row_member ON {ROWS} (member_id)",
]

# A federation's verified active members, as the rows hold them.
FRESH = """
    SELECT DISTINCT m.federation_id, m.member_id, c.name
    FROM registry_membership m JOIN registry_cooperative c ON c.id = m.member_id
    WHERE m.end_date IS NULL AND c.verification = 'verified'
"""

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION registry_member_row_of(federation bigint, member bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM registry_cooperative WHERE id = member FOR SHARE;
    DELETE FROM {ROWS} WHERE federation_id = federation AND member_id = member;
    INSERT INTO {ROWS} (federation_id, member_id, name)
        SELECT federation, c.id, c.name FROM registry_cooperative c
        WHERE c.id = member AND c.verification = 'verified' AND EXISTS (
            SELECT 1 FROM registry_membership m
            WHERE m.federation_id = federation AND m.member_id = member AND m.end_date IS NULL
        );
END
$$;

CREATE OR REPLACE FUNCTION registry_member_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM registry_member_row_of(OLD.federation_id, OLD.member_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM registry_member_row_of(NEW.federation_id, NEW.member_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_member_rows_of_cooperative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {ROWS} WHERE member_id = NEW.id;
    IF NEW.verification = 'verified' THEN
        INSERT INTO {ROWS} (federation_id, member_id, name)
            SELECT DISTINCT m.federation_id, NEW.id, NEW.name FROM registry_membership m
            WHERE m.member_id = NEW.id AND m.end_date IS NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_member_rows_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {ROWS};
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION registry_member_rows_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {ROWS};
    DROP INDEX IF EXISTS member_row_order, member_row_member;
    INSERT INTO {ROWS} (federation_id, member_id, name) {FRESH};
    {"; ".join(INDEXES)};
    ANALYZE {ROWS};
END
$$;
"""

TRIGGERS = f"""
CREATE TRIGGER registry_member_row_insert_delete AFTER INSERT OR DELETE ON registry_membership
    FOR EACH ROW EXECUTE FUNCTION registry_member_row();
CREATE TRIGGER registry_member_row_update AFTER UPDATE ON registry_membership
    FOR EACH ROW WHEN (OLD.federation_id IS DISTINCT FROM NEW.federation_id
        OR OLD.member_id IS DISTINCT FROM NEW.member_id
        OR OLD.end_date IS DISTINCT FROM NEW.end_date)
    EXECUTE FUNCTION registry_member_row();
CREATE TRIGGER registry_member_rows_cooperative AFTER UPDATE ON registry_cooperative
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.verification IS DISTINCT FROM NEW.verification)
    EXECUTE FUNCTION registry_member_rows_of_cooperative();
CREATE TRIGGER registry_member_rows_truncate AFTER TRUNCATE ON registry_membership
    FOR EACH STATEMENT EXECUTE FUNCTION registry_member_rows_truncate();
CREATE TRIGGER registry_member_rows_truncate AFTER TRUNCATE ON registry_cooperative
    FOR EACH STATEMENT EXECUTE FUNCTION registry_member_rows_truncate();
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's members page reads the memberships
    for statement in [TABLE, FUNCTIONS, TRIGGERS, "SELECT registry_member_rows_rebuild()"]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for trigger, table in (
        ("row_insert_delete", "registry_membership"),
        ("row_update", "registry_membership"),
        ("rows_truncate", "registry_membership"),
        ("rows_cooperative", "registry_cooperative"),
        ("rows_truncate", "registry_cooperative"),
    ):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_member_{trigger} ON {table}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {ROWS}")
    for function in (
        "registry_member_row_of(bigint, bigint)",
        "registry_member_row()",
        "registry_member_rows_of_cooperative()",
        "registry_member_rows_truncate()",
        "registry_member_rows_rebuild()",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0017_search_rows_province_index")]

    operations = [migrations.RunPython(add, remove)]
