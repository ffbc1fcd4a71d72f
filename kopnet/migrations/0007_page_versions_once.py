"""A page version changes once per transaction, however many rows name its key.

kopnet_bump_pages() (0006_page_versions.py) runs once per written row, at commit. A
bulk UPDATE of 70,000 verified partnerships changed the key "l" (the partnership
list) 70,000 times in one transaction: each change of one row leaves a new version
of it that the next change must walk past, so the commit took 5 min 51 s (7,000
rows: 2.2 s), at 250,000 cooperatives and 1,000,000 partnerships. One new token per
key and transaction makes every page that shows the key unreachable just the same
(the token becomes visible at commit, with the data). The commit of the same UPDATE
now takes 12 s.

The tokens a transaction writes are md5(salt || key), with a random salt the
transaction draws at its first change (the setting kopnet.pages_salt, local to the
transaction): a key it changed already has that token, and is left alone. Still
random across transactions (a rolled-back write cannot bring an old token back).
A transaction that ran its deferred triggers early to read the versions
(kopnet.cache.run_deferred_triggers) forgets its salt with them: what it writes after
changes the keys again.
"""

from django.db import migrations

# kopnet.cache.run_deferred_triggers forgets it (kopnet.cache.PAGES_SALT).
SALT = "kopnet.pages_salt"

ONCE = f"""
CREATE OR REPLACE FUNCTION kopnet_bump_pages(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    salt text := current_setting('{SALT}', true);
BEGIN
    PERFORM kopnet_commit_turn();
    IF salt IS NULL OR salt = '' THEN
        salt := md5(random()::text || clock_timestamp()::text);
        PERFORM set_config('{SALT}', salt, true);
    END IF;
    INSERT INTO kopnet_pageversion AS kept (key, token)
    SELECT k, md5(salt || k)
    FROM (SELECT DISTINCT k FROM unnest(keys) AS k WHERE k IS NOT NULL) AS distinct_keys
    ORDER BY k
    ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token WHERE kept.token <> EXCLUDED.token;
END $$;
"""
# 0006's
EVERY_ROW = """
CREATE OR REPLACE FUNCTION kopnet_bump_pages(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kopnet_commit_turn();
    INSERT INTO kopnet_pageversion (key, token)
    SELECT k, md5(random()::text || clock_timestamp()::text)
    FROM (SELECT DISTINCT k FROM unnest(keys) AS k WHERE k IS NOT NULL) AS distinct_keys
    ORDER BY k
    ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token;
END $$;
"""


def replace(function):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(function)

    return run


class Migration(migrations.Migration):
    dependencies = [("kopnet", "0006_page_versions")]

    operations = [migrations.RunPython(replace(ONCE), replace(EVERY_ROW))]
