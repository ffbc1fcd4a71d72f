"""Hand-written queries that PostgreSQL plans once per connection, not on every request.

The profiles' hand-written queries join the cooperatives (a table of some twenty
indexes) to memberships, parties and partnerships: PostgreSQL took longer to plan
them than to run them (EXPLAIN on kopnet_bench, the busiest cooperative's page: the
federations above it 2.15 ms to plan, 0.26 to run; its newest partnerships 1.95 and
0.67). A query run through execute_prepared() is PREPAREd once on each connection
under a name made from its text, then EXECUTEd with the request's parameters:
PostgreSQL plans it afresh for its first five runs and then keeps a generic plan if
that costs no more (its plan cache). Only queries whose best plan does not depend on
their parameters belong here: a cooperative's own rows, found by its key.

The statement is kept by the PostgreSQL session, whatever becomes of the transaction
that prepared it; a connection opened afresh prepares it again. Behind a pooler that
hands a session's statements to other clients (PgBouncer in transaction mode), turn
it off with KOPNET_PREPARED_QUERIES=False. SQLite runs the query as it is.
"""

import hashlib
import re

from django.conf import settings

# Client-side placeholders, and a percent sign written twice for them.
PLACEHOLDERS = re.compile(r"%s|%%")


def execute_prepared(cursor, sql, params):
    """cursor.execute(sql, params) (a Django cursor; `sql` with %s placeholders), from
    a statement PostgreSQL prepared on this connection."""
    wrapper = cursor.db
    if wrapper.vendor != "postgresql" or not settings.KOPNET_PREPARED_QUERIES:
        cursor.execute(sql, params)
        return
    name = "kn_" + hashlib.blake2s(sql.encode(), digest_size=10).hexdigest()
    raw = wrapper.connection
    prepared = getattr(wrapper, "kopnet_prepared", None)
    if prepared is None or prepared[0] is not raw:  # a new connection knows none
        prepared = wrapper.kopnet_prepared = (raw, set())
    if name not in prepared[1]:
        numbers = iter(range(1, len(params) + 1))
        text = PLACEHOLDERS.sub(lambda found: "%" if found[0] == "%%" else f"${next(numbers)}", sql)
        # On the connection itself: the PREPARE is not one of the request's queries
        # (query counts, debug logs), and it holds in whatever transaction runs.
        raw.execute(f"PREPARE {name} AS {text}")
        prepared[1].add(name)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    cursor.execute(f"EXECUTE {name}{arguments}", params)
