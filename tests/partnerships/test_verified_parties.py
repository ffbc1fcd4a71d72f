"""A verified partnership never names an unverified organisation, whoever writes its
parties: the admin's party rows and the spreadsheet import both go through
partnerships.services.parties_curate, which refuses such a row; nor a record merged
into another (registry.merging.require_unmerged)."""

import pytest
from django.core.exceptions import ValidationError

from kopnet.models import Verification
from partnerships import services
from partnerships.models import PartnershipParty
from registry.models import Cooperative
from registry.services import record_merge
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, PartnershipFactory
from tests.partnerships.test_admin import new_party, partnership_form, post_change
from tests.partnerships.test_import_export import assert_refused, confirm, csv_file, page_text, row, upload

UNVERIFIED = [
    {"verification": Verification.PENDING},
    {"verification": Verification.REJECTED, "verification_note": "Nomor registrasi tidak ditemukan."},
]


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def tani(db):
    return CooperativeFactory(name="Koperasi Tani Makmur", slug="koperasi-tani-makmur")


@pytest.fixture
def nelayan(db):
    return CooperativeFactory(name="Koperasi Nelayan Sejahtera", slug="koperasi-nelayan-sejahtera")


@pytest.fixture
def verified(tani, nelayan):
    return PartnershipFactory(title="Pemasaran Bersama Gabah", initiator=tani, parties=[tani, nelayan])


def party_names(partnership):
    return sorted(str(party.organisation) for party in partnership.parties.select_related("cooperative", "partner"))


# --- the admin's party rows -------------------------------------------------------------


@pytest.mark.parametrize("state", UNVERIFIED, ids=["pending", "rejected"])
@pytest.mark.parametrize("kind", ["partner", "cooperative"])
def test_the_admin_refuses_an_unverified_organisation_on_a_verified_partnership(curator, verified, kind, state):
    factory = PartnerFactory if kind == "partner" else CooperativeFactory
    organisation = factory(name="Organisasi Belum Diperiksa", **state)
    before = party_names(verified)

    response = post_change(curator, verified, partnership_form(verified, [new_party(organisation)]))

    assert response.status_code == 200  # the form again, with the reason: no 500
    errors = " ".join(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert (
        f"{verified.reference} is verified, and a verified partnership names verified organisations only: "
        "Organisasi Belum Diperiksa is not verified yet. Verify it first."
    ) in errors
    assert "Organisasi Belum Diperiksa is not verified yet" in " ".join(response.content.decode().split())
    verified.refresh_from_db()
    assert verified.verification == Verification.VERIFIED
    assert party_names(verified) == before


def test_the_admin_refuses_a_row_changed_to_name_an_unverified_cooperative(curator, verified, nelayan):
    pending = CooperativeFactory(name="Koperasi Baru Daftar", verification=Verification.PENDING)
    data = partnership_form(verified)
    row_index = next(i for i in range(2) if data[f"parties-{i}-cooperative"] == nelayan.pk)
    data[f"parties-{row_index}-cooperative"] = pending.pk

    response = post_change(curator, verified, data)

    assert response.status_code == 200
    assert "Koperasi Baru Daftar is not verified yet" in " ".join(
        response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    assert verified.parties.filter(cooperative=nelayan).exists()


def test_the_admin_adds_a_verified_partner_and_an_unverified_one_to_a_pending_partnership(curator, tani, nelayan):
    pending_partnership = PartnershipFactory(initiator=tani, parties=[tani, nelayan], verification=Verification.PENDING)
    checked = PartnerFactory(name="PT Sudah Diperiksa")
    waiting = PartnerFactory(name="PT Belum Diperiksa", verification=Verification.PENDING)

    response = post_change(
        curator, pending_partnership, partnership_form(pending_partnership, [new_party(checked), new_party(waiting)])
    )

    assert response.status_code == 302
    assert {"PT Sudah Diperiksa", "PT Belum Diperiksa"} <= set(party_names(pending_partnership))


def test_a_verified_partnership_takes_a_verified_partner(curator, verified):
    checked = PartnerFactory(name="PT Sudah Diperiksa")

    response = post_change(curator, verified, partnership_form(verified, [new_party(checked, "supplier")]))

    assert response.status_code == 302
    assert "PT Sudah Diperiksa" in party_names(verified)


def test_the_service_refuses_whoever_calls_it(curator_user, verified):
    pending = PartnerFactory(name="PT Belum Diperiksa", verification=Verification.PENDING)

    with pytest.raises(ValidationError, match="PT Belum Diperiksa belum diverifikasi"):
        services.parties_curate(
            curator=curator_user, partnership=verified, parties=[PartnershipParty(partner=pending, role="supplier")]
        )

    assert not verified.parties.filter(partner=pending).exists()


# --- the spreadsheet import -------------------------------------------------------------


def imported_row(partnership, parties):
    return row(reference=partnership.reference, title=partnership.title, direction="", parties=parties)


@pytest.mark.parametrize("state", UNVERIFIED, ids=["pending", "rejected"])
def test_an_import_row_naming_an_unverified_partner_on_a_verified_partnership_is_a_bad_row(curator, verified, state):
    PartnerFactory(name="PT Belum Diperiksa", slug="pt-belum-diperiksa", **state)
    before = party_names(verified)
    rows = [
        imported_row(verified, "coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera|partner:pt-belum-diperiksa")
    ]

    response = upload(curator, csv_file(rows))

    assert_refused(response)
    text = page_text(response)
    assert "Row 2" in text
    assert (
        f"{verified.reference} is verified, and a verified partnership names verified organisations only: "
        "PT Belum Diperiksa is not verified yet. Verify it first."
    ) in text
    verified.refresh_from_db()
    assert verified.verification == Verification.VERIFIED
    assert party_names(verified) == before


def test_an_import_writes_its_parties_through_the_party_service(curator, verified, monkeypatch):
    PartnerFactory(name="PT Sudah Diperiksa", slug="pt-sudah-diperiksa")
    called = []
    real = services.parties_curate
    monkeypatch.setattr(
        "partnerships.resources.parties_curate", lambda **kwargs: called.append(kwargs) or real(**kwargs)
    )
    rows = [
        imported_row(verified, "coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera|partner:pt-sudah-diperiksa")
    ]

    response = confirm(curator, upload(curator, csv_file(rows)))

    assert response.status_code == 302
    assert [str(party.organisation) for party in called[0]["parties"]] == ["PT Sudah Diperiksa"]
    assert "PT Sudah Diperiksa" in party_names(verified)
    verified.refresh_from_db()
    assert verified.verification == Verification.VERIFIED


def test_an_import_adds_an_unverified_partner_to_a_pending_partnership(curator, tani, nelayan):
    pending_partnership = PartnershipFactory(
        title="Kerjasama Menunggu", initiator=tani, parties=[tani, nelayan], verification=Verification.PENDING
    )
    PartnerFactory(name="PT Belum Diperiksa", slug="pt-belum-diperiksa", verification=Verification.PENDING)
    rows = [
        imported_row(
            pending_partnership, "coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera|partner:pt-belum-diperiksa"
        )
    ]

    response = confirm(curator, upload(curator, csv_file(rows)))

    assert response.status_code == 302
    assert "PT Belum Diperiksa" in party_names(pending_partnership)


# --- a record merged into another ----------------------------------------------------


@pytest.fixture
def merged(db):
    """A cooperative registered twice, the duplicate merged (registry.services.record_merge)."""
    survivor = CooperativeFactory(name="Koperasi Pangan Raya", slug="koperasi-pangan-raya")
    duplicate = CooperativeFactory(name="Koperasi Pangan Raya Dobel", slug="koperasi-pangan-raya-dobel")
    record_merge(curator=CuratorFactory(), model=Cooperative, survivor_pk=survivor.pk, merged_pk=duplicate.pk)
    return duplicate


MERGED_REFUSAL = "Koperasi Pangan Raya Dobel was merged into Koperasi Pangan Raya: name Koperasi Pangan Raya instead."


def test_the_admin_refuses_a_party_row_naming_a_merged_record(curator, tani, nelayan, merged):
    pending = PartnershipFactory(title="Kerjasama Menunggu", initiator=tani, parties=[tani, nelayan], verification=Verification.PENDING)
    before = party_names(pending)

    response = post_change(curator, pending, partnership_form(pending, [new_party(merged)]))

    assert response.status_code == 200  # the form again, with the reason: no 500
    assert MERGED_REFUSAL in " ".join(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert party_names(pending) == before


def test_an_import_row_naming_a_merged_record_is_a_bad_row(curator, verified, merged):
    before = party_names(verified)
    parties = "coop:koperasi-tani-makmur|coop:koperasi-nelayan-sejahtera|coop:koperasi-pangan-raya-dobel"
    rows = [row(reference=verified.reference, title=verified.title, direction="horizontal", parties=parties)]

    response = upload(curator, csv_file(rows))

    assert_refused(response)
    assert MERGED_REFUSAL in page_text(response)
    assert party_names(verified) == before
