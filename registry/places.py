"""Indonesia's regencies, districts and villages (registry.models.Regency, District,
Village) loaded from idn-area-data 4.0.1's files (registry/data/README.md):
`manage.py loadplaces`, which `make run` runs after migrate.

Not a data migration: the test database keeps a serialized copy of every row the
migrations made, which each transactional (browser) test restores after its flush,
and 90,000 places made each of them some seconds slower (the PostgreSQL run with the
browser journeys went from 13 to over 20 minutes). Tests that need the places load
them (tests/registry/test_places.py)."""

import csv
import gzip
from pathlib import Path

from django.db import transaction

from registry.models import District, Regency, Village

DATA = Path(__file__).resolve().parent / "data"
# (model, its file, the column naming the level above, the field it fills)
LEVELS = [
    (Regency, "regencies.csv.gz", "province_code", "province_id"),
    (District, "districts.csv.gz", "regency_code", "regency_id"),
    (Village, "villages.csv.gz", "district_code", "district_id"),
]
BATCH = 5000


@transaction.atomic
def load_places():
    """Every place the files hold that the tables lack (none on a second run);
    {model name: how many were added}."""
    added = {}
    for model, filename, parent_column, parent_field in LEVELS:
        known = set(model.objects.values_list("code", flat=True))
        with gzip.open(DATA / filename, "rt", encoding="utf-8", newline="") as rows:
            places = [
                model(code=row["code"], name=row["name"], **{parent_field: row[parent_column]})
                for row in csv.DictReader(rows)
                if row["code"] not in known
            ]
        model.objects.bulk_create(places, batch_size=BATCH)
        added[model._meta.model_name] = len(places)
    return added
