"""Issue 14 §1: every operation of the API answers 2xx, 3xx or 4xx to any input the
schema allows, and to inputs it does not (schemathesis generates both from the
schema itself), never a 500. A few dozen examples an operation: CI has 20 minutes;
run it with more (`KOPNET_FUZZ_EXAMPLES=500`) to look harder."""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory

EXAMPLES = int(os.environ.get("KOPNET_FUZZ_EXAMPLES", "10"))
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)
application = get_wsgi_application()


@pytest.fixture
def registry(db):
    """A few records; the requests keep the test's database connection, as Django's
    test client does (the WSGI handler would close it after each request: on
    PostgreSQL that ends the test's transaction)."""
    coop = CooperativeFactory(name="Koperasi Tani Makmur")
    PartnershipFactory(initiator=coop, parties=[coop, PartnerFactory(name="PT Mitra")])
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_answers_500(case, registry):
    response = case.call(app=application)
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body, response.text[:500])
