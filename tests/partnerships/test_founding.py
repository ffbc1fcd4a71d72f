"""Issue 13 §1: a partnership that forms a new legal entity links the entity's record,
a cooperative or a partner (never both; none without a new entity: database
constraints), or names it only; the entity's page says which partnership founded it
and by whom, the partnership's page links the entity, and the CSV appends the
entity's kind and page after the existing columns."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kopnet.models import Verification
from partnerships.models import NewEntityKind, Partnership
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory
from tests.partnerships.registration_data import form_data

pytestmark = pytest.mark.django_db


def founded(entity, **fields):
    """A verified partnership of two cooperatives and a partner that founded `entity`."""
    founders = [CooperativeFactory(name="Induk Koperasi Pendiri"), CooperativeFactory(name="Koperasi Pendiri Dua")]
    link = {"new_entity_cooperative": entity} if entity.__class__.__name__ == "Cooperative" else {"new_entity_partner": entity}
    return PartnershipFactory(
        title="Pendirian bank bersama", initiator=founders[0], parties=[*founders, PartnerFactory(name="PT Mitra Pendiri")],
        new_entity=True, new_entity_name=entity.name, new_entity_kind=NewEntityKind.BANK,
        start_date=datetime.date(2020, 3, 2), **link, **fields,
    )  # fmt: skip


@pytest.mark.parametrize(
    "fields",
    [
        {"new_entity_cooperative": "coop", "new_entity_partner": "partner"},  # two records
        {"new_entity": False, "new_entity_name": "", "new_entity_kind": "", "new_entity_partner": "partner"},
    ],
    ids=["both records", "record without entity"],
)
def test_the_database_holds_one_record_and_none_without_an_entity(fields):
    partnership = PartnershipFactory(new_entity=True, new_entity_name="Bank Baru", new_entity_kind=NewEntityKind.BANK)
    values = {"coop": CooperativeFactory(), "partner": PartnerFactory()}
    update = {name: values.get(value, value) if isinstance(value, str) else value for name, value in fields.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(**update)


def test_the_model_says_so_in_words():
    partnership = PartnershipFactory.build(
        initiator=CooperativeFactory(), new_entity=True, new_entity_name="Bank Baru", new_entity_kind=NewEntityKind.BANK,
        new_entity_cooperative=CooperativeFactory(), new_entity_partner=PartnerFactory(), reference="KS-2026-000001",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="koperasi atau mitra, bukan keduanya"):
        partnership.full_clean()


def test_the_entitys_page_tells_its_founding_and_the_partnership_links_it(client):
    bank = PartnerFactory(name="Bank Koperasi Contoh")
    partnership = founded(bank)

    page = client.get(f"/mitra/{bank.slug}/").content.decode()
    assert 'id="founded"' in page
    assert f'<a href="/kerjasama/{partnership.reference}/">Pendirian bank bersama</a>' in page
    assert "Didirikan pada 2 Maret 2020 melalui" in page
    assert "Induk Koperasi Pendiri</a>, <a" in page and "PT Mitra Pendiri</a>" in page
    detail = client.get(f"/kerjasama/{partnership.reference}/").content.decode()
    assert f'id="new-entity-link">Bank Koperasi Contoh</a>' in detail and f'href="/mitra/{bank.slug}/"' in detail

    aco = CooperativeFactory(name="ASEAN Cooperative Organisation")
    founded(aco)
    assert "Didirikan pada 2 Maret 2020 melalui" in client.get(f"/koperasi/{aco.slug}/").content.decode()
    # A page founded by nothing says nothing of it.
    assert 'id="founded"' not in client.get(f"/mitra/{PartnerFactory().slug}/").content.decode()


def test_visitors_read_no_founding_that_is_not_verified(client):
    bank = PartnerFactory(name="Bank Belum Pasti")
    founded(bank, verification=Verification.PENDING)
    assert 'id="founded"' not in client.get(f"/mitra/{bank.slug}/").content.decode()


def test_an_official_links_a_partner_as_the_new_entity(official, cooperative_a, cooperative_b):
    bank = PartnerFactory(name="PT Bank Perkreditan Bersama")
    data = form_data(cooperative_a, [cooperative_b])
    data.update(new_entity="on", new_entity_name="PT BPR Bersama", new_entity_kind=NewEntityKind.BANK,
                new_entity_record="PT Bank Perkreditan Bersama")  # fmt: skip
    response = official.post("/kerjasama/baru/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    partnership = Partnership.objects.get()
    assert (partnership.new_entity_partner, partnership.new_entity_cooperative) == (bank, None)


def test_an_unknown_entity_record_is_told_at_its_field(official, cooperative_a, cooperative_b):
    data = form_data(cooperative_a, [cooperative_b])
    data.update(new_entity="on", new_entity_name="PT Baru", new_entity_kind=NewEntityKind.PT,
                new_entity_record="Tidak Terdaftar Di Mana Pun")  # fmt: skip
    response = official.post("/kerjasama/baru/", data)
    assert response.status_code == 400
    assert response.context["form"].has_error("new_entity_record", "not_found")
    assert not Partnership.objects.exists()


def test_the_csv_appends_the_entitys_kind_and_page_after_the_existing_columns(client, settings):
    settings.SITE_URL = "https://kopnet.example.org"
    bank = PartnerFactory(name="Bank Di CSV")
    hidden = PartnerFactory(name="Bank Belum Diverifikasi", verification=Verification.PENDING)
    founded(bank)
    founded(hidden)
    PartnershipFactory(title="Tanpa entitas")

    rows = list(csv.reader(io.StringIO(b"".join(client.get("/kerjasama/?format=csv").streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    assert header[-5:] == ["verified", "url", "new_entity_kind", "new_entity_url", "corroboration"]
    by_name = {row[header.index("new_entity_name")]: row for row in rows[1:]}
    assert by_name["Bank Di CSV"][-3:-1] == ["bank", f"https://kopnet.example.org/mitra/{bank.slug}/"]
    assert by_name["Bank Belum Diverifikasi"][-3:-1] == ["bank", ""]  # a visitor may not read that record
    assert by_name[""][-3:-1] == ["", ""]
