"""Keep the migrations' data (provinces, sectors, objectives, the curators' group) in
browser tests that follow another one.

A live_server test runs in a TransactionTestCase that flushes the database at the end;
serialized rollback puts the migrations' data back before the next test, from the
copy Django keeps on the connection (`_test_serialized_contents`). Playwright's sync
API marks its event loop as running in the test's thread, and Django's connections
then live in a context variable instead of the thread-local where the test database
was set up: the test gets another connection object, one without that copy, and the
restore silently does nothing. This fixture hands the copy to that connection, and
empties the database once: before it, flushes re-ran the post-migrate handlers (content
types, permissions), which the restore would then insert a second time.
"""

import pytest
from django.core.management import call_command
from django.db import connections


@pytest.fixture(scope="module")
def migrated_data(django_db_setup, django_db_blocker, playwright):
    # Module-scoped so that it runs before the function-scoped database fixtures
    # (pytest-django's autouse live-server helper sets them up early); it depends on
    # `playwright`, so the event loop is marked running and connections[alias] below
    # is the connection the tests will use.
    for alias in connections:
        setup_connection = getattr(connections._connections._storage, alias, None)
        contents = getattr(setup_connection, "_test_serialized_contents", None)
        if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents
            with django_db_blocker.unblock():
                call_command("flush", verbosity=0, interactive=False, database=alias, inhibit_post_migrate=True)
