"""Issue 13 §3 (its first part): Indonesia's regencies, districts and villages with
their Kemendagri codes are reference tables that `manage.py loadplaces` loads from idn-area-data
4.0.1 (registry/data/README.md): every level complete, each place under the one
above, malformed codes refused by the database."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Value
from django.db.models.functions import Concat

from registry.models import District, Province, Regency, Village

from registry.places import load_places

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def places():
    assert load_places() == {"regency": 514, "district": 7285, "village": 83762}
    assert load_places() == {"regency": 0, "district": 0, "village": 0}  # a second run adds nothing


def test_every_place_is_loaded_under_the_level_above():
    assert (Regency.objects.count(), District.objects.count(), Village.objects.count()) == (514, 7285, 83762)
    # Every province has its regencies; the four Papuan provinces of 2022 included.
    per_province = dict(Regency.objects.order_by().values_list("province").annotate(Count("code")))
    assert set(per_province) == set(Province.objects.values_list("code", flat=True))
    assert per_province["32"] == 27 and per_province["95"] == 8
    bandung = Regency.objects.get(code="32.04")
    assert (bandung.name, bandung.province_id) == ("Kabupaten Bandung", "32")
    # Each code begins with the code of the place above it.
    for model, above in ((Regency, "province_id"), (District, "regency_id"), (Village, "district_id")):
        assert not model.objects.exclude(code__startswith=Concat(F(above), Value("."))).exists(), model


@pytest.mark.parametrize(
    "model, values",
    [
        (Regency, {"code": "3204", "name": "Tanpa Titik", "province_id": "32"}),
        (District, {"code": "32.04.5", "name": "Kurang Angka", "regency_id": "32.04"}),
        (Village, {"code": "32.04.05.20", "name": "Kode Pendek", "district_id": "32.04.05"}),
    ],
)
def test_malformed_codes_are_refused_by_the_database(model, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**values)
