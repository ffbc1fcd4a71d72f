"""The numbers of the statistics page, kept by PostgreSQL as the data changes.

Counting them afresh (COUNT DISTINCT over every party of every verified partnership)
took 1.4 s at 500,000 partnerships. PostgreSQL now keeps every number the page shows
in `partnerships_statistics_count` (dimension, value, count): verified partnerships
in all, international, by category, direction, start year, field of cooperation and
province of a party; verified cooperatives in all, by tier, type and province. The
page reads those rows (partnerships.selectors.statistics_counts).

Who keeps them exact, whatever writes (a service, the admin, an import, a bulk
UPDATE, SQL by hand):

1. Statement triggers on the tables the numbers come from note what a statement
   changed, in `partnerships_statistics_pending`: the partnerships to count again
   (one whose verification, category, direction, international flag or start date
   changed; one whose fields or parties changed; every partnership of a cooperative
   or partner that moved province), and, for the cooperatives' own numbers, the
   exact change (+1 to the new tier, -1 to the old one) read from the statement's
   old and new rows. TRUNCATE asks for everything to be counted again.
2. At commit, a deferred constraint trigger on the pending rows applies them. It
   first takes its turn: the data version row 1 (kopnet/migrations/0001: every
   writing transaction updates it at commit, so commits that write already pass one
   at a time), then an advisory lock of its own (which holds where row 1 is missing,
   as in a test's emptied database), always in that order. Then it counts each
   noted partnership again from the committed data and its own, and changes the
   counts by the difference from what that partnership added before
   (`partnerships_statistics_contribution` remembers, per verified partnership, the
   ids of the counts it adds).

Why at commit, behind row 1: the counts are then changed by one transaction at a
time, from data that holds every earlier commit. A writer never holds a count row
while it still works (no queue on the hot rows such as "verified partnerships in
all", no deadlock between two writers taking two counts in opposite orders), and no
two transactions can each miss the other's change (one adds a party in Jawa Barat
while the other verifies the partnership: whichever commits second counts both).
Counting a partnership again is idempotent, so noting it twice costs nothing wrong.

What it costs, at 250,000 cooperatives and 1,000,000 partnerships on two shared
cores: the page reads about 130 rows; a write that changes no number (a phone number,
a party's answer, a title) runs its statement trigger and nothing at commit; a
partnership verified or rejected commits 1 to 2 ms later; the cooperative with the
most partnerships (6,940) moving province takes 1.5 s at its commit; an UPDATE of the
start date of 100,000 partnerships 6.4 s. The remembered contributions take 100 MB.

SQLite (development and tests) has none of this: it counts with plain queries.
Writes that go around triggers (seed_scale disables them for its bulk load) call
partnerships_statistics_rebuild() (partnerships.services.statistics_recount) after.
A later migration that renames a table or column these functions read, or adds a
table the numbers come from, replaces them.
"""

from django.db import migrations

VERIFIED = "verified"  # kopnet.models.Verification.VERIFIED

COUNT = "partnerships_statistics_count"
CONTRIBUTION = "partnerships_statistics_contribution"
PENDING = "partnerships_statistics_pending"
# The advisory lock key of the turn to change the counts (any constant no other code uses).
TURN = 20260802

TABLES = f"""
CREATE TABLE {COUNT} (
    id serial PRIMARY KEY,
    dimension varchar(30) NOT NULL,
    value varchar(64) NOT NULL,
    count bigint NOT NULL DEFAULT 0,
    UNIQUE (dimension, value)
);
CREATE TABLE {CONTRIBUTION} (
    partnership_id bigint PRIMARY KEY,
    counts integer[] NOT NULL
);
CREATE TABLE {PENDING} (
    kind varchar(12) NOT NULL,
    ids bigint[],
    dimension varchar(30),
    value varchar(64),
    delta bigint
);
"""


def own_keys(where_partnership):
    """(partnership_id, dimension, value) of the counts a verified partnership `p` adds by its own columns."""
    return f"""
    SELECT p.id AS partnership_id, k.dimension, k.value
    FROM partnerships_partnership p
    CROSS JOIN LATERAL (VALUES
        ('partnerships', ''),
        ('international', CASE WHEN p.international THEN '' END),
        ('category', p.category),
        ('direction', p.direction),
        ('year', EXTRACT(YEAR FROM p.start_date)::integer::text)
    ) AS k (dimension, value)
    WHERE p.verification = '{VERIFIED}' AND k.value IS NOT NULL AND {where_partnership}
    """


def partnership_keys(where_partnership, where_link, where_party):
    """(partnership_id, dimension, value): the counts each verified partnership adds.

    The page's rules, once: a partnership counts in all, in its category, its
    direction ('' is "not given"), its start year, as international when it is, in
    each of its fields, and in each province where one of its parties (cooperative
    or partner) sits, once however many parties sit there.
    """
    return f"""
    {own_keys(where_partnership)}
    UNION ALL
    SELECT link.partnership_id, 'field', link.cooperationfield_id::text
    FROM partnerships_partnership_fields link
    JOIN partnerships_partnership p ON p.id = link.partnership_id
    WHERE p.verification = '{VERIFIED}' AND {where_link}
    UNION ALL
    SELECT DISTINCT party.partnership_id, 'province', COALESCE(c.province_id, r.province_id)
    FROM partnerships_partnershipparty party
    JOIN partnerships_partnership p ON p.id = party.partnership_id
    LEFT JOIN registry_cooperative c ON c.id = party.cooperative_id
    LEFT JOIN registry_partner r ON r.id = party.partner_id
    WHERE p.verification = '{VERIFIED}' AND COALESCE(c.province_id, r.province_id) IS NOT NULL AND {where_party}
    """


def cooperative_keys(alias):
    """(dimension, value) rows of the counts a verified cooperative `alias` adds."""
    return f"""
    CROSS JOIN LATERAL (VALUES
        ('cooperatives', ''), ('tier', {alias}.tier), ('type', {alias}.type),
        ('cooperative_province', {alias}.province_id)
    ) AS k (dimension, value)
    WHERE {alias}.verification = '{VERIFIED}' AND k.value IS NOT NULL
    """


def cooperative_changes(*sides):
    """The change of the cooperatives' counts from a statement's old (-1) and new (+1) rows."""
    parts = " UNION ALL ".join(
        f"SELECT k.dimension, k.value, {sign} AS delta FROM {table} {alias} {cooperative_keys(alias)}"
        for table, alias, sign in sides
    )
    return f"""
    INSERT INTO {PENDING} (kind, dimension, value, delta)
    SELECT 'count', dimension, value, SUM(delta) FROM ({parts}) AS changes
    GROUP BY dimension, value HAVING SUM(delta) <> 0;
    """


FUNCTIONS = f"""
-- This transaction's turn to change the counts, kept until it ends: from here on it
-- is the only one changing them, and it reads every earlier commit. First the row
-- every writing transaction updates at commit (kopnet_data_version; usually held
-- already), so that the order of the two locks is always the same; then a lock of
-- its own, which holds even where that row is missing (a test's emptied database).
CREATE FUNCTION partnerships_statistics_turn() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM kopnet_dataversion WHERE id = 1 FOR UPDATE;
    PERFORM pg_advisory_xact_lock({TURN});
END $$;

CREATE FUNCTION partnerships_statistics_keys(ids bigint[])
RETURNS TABLE (partnership_id bigint, dimension text, value text) LANGUAGE sql STABLE AS $$
{partnership_keys("p.id = ANY(ids)", "link.partnership_id = ANY(ids)", "party.partnership_id = ANY(ids)")}
$$;

-- Count these partnerships again: change the counts by the difference between what
-- each adds now and what it added when last counted. Generic plans: planning its two
-- statements for each commit's ids cost 4 ms of a recount's 4.5 (index lookups by id
-- whatever the ids; 50,000 at once take 4.5 s instead of 4.0).
CREATE FUNCTION partnerships_statistics_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    -- The counts they may add that have no row yet (a new year, a first partnership
    -- in a province), in a statement of its own so that the next one sees their ids:
    -- every province and field (a party's province and a field are one of those rows),
    -- rather than these partnerships' parties, which the next statement reads anyway
    -- (reading them twice cost 0.8 s of 3.4 when a cooperative with 6,940
    -- partnerships moved province).
    INSERT INTO {COUNT} (dimension, value)
    SELECT DISTINCT k.dimension, k.value FROM (
        SELECT 'province' AS dimension, code::text AS value FROM registry_province
        UNION ALL
        SELECT 'field', id::text FROM partnerships_cooperationfield
        UNION ALL
        SELECT dimension, value FROM ({own_keys("p.id = ANY(ids)")}) AS own
    ) AS k
    WHERE NOT EXISTS (SELECT FROM {COUNT} c WHERE c.dimension = k.dimension AND c.value = k.value)
    ON CONFLICT DO NOTHING;
    -- One statement: every part reads the data as it was before it.
    WITH fresh AS (
        SELECT k.partnership_id, array_agg(c.id ORDER BY c.id) AS counts
        FROM partnerships_statistics_keys(ids) k
        JOIN {COUNT} c ON c.dimension = k.dimension AND c.value = k.value
        GROUP BY k.partnership_id
    ), stale AS (
        SELECT partnership_id, counts FROM {CONTRIBUTION} WHERE partnership_id = ANY(ids)
    ), changes AS (
        SELECT id, SUM(delta) AS delta FROM (
            SELECT unnest(counts) AS id, 1 AS delta FROM fresh
            UNION ALL
            SELECT unnest(counts), -1 FROM stale
        ) AS both_sides GROUP BY id HAVING SUM(delta) <> 0
    ), counted AS (
        UPDATE {COUNT} c SET count = c.count + changes.delta FROM changes WHERE c.id = changes.id
    ), gone AS (
        DELETE FROM {CONTRIBUTION} WHERE partnership_id IN (
            SELECT partnership_id FROM stale EXCEPT SELECT partnership_id FROM fresh
        )
    )
    INSERT INTO {CONTRIBUTION} AS kept (partnership_id, counts)
    SELECT partnership_id, counts FROM fresh
    ON CONFLICT (partnership_id) DO UPDATE SET counts = excluded.counts WHERE kept.counts <> excluded.counts;
END $$;

-- Everything counted afresh, from the tables alone.
CREATE FUNCTION partnerships_statistics_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM partnerships_statistics_turn();
    DELETE FROM {PENDING};
    -- DELETE, not TRUNCATE: readers keep the old numbers until this commits.
    DELETE FROM {CONTRIBUTION};
    DELETE FROM {COUNT};
    INSERT INTO {COUNT} (dimension, value, count)
    SELECT dimension, value, COUNT(*) FROM ({partnership_keys("TRUE", "TRUE", "TRUE")}) AS k
    GROUP BY dimension, value;
    INSERT INTO {COUNT} (dimension, value, count)
    SELECT k.dimension, k.value, COUNT(*) FROM registry_cooperative c {cooperative_keys("c")}
    GROUP BY k.dimension, k.value;
    INSERT INTO {CONTRIBUTION} (partnership_id, counts)
    SELECT k.partnership_id, array_agg(c.id ORDER BY c.id)
    FROM ({partnership_keys("TRUE", "TRUE", "TRUE")}) AS k
    JOIN {COUNT} c ON c.dimension = k.dimension AND c.value = k.value
    GROUP BY k.partnership_id;
END $$;

-- At commit: the pending changes of this transaction, applied (the first call takes
-- them all; the calls for its other pending rows find none).
CREATE FUNCTION partnerships_statistics_apply() RETURNS trigger LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    everything boolean;
    partnership_ids bigint[];
    cooperative_ids bigint[];
    partner_ids bigint[];
BEGIN
    PERFORM partnerships_statistics_turn();
    WITH taken AS (
        DELETE FROM {PENDING} RETURNING *
    ), counted AS (
        INSERT INTO {COUNT} AS c (dimension, value, count)
        SELECT dimension, value, SUM(delta) FROM taken WHERE kind = 'count'
        GROUP BY dimension, value HAVING SUM(delta) <> 0
        ON CONFLICT (dimension, value) DO UPDATE SET count = c.count + excluded.count
    )
    SELECT
        (SELECT bool_or(kind = 'all') FROM taken),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id WHERE kind = 'partnership'),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id WHERE kind = 'cooperative'),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id WHERE kind = 'partner')
    INTO everything, partnership_ids, cooperative_ids, partner_ids;
    IF everything THEN
        PERFORM partnerships_statistics_rebuild();
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
        PERFORM partnerships_statistics_recount(partnership_ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_statistics_note(kind text, ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF kind = 'all' OR cardinality(ids) > 0 THEN
        INSERT INTO {PENDING} (kind, ids) VALUES (kind, ids);
    END IF;
END $$;

CREATE FUNCTION partnerships_statistics_note_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM partnerships_statistics_note('all', NULL);
    RETURN NULL;
END $$;

-- A partnership counts only while verified: a row verified neither before nor after
-- a statement adds nothing either way.
CREATE FUNCTION partnerships_statistics_partnership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM partnerships_statistics_note('partnership', ARRAY(
            SELECT id FROM new_rows WHERE verification = '{VERIFIED}'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partnerships_statistics_note('partnership', ARRAY(
            SELECT id FROM old_rows WHERE verification = '{VERIFIED}'));
    ELSE
        PERFORM partnerships_statistics_note('partnership', ARRAY(
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.verification = '{VERIFIED}' OR n.verification = '{VERIFIED}')
            AND (o.verification, o.category, o.direction, o.international, o.start_date)
                IS DISTINCT FROM (n.verification, n.category, n.direction, n.international, n.start_date)));
    END IF;
    RETURN NULL;
END $$;

-- Fields and parties: their partnership, whatever its verification now (another
-- transaction may be verifying it; the count at commit decides).
CREATE FUNCTION partnerships_statistics_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM partnerships_statistics_note('partnership', ARRAY(SELECT DISTINCT partnership_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partnerships_statistics_note('partnership', ARRAY(SELECT DISTINCT partnership_id FROM old_rows));
    ELSE
        PERFORM partnerships_statistics_note('partnership', ARRAY(
            SELECT DISTINCT both_sides.id FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (o.partnership_id), (n.partnership_id)) AS both_sides (id)
            WHERE (o.partnership_id, o.cooperationfield_id)
                IS DISTINCT FROM (n.partnership_id, n.cooperationfield_id)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_statistics_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM partnerships_statistics_note('partnership', ARRAY(SELECT DISTINCT partnership_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partnerships_statistics_note('partnership', ARRAY(SELECT DISTINCT partnership_id FROM old_rows));
    ELSE
        -- A party's answer (the commonest update) changes none of these.
        PERFORM partnerships_statistics_note('partnership', ARRAY(
            SELECT DISTINCT both_sides.id FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (o.partnership_id), (n.partnership_id)) AS both_sides (id)
            WHERE (o.partnership_id, o.cooperative_id, o.partner_id)
                IS DISTINCT FROM (n.partnership_id, n.cooperative_id, n.partner_id)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_statistics_cooperative() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {cooperative_changes(("new_rows", "n", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {cooperative_changes(("old_rows", "o", -1))}
    ELSE
        {cooperative_changes(("old_rows", "o", -1), ("new_rows", "n", 1))}
        PERFORM partnerships_statistics_note('cooperative', ARRAY(
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.province_id IS DISTINCT FROM n.province_id));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_statistics_partner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM partnerships_statistics_note('partner', ARRAY(
        SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.province_id IS DISTINCT FROM n.province_id));
    RETURN NULL;
END $$;
"""

# table: (its function, the events it watches). Transition tables allow one event per trigger.
WATCHED = {
    "partnerships_partnership": ("partnerships_statistics_partnership()", ("INSERT", "UPDATE", "DELETE")),
    "partnerships_partnership_fields": ("partnerships_statistics_link()", ("INSERT", "UPDATE", "DELETE")),
    "partnerships_partnershipparty": ("partnerships_statistics_party()", ("INSERT", "UPDATE", "DELETE")),
    "registry_cooperative": ("partnerships_statistics_cooperative()", ("INSERT", "UPDATE", "DELETE")),
    "registry_partner": ("partnerships_statistics_partner()", ("UPDATE",)),
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def noting_triggers(name, pending, apply, note_all, watched):
    """The triggers of a table kept by notes (later kept tables use them too): the
    deferred trigger `name` that runs `apply` (a call, e.g. "f()") at commit for the
    notes inserted into `pending`, and for each watched table {table: (the call of its
    statement function, its events)} the statement triggers `name`_<event>, and
    `name`_truncate, which runs `note_all`."""
    statements = [
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT ON {pending} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {apply}"
    ]
    for table, (function, events) in watched.items():
        for event in events:
            statements.append(
                f'CREATE TRIGGER {name}_{event.lower()} AFTER {event} ON "{table}" '
                f"{TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}"
            )
        statements.append(
            f'CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {note_all}'
        )
    return statements


def dropped_noting_triggers(name, watched):
    """What drops noting_triggers()' statement triggers (the deferred one goes with its table)."""
    return [
        f'DROP TRIGGER IF EXISTS {name}_{event.lower()} ON "{table}"'
        for table, (_function, events) in watched.items()
        for event in (*events, "TRUNCATE")
    ]


def trigger_statements():
    return noting_triggers(
        "partnerships_statistics", PENDING, "partnerships_statistics_apply()", "partnerships_statistics_note_all()", WATCHED
    )


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite counts with plain queries (partnerships.selectors)
    for statement in [TABLES, FUNCTIONS, *trigger_statements(), "SELECT partnerships_statistics_rebuild()"]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in dropped_noting_triggers("partnerships_statistics", WATCHED):
        schema_editor.execute(statement)
    schema_editor.execute(f"DROP TABLE IF EXISTS {PENDING}, {CONTRIBUTION}, {COUNT}")
    for function in (
        "partnerships_statistics_apply()", "partnerships_statistics_rebuild()", "partnerships_statistics_turn()",
        "partnerships_statistics_recount(bigint[])", "partnerships_statistics_keys(bigint[])",
        "partnerships_statistics_note(text, bigint[])", "partnerships_statistics_note_all()",
        "partnerships_statistics_partnership()", "partnerships_statistics_link()",
        "partnerships_statistics_party()", "partnerships_statistics_cooperative()",
        "partnerships_statistics_partner()",
    ):  # fmt: skip
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0005_scoped_version_function"),
        ("registry", "0010_record_version"),
        ("partnerships", "0007_statistics_version"),
    ]

    operations = [migrations.RunPython(add, remove)]
