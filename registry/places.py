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
import re
from collections import defaultdict
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

# A place's code, and the level of the places directly within it.
WITHIN = (
    (re.compile(r"[0-9]{2}"), Regency, "province_id"),  # a province's regencies/cities
    (re.compile(r"[0-9]{2}\.[0-9]{2}"), District, "regency_id"),
    (re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}"), Village, "district_id"),
)


def within(code):
    """(code, name) of the places directly within the place of this code (a province's
    regencies, a regency's districts, a district's villages), by name; None for a
    value that is no code of a province, regency or district."""
    for pattern, model, parent_field in WITHIN:
        if isinstance(code, str) and pattern.fullmatch(code):
            return model.objects.filter(**{parent_field: code}).order_by("name", "code").values_list("code", "name")
    return None


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


# --- the free-text regencies of records made before the codes ------------------------

KINDS = {
    # The ways a regency's kind is written, first word(s) of its name: its kind.
    "kabupaten administrasi": "kabupaten", "kabupaten": "kabupaten", "kab": "kabupaten",
    "kota administrasi": "kota", "kota adm": "kota", "kota": "kota",
}  # fmt: skip
KIND_PATTERN = re.compile(r"^(%s)\b\s*" % "|".join(sorted(map(re.escape, KINDS), key=len, reverse=True)))


def regency_key(text):
    """(kind or None, the name without it), in lower case with single spaces:
    "KAB. Bandung Barat" -> ("kabupaten", "bandung barat")."""
    text = " ".join(re.sub(r"[.,]", " ", text).lower().split())
    match = KIND_PATTERN.match(text)
    if not match:
        return None, text
    return KINDS[match.group(1)], text[match.end():]


class RegencyMatcher:
    """The regency a free-text name means within a province: the same name and kind,
    or the same name alone where one regency of the province has it ("Garut" is
    Kabupaten Garut; "Bandung" is a regency and a city, so neither). None otherwise."""

    def __init__(self, regencies=None):
        regencies = Regency.objects.values_list("code", "province_id", "name") if regencies is None else regencies
        self.exact = {}
        self.by_name = defaultdict(set)
        self.names = {}
        for code, province, name in regencies:
            self.names[code] = name
            kind, bare = regency_key(name)
            self.exact[province, kind, bare] = code
            self.by_name[province, bare].add(code)

    def __call__(self, province, text):
        kind, bare = regency_key(text or "")
        if not province or not bare:
            return None
        if kind:
            return self.exact.get((province, kind, bare))
        codes = self.by_name.get((province, bare), ())
        return next(iter(codes)) if len(codes) == 1 else None
