"""The curated list of business sectors; curators may edit it afterwards."""

from django.db import migrations

SECTORS = [
    ("pertanian", "Pertanian", "Agriculture"),
    ("perkebunan", "Perkebunan", "Plantation"),
    ("perikanan", "Perikanan", "Fisheries"),
    ("peternakan", "Peternakan", "Livestock"),
    ("kehutanan", "Kehutanan", "Forestry"),
    ("industri-pengolahan", "Industri pengolahan", "Processing industry"),
    ("perdagangan", "Perdagangan", "Trade"),
    ("simpan-pinjam", "Simpan pinjam", "Savings and credit"),
    ("listrik-energi", "Listrik dan energi", "Electricity and energy"),
    ("perumahan", "Perumahan", "Housing"),
    ("transportasi", "Transportasi", "Transport"),
    ("jasa", "Jasa", "Services"),
    ("kerajinan", "Kerajinan", "Handicrafts"),
    ("pariwisata", "Pariwisata", "Tourism"),
    ("kesehatan", "Kesehatan", "Health"),
    ("pendidikan", "Pendidikan", "Education"),
    ("pertambangan", "Pertambangan", "Mining"),
    ("konsumsi", "Konsumsi", "Consumer goods"),
]


def add_sectors(apps, schema_editor):
    Sector = apps.get_model("registry", "Sector")
    for slug, name, name_en in SECTORS:
        Sector.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en})


def remove_sectors(apps, schema_editor):
    apps.get_model("registry", "Sector").objects.filter(slug__in=[slug for slug, _, _ in SECTORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_provinces")]
    operations = [migrations.RunPython(add_sectors, remove_sectors)]
