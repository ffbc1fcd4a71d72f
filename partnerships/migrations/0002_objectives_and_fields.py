"""The curated objectives and fields of cooperation named by the source texts."""

from django.db import migrations

OBJECTIVES = [
    ("daya-tawar", "Peningkatan daya tawar terhadap pihak ketiga", "Bargaining power towards third parties"),
    ("bahan-baku", "Menjamin pemasukan bahan baku", "Securing the supply of raw materials"),
    ("skala-ekonomi", "Keuntungan dari produksi besar", "Economies of scale"),
    ("biaya-transaksi", "Menurunkan biaya transaksi", "Lower transaction costs"),
    ("daya-saing", "Meningkatkan kemampuan bersaing", "Competitiveness against third parties"),
    ("kredit-modal", "Kredit dan modal bagi anggota", "Credit and capital for members"),
    ("layanan-anggota", "Menambah layanan untuk anggota", "Services for members"),
    ("pengetahuan-keterampilan", "Pengetahuan dan keterampilan anggota", "Knowledge and skills of members"),
    ("akses-pasar", "Akses pasar", "Market access"),
    ("cita-cita-koperasi", "Mempertahankan cita-cita koperasi", "Upholding cooperative ideals"),
]

FIELDS = [
    ("usaha-produksi", "Usaha dan produksi", "Business and production"),
    ("perdagangan", "Perdagangan", "Trade"),
    ("permodalan", "Permodalan dan pinjaman", "Capital and lending"),
    ("konsultasi-manajemen", "Konsultasi dan manajemen", "Consultancy and management"),
    ("pemasaran", "Pemasaran", "Marketing"),
    ("pendidikan-pelatihan", "Pendidikan dan pelatihan", "Education and training"),
    ("advokasi", "Advokasi", "Advocacy"),
]


def add_terms(apps, schema_editor):
    for model_name, terms in [("Objective", OBJECTIVES), ("CooperationField", FIELDS)]:
        model = apps.get_model("partnerships", model_name)
        for slug, name, name_en in terms:
            model.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en})


def remove_terms(apps, schema_editor):
    for model_name, terms in [("Objective", OBJECTIVES), ("CooperationField", FIELDS)]:
        apps.get_model("partnerships", model_name).objects.filter(slug__in=[t[0] for t in terms]).delete()


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]
    operations = [migrations.RunPython(add_terms, remove_terms)]
