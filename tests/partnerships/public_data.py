"""Builders shared by the tests of the public partnership pages."""

import datetime

from django.core.files.base import ContentFile

from kopnet.models import Verification
from partnerships.models import CooperationField, Objective, PartnershipDocument
from registry.models import Scope, Tier
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def partnership(*organisations, objectives=(), fields=(), **attributes):
    """A partnership of these organisations (the first cooperative initiates it)."""
    organisations = list(organisations) or [CooperativeFactory(), CooperativeFactory()]
    initiator = next(org for org in organisations if org._meta.model_name == "cooperative")
    record = PartnershipFactory(initiator=initiator, parties=organisations, **attributes)
    if objectives:
        record.objectives.set(Objective.objects.filter(slug__in=objectives))
    if fields:
        record.fields.set(CooperationField.objects.filter(slug__in=fields))
    return record


def pending(*organisations, **attributes):
    return partnership(*organisations, verification=Verification.PENDING, **attributes)


def document(record, content=PDF, name="perjanjian.pdf", title="Perjanjian kerjasama", **attributes):
    attached = PartnershipDocument(
        partnership=record, title=title, file=ContentFile(content, name=name), **attributes
    )
    attached.save()
    return attached


def foreign_partner(**attributes):
    return PartnerFactory(country="US", province=None, **attributes)


def federation(tier=Tier.SEKUNDER, scope=Scope.PROVINSI, **attributes):
    return CooperativeFactory(tier=tier, scope=scope, individual_members=None, **attributes)


def day(year, month=1, date=1):
    return datetime.date(year, month, date)


def listed(client, **params):
    """The references the list shows for these parameters (asserting a 200)."""
    response = client.get("/kerjasama/", params)
    assert response.status_code == 200, response.content.decode()[:3000]
    return [row.reference for row in response.context["object_list"]]
