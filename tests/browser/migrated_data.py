"""Keep the migrations' data (provinces, sectors, objectives, the curators' group) in
browser tests that follow another one.

A live_server test runs in a TransactionTestCase that flushes the database at the end;
serialized rollback puts the migrations' data back before the next test, from the
copy Django keeps on the connection the test database was set up on. Playwright's sync
API marks its event loop as running in the test's thread, and Django's connections
then live in a context variable instead of the thread-local where the test database
was set up: the test would get another connection object, one without that copy, and
the restore would silently do nothing.

So the connections are taken while no event loop runs (`setup_connections`), and
handed to the tests' context once Playwright runs (`migrated_data`) with
`connections[alias] = connection`: what Django's LiveServerThread does to hand its
connections to the server's thread. Serialized rollback then works as Django wrote it.
The database is emptied once at the handover: an earlier transactional test may have
flushed it and re-run the post-migrate handlers (content types, permissions), which
the restore would then insert a second time.
"""

import asyncio

import pytest
from django.core.management import call_command
from django.db import connections


def event_loop_running():
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture(scope="session")
def setup_connections(django_db_setup):
    """{alias: the connection the test database was set up on}, taken before Playwright
    starts (browser tests request it ahead of `playwright`, see `migrated_data`)."""
    if event_loop_running():
        pytest.fail("setup_connections ran after Playwright started: its connections are not the set-up ones")
    return {alias: connections[alias] for alias in connections}


@pytest.fixture(scope="module")
def migrated_data(setup_connections, django_db_blocker, playwright):
    # Module-scoped so that it runs before the function-scoped database fixtures
    # (pytest-django's autouse live-server helper sets them up early); it depends on
    # `playwright`, so the event loop is marked running and connections[alias] below
    # is the tests' context.
    for alias, connection in setup_connections.items():
        if connections[alias] is not connection:
            connections[alias] = connection
            with django_db_blocker.unblock():
                call_command("flush", verbosity=0, interactive=False, database=alias, inhibit_post_migrate=True)
