"""/statistik/ shows exact numbers after every kind of write: each one here is followed by
the page, whose numbers must equal a fresh count over the tables (plain COUNT queries,
written apart from the page's code).

On PostgreSQL the page reads counts that triggers keep (partnerships/migrations/0008):
these tests run each write in the test's transaction, and the page applies the
transaction's pending changes before it reads (in production that happens at commit;
tests/partnerships/test_statistics_races.py commits for real, from two threads). On
SQLite the page counts from the tables.
"""

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from kopnet.models import Verification
from kopnet.services import curator_save, revision_verify
from partnerships import services
from partnerships.models import Category, ChangeAnswer, CooperationField, Direction, Partnership, PartnershipParty
from registry import services as registry_services
from registry.models import Cooperative, CooperativeType, Partner, Province, Tier
from tests.admin_actions import confirmed_action
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, RepresentationFactory, UserFactory
from tests.factories import province as province_of
from tests.partnerships.public_data import day, federation, foreign_partner, partnership
from tests.partnerships.test_admin import new_party, partnership_form
from tests.partnerships.test_import_export import confirm, csv_file, row, upload
from tests.partnerships.test_pending_changes import propose
from tests.registry.test_admin import cooperative_form

pytestmark = pytest.mark.django_db

VERIFIED = Verification.VERIFIED


def fresh_numbers():
    """Every number the page shows, counted now with plain COUNT queries: {(table, key): n}, zeros left out."""
    partnerships = Partnership.objects.filter(verification=VERIFIED)
    numbers = {
        ("partnerships", "total"): partnerships.count(),
        ("partnerships", "international"): partnerships.filter(international=True).count(),
    }
    for category in Category.values:
        numbers["category", category] = partnerships.filter(category=category).count()
    for direction in ["", *Direction.values]:
        numbers["direction", direction] = partnerships.filter(direction=direction).count()
    for year in {start.year for start in partnerships.values_list("start_date", flat=True)}:
        numbers["year", year] = partnerships.filter(start_date__year=year).count()
    for field in CooperationField.objects.all():
        numbers["field", field.slug] = partnerships.filter(fields=field).count()
    for province in Province.objects.all():
        sits_there = Q(parties__cooperative__province=province) | Q(parties__partner__province=province)
        numbers["province", province.code] = partnerships.filter(sits_there).distinct().count()
    cooperatives = Cooperative.objects.filter(verification=VERIFIED)
    numbers["cooperatives", "total"] = cooperatives.count()
    for tier in Tier.values:
        numbers["tier", tier] = cooperatives.filter(tier=tier).count()
    for kind in CooperativeType.values:
        numbers["type", kind] = cooperatives.filter(type=kind).count()
    for province in Province.objects.all():
        numbers["cooperative_province", province.code] = cooperatives.filter(province=province).count()
    return {key: count for key, count in numbers.items() if count}


def page_numbers():
    """The numbers the statistics page shows a visitor, in the same shape."""
    response = Client().get("/statistik/")
    assert response.status_code == 200
    partnerships, cooperatives = response.context["partnerships"], response.context["cooperatives"]
    numbers = {
        ("partnerships", "total"): partnerships["total"],
        ("partnerships", "international"): partnerships["international"],
        ("cooperatives", "total"): cooperatives["total"],
    }
    for table, key, rows in [
        ("category", "categories", partnerships), ("direction", "directions", partnerships),
        ("year", "years", partnerships), ("field", "fields", partnerships),
        ("province", "provinces", partnerships), ("tier", "tiers", cooperatives),
        ("type", "types", cooperatives), ("cooperative_province", "provinces", cooperatives),
    ]:  # fmt: skip
        for value, _label, count in rows[key]:
            assert (table, value) not in numbers, f"{table} {value} shown twice"
            numbers[table, value] = count
    return {key: count for key, count in numbers.items() if count}


def official_of(cooperative, username):
    user = UserFactory(username=username)
    RepresentationFactory(user=user, cooperative=cooperative)
    return user


@pytest.fixture
def registry(db, settings, tmp_path):
    """Cooperatives in three provinces and abroad, partners, and partnerships verified,
    waiting and rejected, with fields of cooperation."""
    settings.MEDIA_ROOT = tmp_path
    jabar, jatim, aceh = province_of("32"), province_of("35"), province_of("11")
    a = CooperativeFactory(name="Koperasi Tani Makmur", province=jabar, type=CooperativeType.SIMPAN_PINJAM)
    b = CooperativeFactory(name="Koperasi Nelayan Sejahtera", province=jatim)
    puskop = federation(name="Pusat Koperasi Jawa Barat", province=jabar)
    cuna = federation(name="CUNA", country="US", province=None)
    data = {
        "jabar": jabar, "jatim": jatim, "aceh": aceh, "a": a, "b": b, "puskop": puskop, "cuna": cuna,
        "waiting_cooperative": CooperativeFactory(verification=Verification.PENDING, province=aceh),
        "lonely": CooperativeFactory(name="Koperasi Tanpa Mitra", province=aceh),
        "pt": PartnerFactory(name="PT Agro Mandiri", province=jatim),
        "foreign": foreign_partner(name="Rabobank Foundation"),
        "curator": CuratorFactory(username="kurator"),
        "official_a": official_of(a, "official_a"),
        "official_b": official_of(b, "official_b"),
    }  # fmt: skip
    data["ab"] = partnership(a, b, direction="horizontal", start_date=day(2021, 5), fields=["perdagangan", "pemasaran"])
    data["a_puskop"] = partnership(a, puskop, direction="vertikal", start_date=day(2022), fields=["perdagangan"])
    data["b_pt"] = partnership(b, data["pt"], start_date=day(2023), fields=["permodalan"])
    Partnership.objects.filter(pk=data["b_pt"].pk).update(direction="", category=Category.KEMITRAAN_USAHA)
    data["abroad"] = partnership(a, data["foreign"], cuna, direction="vertikal", start_date=day(2023))
    Partnership.objects.filter(pk=data["abroad"].pk).update(category=Category.KEMITRAAN_USAHA, international=True)
    data["waiting"] = partnership(
        a, b, puskop, verification=Verification.PENDING, start_date=day(2024), fields=["pemasaran"]
    )
    PartnershipParty.objects.filter(partnership=data["waiting"], cooperative=b).update(confirmation="pending")
    data["rejected"] = partnership(b, puskop, verification=Verification.REJECTED, verification_note="Ganda.")
    assert page_numbers() == fresh_numbers()
    return data


def register(data, verify=False):
    record = Partnership(
        initiator=data["a"], title="Pengadaan Pupuk Bersama", direction="vertikal", start_date=day(2025, 3)
    )
    parties = [PartnershipParty(cooperative=data["a"]), PartnershipParty(cooperative=data["puskop"]),
               PartnershipParty(partner=data["pt"])]  # fmt: skip
    record = services.partnership_register(
        user=data["official_a"], partnership=record, parties=parties,
        fields=CooperationField.objects.filter(slug__in=["perdagangan", "advokasi"]),
    )  # fmt: skip
    if verify:
        services.partnership_verify(curator=data["curator"], pk=record.pk, override_note="Dikonfirmasi lewat telepon.")


def curator_edit(data, record, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    curator_save(curator=data["curator"], record=record, fields=list(changes))


def admin_client(data):
    client = Client()
    client.force_login(data["curator"])
    return client


def admin_partnership_edit(data):
    """The admin's change form: a partner abroad joins, a field is dropped, the start moves a year."""
    record = data["ab"]
    form = partnership_form(record, [new_party(data["foreign"], "funder")], start_date="2020-05-01")
    form["fields"] = [CooperationField.objects.get(slug="perdagangan").pk]
    response = admin_client(data).post(reverse("admin:partnerships_partnership_change", args=[record.pk]), form)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.international and record.start_date.year == 2020


def admin_cooperative_edit(data):
    coop = data["b"]
    form = cooperative_form(coop, province=data["aceh"].pk, type=CooperativeType.PRODUSEN)
    response = admin_client(data).post(reverse("admin:registry_cooperative_change", args=[coop.pk]), form)
    assert response.status_code == 302
    assert Cooperative.objects.get(pk=coop.pk).province_id == "11"


def admin_verify_action(data):
    response = confirmed_action(
        admin_client(data), reverse("admin:registry_cooperative_changelist"), "verify_selected",
        [data["waiting_cooperative"]],
    )  # fmt: skip
    assert response.status_code == 302


def imported(data):
    """A spreadsheet through the admin's import: a new partnership, and a change to a verified one."""
    client = admin_client(data)
    rows = [
        row(title="Pemasaran Bersama Ikan", initiator=data["b"].slug,
            parties=f"coop:{data['b'].slug}|coop:{data['lonely'].slug}", fields="pemasaran"),
        row(reference=data["a_puskop"].reference, title=data["a_puskop"].title, initiator=data["a"].slug,
            parties=f"coop:{data['a'].slug}|coop:{data['puskop'].slug}|partner:{data['pt'].slug}",
            direction="vertikal", fields="pendidikan-pelatihan|advokasi", start_date="2019-07-01"),
    ]  # fmt: skip
    preview = upload(client, csv_file(rows))
    assert preview.context.get("confirm_form") is not None, " ".join(preview.content.decode().split())[-3000:]
    assert confirm(client, preview).status_code == 302
    assert Partnership.objects.filter(title="Pemasaran Bersama Ikan").exists()


def change_published(data):
    """An official proposes a partner as a new party of a verified partnership, the
    other cooperative confirms, a curator publishes the change."""
    official = Client()
    official.force_login(data["official_a"])
    revision = propose(official, data["ab"], [data["b"], (data["pt"], "supplier")])
    for answer in ChangeAnswer.objects.filter(revision=revision):
        services.change_confirm(user=data["official_b"], answer_id=answer.pk)
    revision_verify(curator=data["curator"], pk=revision.pk, seen=revision.base_version)
    assert data["ab"].parties.filter(partner=data["pt"]).exists()


def several_in_one_transaction(data):
    with transaction.atomic():
        services.partnership_verify(curator=data["curator"], pk=data["waiting"].pk, override_note="Lewat telepon.")
        PartnershipParty.objects.create(partnership=data["waiting"], cooperative=data["lonely"])
        curator_edit(data, Cooperative.objects.get(pk=data["lonely"].pk), province=data["jatim"])
        Partnership.objects.filter(pk=data["ab"].pk).update(verification=Verification.PENDING)
        Partnership.objects.filter(pk=data["ab"].pk).update(verification=VERIFIED, start_date=day(2018))
        data["b_pt"].fields.add(CooperationField.objects.get(slug="advokasi"))
        PartnershipParty.objects.filter(partnership=data["b_pt"], partner=data["pt"]).delete()
        PartnershipParty.objects.create(partnership=data["b_pt"], partner=data["foreign"])


WRITES = {
    # Through the services, as the pages and the admin call them.
    "registered": lambda data: register(data),
    "registered_and_verified": lambda data: register(data, verify=True),
    "confirmed": lambda data: services.party_confirm(
        user=data["official_b"], party_id=data["waiting"].parties.get(cooperative=data["b"]).pk
    ),
    "verified": lambda data: services.partnership_verify(
        curator=data["curator"], pk=data["waiting"].pk, override_note="Dikonfirmasi lewat telepon."
    ),
    "rejected": lambda data: services.partnership_reject(curator=data["curator"], pk=data["ab"].pk, reason="Ganda."),
    "parties_curated": lambda data: services.parties_curate(
        curator=data["curator"], partnership=data["ab"],
        parties=[PartnershipParty(cooperative=data["lonely"]), PartnershipParty(partner=data["foreign"])],
        removed=[data["ab"].parties.get(cooperative=data["b"])],
    ),  # fmt: skip
    "change_published": change_published,
    "cooperative_verified": lambda data: registry_services.cooperative_verify(
        curator=data["curator"], pk=data["waiting_cooperative"].pk
    ),
    "cooperative_rejected": lambda data: registry_services.cooperative_reject(
        curator=data["curator"], pk=data["b"].pk, reason="Tidak aktif lagi."
    ),
    "cooperative_moved": lambda data: curator_edit(data, Cooperative.objects.get(pk=data["a"].pk), province=data["aceh"]),
    "cooperative_tier_changed": lambda data: curator_edit(
        data, Cooperative.objects.get(pk=data["puskop"].pk), tier=Tier.INDUK
    ),
    "cooperative_went_abroad": lambda data: curator_edit(
        data, Cooperative.objects.get(pk=data["b"].pk), country="MY", province=None
    ),
    "partner_moved": lambda data: curator_edit(data, Partner.objects.get(pk=data["pt"].pk), province=data["jabar"]),
    # The admin's forms and actions, and its spreadsheet import.
    "admin_partnership_edit": admin_partnership_edit,
    "admin_cooperative_edit": admin_cooperative_edit,
    "admin_verify_action": admin_verify_action,
    "imported": imported,
    # Writes that no service sees.
    "bulk_update_partnerships": lambda data: Partnership.objects.update(verification=VERIFIED),
    "bulk_update_start_dates": lambda data: Partnership.objects.filter(start_date__year__lt=2023).update(
        start_date=day(2010)
    ),
    "bulk_update_cooperatives": lambda data: Cooperative.objects.filter(province=data["jabar"]).update(
        province=data["jatim"], tier=Tier.SEKUNDER, individual_members=None
    ),
    "bulk_update_parties": lambda data: PartnershipParty.objects.filter(cooperative=data["b"]).exclude(
        partnership=data["waiting"]
    ).exclude(partnership=data["rejected"]).update(cooperative=data["lonely"]),
    "bulk_update_partners": lambda data: Partner.objects.update(province=data["aceh"], country="ID"),
    "fields_set": lambda data: data["ab"].fields.set(CooperationField.objects.filter(slug__in=["advokasi", "perdagangan"])),
    "fields_cleared": lambda data: data["a_puskop"].fields.clear(),
    "party_deleted": lambda data: data["abroad"].parties.get(partner=data["foreign"]).delete(),
    "partnership_deleted": lambda data: data["ab"].delete(),
    "partnerships_deleted": lambda data: Partnership.objects.filter(category=Category.KEMITRAAN_USAHA).delete(),
    "cooperative_deleted": lambda data: Cooperative.objects.filter(pk=data["lonely"].pk).delete(),
    "cooperative_added": lambda data: CooperativeFactory(province=data["aceh"], tier=Tier.PRIMER),
    "field_deleted": lambda data: CooperationField.objects.filter(slug="perdagangan").delete(),
    "several_in_one_transaction": several_in_one_transaction,
}
# Writes after which the numbers stay as they were (the others must change some).
KEEP_THE_NUMBERS = {"registered", "confirmed"}


@pytest.mark.parametrize("write", WRITES)
def test_the_page_shows_a_fresh_count_after_the_write(registry, write):
    before = fresh_numbers()

    WRITES[write](registry)

    after = fresh_numbers()
    assert page_numbers() == after
    assert (after == before) == (write in KEEP_THE_NUMBERS)


def test_a_partnership_counts_once_in_a_province_however_many_parties_sit_there(registry):
    record = registry["a_puskop"]  # both parties in Jawa Barat
    assert page_numbers()["province", "32"] == fresh_numbers()["province", "32"]
    jabar = registry["jabar"]
    PartnershipParty.objects.create(partnership=record, cooperative=CooperativeFactory(province=jabar))
    PartnershipParty.objects.create(partnership=record, partner=PartnerFactory(province=jabar))
    before = page_numbers()["province", "32"]

    PartnershipParty.objects.filter(partnership=record, cooperative=registry["a"]).delete()
    PartnershipParty.objects.filter(partnership=record, cooperative=registry["puskop"]).delete()

    assert page_numbers()["province", "32"] == before == fresh_numbers()["province", "32"]


def test_writes_rolled_back_leave_the_numbers(registry):
    before = page_numbers()
    try:
        with transaction.atomic():
            services.partnership_verify(curator=registry["curator"], pk=registry["waiting"].pk, override_note="x")
            Cooperative.objects.filter(country="ID").update(province=registry["aceh"])
            assert page_numbers() == fresh_numbers() != before
            raise RuntimeError("undo")
    except RuntimeError:
        pass

    assert page_numbers() == fresh_numbers() == before


def test_a_new_year_and_a_first_partnership_in_a_province_appear(registry):
    papua = province_of("91")
    partnership(CooperativeFactory(province=papua), registry["a"], start_date=day(1999, 12, 31))

    numbers = page_numbers()

    assert numbers["year", 1999] == 1 and numbers["province", "91"] == 1
    assert numbers == fresh_numbers()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite counts from the tables")
def test_a_recount_from_the_tables_gives_the_kept_numbers(registry):
    register(registry, verify=True)
    kept = page_numbers()

    services.statistics_recount()

    assert page_numbers() == kept == fresh_numbers()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite counts from the tables")
def test_a_truncate_counts_everything_again(registry):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute('TRUNCATE "partnerships_partnership_fields"')

    assert page_numbers() == fresh_numbers()
    assert not any(table == "field" for table, _value in page_numbers())
