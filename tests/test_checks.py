"""kopnet.models.OneQueryChecks: every check constraint asked in one query, with the
errors Django's own validate_constraints() gives."""

import datetime
import random

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kopnet.models import OneQueryChecks
from partnerships.models import PartnershipDocument
from registry.models import Cooperative
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def errors_of(validate, instance, exclude=None):
    try:
        validate(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return None


def django_errors(instance, exclude=None):
    return errors_of(models.Model.validate_constraints, instance, exclude)


def our_errors(instance, exclude=None):
    return errors_of(type(instance).validate_constraints, instance, exclude)


def odd_values(field):
    """Values of the field's own type that the model's checks may refuse."""
    if field.choices:
        return [value for value, _label in field.flatchoices][:4] + ["bukan-pilihan", ""]
    if isinstance(field, models.BooleanField):
        return [True, False]
    if isinstance(field, models.DateField):
        return [None, datetime.date(1900, 1, 1), datetime.date(2020, 6, 1), datetime.date(2100, 1, 1)]
    if isinstance(field, (models.IntegerField, models.DecimalField)):
        return [None, -1, 0, 7, 10**6]
    if isinstance(field, (models.CharField, models.TextField)):
        return ["", " ", "x", "ID", "US", "1234567890123456", "Nama"]
    return []


def records():
    cooperative = CooperativeFactory()
    partnership = PartnershipFactory()
    document = PartnershipDocument(partnership=partnership, title="Perjanjian", file="perjanjian.pdf")
    return [
        cooperative,
        PartnerFactory(),
        partnership,
        partnership.parties.first(),
        MembershipFactory(member=CooperativeFactory(), federation=CooperativeFactory(tier="sekunder")),
        document,
    ]


def test_every_model_with_several_checks_asks_them_in_one_query():
    for model in apps.get_models():
        checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
        assert len(checks) < 2 or issubclass(model, OneQueryChecks), model


@pytest.mark.parametrize("in_transaction", [False, True])
def test_the_errors_are_django_s_for_hundreds_of_random_values(in_transaction):
    rng = random.Random(20261203)
    compared = broken = 0
    for record in records():
        fields = [f for f in record._meta.concrete_fields if not f.primary_key and odd_values(f)]
        for _round in range(60):
            for field in rng.sample(fields, k=min(len(fields), rng.randint(1, 3))):
                setattr(record, field.attname, rng.choice(odd_values(field)))
            exclude = {rng.choice(fields).name} if rng.random() < 0.2 else None
            if in_transaction:
                with transaction.atomic():
                    ours = our_errors(record, exclude)
            else:
                ours = our_errors(record, exclude)
            assert ours == django_errors(record, exclude), (record._meta.label, exclude)
            compared += 1
            broken += ours is not None
    assert compared == 360
    assert 80 < broken < 340  # both outcomes were compared, many times


def test_a_cooperative_s_thirteen_checks_are_one_select(settings):
    cooperative = CooperativeFactory()

    with CaptureQueriesContext(connection) as ours:
        cooperative.validate_constraints()
    with CaptureQueriesContext(connection) as django:
        models.Model.validate_constraints(cooperative)

    def checks(captured):
        return [query["sql"] for query in captured if '"_check' in query["sql"]]

    assert len(checks(ours)) == 1
    assert len(checks(django)) == 13  # two more since a record may be merged (issue 13)


@pytest.mark.parametrize(
    "language, message", [("id", "Isi nama badan hukum baru."), ("en", "Name the new legal entity.")]
)
def test_a_broken_check_gives_its_message_in_the_user_s_language(language, message):
    partnership = PartnershipFactory()
    partnership.new_entity = True
    partnership.new_entity_name = ""

    with translation.override(language), pytest.raises(ValidationError) as raised:
        partnership.validate_constraints()

    assert raised.value.message_dict == {"__all__": [message]}


@pytest.mark.parametrize("in_transaction", [False, True])
def test_when_the_one_select_fails_each_check_is_asked_as_django_asks_it(monkeypatch, in_transaction):
    """A database error on the one SELECT (a timeout, a lock) is not the user's: the
    checks are asked again one by one, and a transaction around stays usable."""
    execute_sql = SQLCompiler.execute_sql
    failed = []

    def failing_once(compiler, *args, **kwargs):
        if not failed and "_check_1" in compiler.query.annotations:
            failed.append(compiler)
            with connection.cursor() as cursor:  # a real error from the database, not a stand-in
                cursor.execute("SELECT * FROM kopnet_no_such_table")
        return execute_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", failing_once)
    partnership = PartnershipFactory()
    partnership.new_entity = True
    partnership.new_entity_name = ""

    def ours():
        errors = our_errors(partnership)
        assert Cooperative.objects.count() >= 1  # the connection still answers
        return errors

    if in_transaction:
        with transaction.atomic():
            errors = ours()
    else:
        errors = ours()

    assert len(failed) == 1
    assert errors == django_errors(partnership) == {"__all__": ["Isi nama badan hukum baru."]}
