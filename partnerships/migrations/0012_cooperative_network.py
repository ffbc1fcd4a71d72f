"""A visitor's partnership network of a cooperative, kept by PostgreSQL as the data changes.

The profile of a cooperative shows how many verified partnerships it has, with how many
other cooperatives and partners (COUNT DISTINCT over every party of them), up to 500 of
their party rows newest first (the network picture) and its 10 newest partnerships.
Counted afresh, the busiest cooperatives (6,900 partnerships, 20,000 party rows) took
370 ms of a cold page at 250,000 cooperatives and 1,000,000 partnerships: the aggregate,
then a sort of every party row by its partnership's start date.

PostgreSQL now keeps, for verified partnerships only (what a visitor sees):

- `partnerships_network_edge`: for each cooperative party C of a verified partnership P,
  one row per other party O of P (C, P's start date, P, O's id, O's cooperative or
  partner), and one row for C itself (its own party's id, no other organisation). The
  network's rows are an index walk on (C, start date, P, party) that stops at 500 and
  reads neither the edges nor the parties (the index holds the other organisation); the
  newest partnerships the same walk over C's own rows.
- `partnerships_network_total`: per cooperative with a verified partnership, the page's
  three totals, counted from its edges.

Who keeps them exact, whatever writes (a service, the admin, an import, a bulk UPDATE,
SQL by hand), as the statistics' counts are kept (0008_statistics_counts.py):

1. Statement triggers note the partnerships whose edges may have changed, in
   `partnerships_network_pending`: one inserted or deleted while verified, or whose
   verification or start date changed while verified before or after; the
   partnership of a party inserted or deleted, and both partnerships of a party whose
   partnership, cooperative or partner changed. TRUNCATE asks for everything.
   Organisations' own columns (a name, a verification) change no figure: the page
   reads names, and whether the reader may read them, from the organisations' rows.
2. At commit, a deferred constraint trigger takes the commit turn (kopnet_commit_turn(),
   kopnet/migrations/0006) and replaces the noted partnerships' edges with the ones the
   committed data and its own give, then counts again the totals of every cooperative
   whose edges it replaced. One transaction at a time, from data that holds every
   earlier commit: no two writers can each miss the other's change.

What it costs at 250,000 cooperatives and 1,000,000 partnerships: 7 million edges,
950 MB with their indexes, built in about 35 s; a write recounts a few edges at commit,
plus the totals of its cooperatives (up to 10 ms for the busiest ones).

SQLite (development and tests) has none of this: the page counts from the tables, as
it does for signed-in readers everywhere (officials also see their own pending
partnerships; curators everything). Writes that go around triggers (seed_scale
disables them for its bulk load) call partnerships_network_rebuild()
(partnerships.services.network_rebuild) after.
"""

from django.db import migrations

VERIFIED = "verified"  # kopnet.models.Verification.VERIFIED

EDGE = "partnerships_network_edge"
TOTAL = "partnerships_network_total"
PENDING = "partnerships_network_pending"

TABLES = f"""
CREATE TABLE {EDGE} (
    cooperative_id bigint NOT NULL,
    start_date date NOT NULL,
    partnership_id bigint NOT NULL,
    party_id bigint NOT NULL,
    other_cooperative_id bigint,
    other_partner_id bigint
);
CREATE TABLE {TOTAL} (
    cooperative_id bigint PRIMARY KEY,
    partnerships integer NOT NULL,
    cooperatives integer NOT NULL,
    partners integer NOT NULL
);
CREATE TABLE {PENDING} (
    ids bigint[],
    everything boolean NOT NULL DEFAULT false
);
"""

# The network's rows and the newest partnerships, newest first (the order the page
# shows them in), read from the index alone; the same index groups a cooperative's
# totals; the recount's lookup.
INDEXES = f"""
CREATE INDEX partnerships_network_edge_walk ON {EDGE} (cooperative_id, start_date DESC, partnership_id DESC, party_id)
    INCLUDE (other_cooperative_id, other_partner_id);
CREATE INDEX partnerships_network_edge_partnership ON {EDGE} (partnership_id);
"""
DROP_INDEXES = "DROP INDEX partnerships_network_edge_walk; DROP INDEX partnerships_network_edge_partnership;"


def edges(where):
    """The edges of the verified partnerships `p` that match `where`, as the page's rules
    give them: each cooperative party `c` to each other party `o`, and to itself."""
    return f"""
    SELECT c.cooperative_id, p.start_date, p.id, o.id,
        CASE WHEN o.id <> c.id THEN o.cooperative_id END, o.partner_id
    FROM partnerships_partnership p
    JOIN partnerships_partnershipparty c ON c.partnership_id = p.id AND c.cooperative_id IS NOT NULL
    JOIN partnerships_partnershipparty o ON o.partnership_id = p.id
    WHERE p.verification = '{VERIFIED}' AND {where}
    """


def totals(where):
    """The totals of the cooperatives whose edges match `where`: their partnerships (their
    own rows), and how many other cooperatives and partners (one group per organisation)."""
    return f"""
    SELECT cooperative_id, COALESCE(SUM(n) FILTER (WHERE other_cooperative_id IS NULL AND other_partner_id IS NULL), 0),
        COUNT(other_cooperative_id), COUNT(other_partner_id)
    FROM (
        SELECT cooperative_id, other_cooperative_id, other_partner_id, COUNT(*) AS n FROM {EDGE}
        WHERE {where} GROUP BY cooperative_id, other_cooperative_id, other_partner_id
    ) AS organisations
    GROUP BY cooperative_id
    """


COLUMNS = "cooperative_id, start_date, partnership_id, party_id, other_cooperative_id, other_partner_id"

FUNCTIONS = f"""
-- Count again the totals of these cooperatives from their edges.
CREATE FUNCTION partnerships_network_count(centres bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    DELETE FROM {TOTAL} t WHERE t.cooperative_id = ANY(centres)
        AND NOT EXISTS (SELECT FROM {EDGE} e WHERE e.cooperative_id = t.cooperative_id);
    INSERT INTO {TOTAL} AS kept (cooperative_id, partnerships, cooperatives, partners)
    {totals("cooperative_id = ANY(centres)")}
    ON CONFLICT (cooperative_id) DO UPDATE
        SET partnerships = excluded.partnerships, cooperatives = excluded.cooperatives, partners = excluded.partners
        WHERE (kept.partnerships, kept.cooperatives, kept.partners)
            IS DISTINCT FROM (excluded.partnerships, excluded.cooperatives, excluded.partners);
END $$;

-- Replace these partnerships' edges by what the data gives now, and count again the
-- totals of the cooperatives they had or have.
CREATE FUNCTION partnerships_network_recount(ids bigint[]) RETURNS void LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    centres bigint[];
BEGIN
    WITH gone AS (
        DELETE FROM {EDGE} WHERE partnership_id = ANY(ids) RETURNING cooperative_id
    ), added AS (
        INSERT INTO {EDGE} ({COLUMNS}) {edges("p.id = ANY(ids)")} RETURNING cooperative_id
    )
    SELECT array_agg(DISTINCT cooperative_id) INTO centres
    FROM (SELECT cooperative_id FROM gone UNION ALL SELECT cooperative_id FROM added) AS touched;
    IF centres IS NOT NULL THEN
        PERFORM partnerships_network_count(centres);
    END IF;
END $$;

-- Everything afresh, from the tables alone: emptied, filled without indexes, indexed
-- (7 million edges in about 30 s; filling the indexes row by row took several times
-- longer). Readers of the network wait for its commit: it serves seed_scale after its
-- bulk load and a TRUNCATE, which keeps every reader of the parties waiting anyway.
CREATE FUNCTION partnerships_network_rebuild() RETURNS void LANGUAGE plpgsql
SET work_mem = '256MB' SET maintenance_work_mem = '1GB' AS $$
BEGIN
    PERFORM kopnet_commit_turn();
    DELETE FROM {PENDING};
    {DROP_INDEXES}
    TRUNCATE {EDGE}, {TOTAL};
    INSERT INTO {EDGE} ({COLUMNS}) {edges("TRUE")};
    {INDEXES}
    INSERT INTO {TOTAL} (cooperative_id, partnerships, cooperatives, partners) {totals("TRUE")};
    ANALYZE {EDGE};
    ANALYZE {TOTAL};
END $$;

-- At commit: this transaction's noted partnerships (the first call takes them all; the
-- calls for its other pending rows find none).
CREATE FUNCTION partnerships_network_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    everything boolean;
    partnership_ids bigint[];
BEGIN
    PERFORM kopnet_commit_turn();
    WITH taken AS (
        DELETE FROM {PENDING} RETURNING *
    )
    SELECT
        (SELECT bool_or(t.everything) FROM taken t),
        (SELECT array_agg(DISTINCT id) FROM taken, unnest(ids) AS id)
    INTO everything, partnership_ids;
    IF everything THEN
        PERFORM partnerships_network_rebuild();
    ELSIF partnership_ids IS NOT NULL THEN
        PERFORM partnerships_network_recount(partnership_ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION partnerships_network_note(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(ids) > 0 THEN
        INSERT INTO {PENDING} (ids) VALUES (ids);
    END IF;
END $$;

CREATE FUNCTION partnerships_network_note_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {PENDING} (everything) VALUES (true);
    RETURN NULL;
END $$;

-- A partnership has edges only while verified: a row verified neither before nor after
-- a statement has none either way, and only its start date is copied into them.
CREATE FUNCTION partnerships_network_partnership() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM partnerships_network_note(ARRAY(SELECT id FROM new_rows WHERE verification = '{VERIFIED}'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partnerships_network_note(ARRAY(SELECT id FROM old_rows WHERE verification = '{VERIFIED}'));
    ELSE
        PERFORM partnerships_network_note(ARRAY(
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.verification = '{VERIFIED}' OR n.verification = '{VERIFIED}')
            AND (o.verification, o.start_date) IS DISTINCT FROM (n.verification, n.start_date)));
    END IF;
    RETURN NULL;
END $$;

-- Parties: their partnership, whatever its verification now (another transaction may be
-- verifying it; the recount at commit decides). A party's answer changes no edge.
CREATE FUNCTION partnerships_network_party() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM partnerships_network_note(ARRAY(SELECT DISTINCT partnership_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM partnerships_network_note(ARRAY(SELECT DISTINCT partnership_id FROM old_rows));
    ELSE
        PERFORM partnerships_network_note(ARRAY(
            SELECT DISTINCT both_sides.id FROM old_rows o JOIN new_rows n ON n.id = o.id,
            LATERAL (VALUES (o.partnership_id), (n.partnership_id)) AS both_sides (id)
            WHERE (o.partnership_id, o.cooperative_id, o.partner_id)
                IS DISTINCT FROM (n.partnership_id, n.cooperative_id, n.partner_id)));
    END IF;
    RETURN NULL;
END $$;
"""

# table: its function. Transition tables allow one event per trigger.
WATCHED = {
    "partnerships_partnership": "partnerships_network_partnership",
    "partnerships_partnershipparty": "partnerships_network_party",
}
TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
EVENTS = (*TRANSITIONS, "TRUNCATE")


def trigger_statements():
    statements = [
        f"CREATE CONSTRAINT TRIGGER partnerships_network AFTER INSERT ON {PENDING} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION partnerships_network_apply()"
    ]
    for table, function in WATCHED.items():
        for event, transition in TRANSITIONS.items():
            statements.append(
                f'CREATE TRIGGER partnerships_network_{event.lower()} AFTER {event} ON "{table}" '
                f"{transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        statements.append(
            f'CREATE TRIGGER partnerships_network_truncate AFTER TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION partnerships_network_note_all()"
        )
    return statements


# The first fill (the rebuild drops the indexes it makes).
FILL = [INDEXES, "SELECT partnerships_network_rebuild()"]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite counts the network from the tables (partnerships.selectors)
    for statement in [TABLES, FUNCTIONS, *trigger_statements(), *FILL]:
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED:
        for event in EVENTS:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS partnerships_network_{event.lower()} ON "{table}"')
    schema_editor.execute(f"DROP TABLE IF EXISTS {PENDING}, {TOTAL}, {EDGE}")
    for function in (
        "partnerships_network_apply()", "partnerships_network_rebuild()", "partnerships_network_recount(bigint[])",
        "partnerships_network_count(bigint[])", "partnerships_network_note(bigint[])",
        "partnerships_network_note_all()", "partnerships_network_partnership()", "partnerships_network_party()",
    ):  # fmt: skip
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")


class Migration(migrations.Migration):
    dependencies = [
        ("kopnet", "0006_page_versions"),
        ("partnerships", "0011_dashboard_indexes"),
    ]

    operations = [migrations.RunPython(add, remove)]
