"""`seed_demo` runs twice for the whole package, not twice for each module: it is the
slowest fixture of the suite (seconds a run). Under pytest-xdist each worker
given a test of the package seeds for itself. The modules ask --dist loadgroup to keep
them on one worker (`xdist_group("demo")`), but with pytest-xdist 3.8 they were
still seen split across both workers: not yet explained. The runs happen inside a transaction
that is rolled back after the package's last test; each test runs in a savepoint."""

import pytest
from django.db import connection, transaction
from django.test import override_settings

from tests.demo.seeding import partnerships_snapshot, registry_snapshot, seed


@pytest.fixture(scope="package")
def runs(django_db_setup, django_db_blocker):
    # The demo users' passwords are hashed once: a fast hasher keeps that cheap here.
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with fast, django_db_blocker.unblock(), transaction.atomic():
        first_output = seed()
        first = {"registry": registry_snapshot(), "partnerships": partnerships_snapshot()}
        second_output = seed()
        second = {"registry": registry_snapshot(), "partnerships": partnerships_snapshot()}
        # What PostgreSQL does at commit (the deferred triggers keeping versions and
        # counts), done once here: each test's teardown checks the constraints in its
        # savepoint, and rolling that savepoint back leaves every deferred event of
        # the two runs to be done again (pytest --durations on PostgreSQL: about 4 s
        # of teardown a test, 79 tests).
        connection.check_constraints()
        yield {"first": first, "second": second, "first_output": first_output, "second_output": second_output}
        transaction.set_rollback(True)
