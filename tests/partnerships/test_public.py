"""The public partnership pages: the list's rows, a partnership's record, its documents,
and the partnerships on the cooperative and partner pages."""

import pytest
from django.urls import reverse

from kopnet.models import Verification
from partnerships.models import Confirmation, PartnershipParty
from registry.models import Tier
from tests.factories import CooperativeFactory, PartnerFactory, RepresentationFactory, UserFactory
from tests.partnerships.public_data import PDF, PNG, day, document, federation, foreign_partner, partnership, pending

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:3000]
    return response.content.decode()


def detail_url(record):
    return f"/kerjasama/{record.reference}/"


# --- the list -------------------------------------------------------------------


def test_list_rows_show_reference_title_parties_badges_period_and_status(english):
    coop = CooperativeFactory(name="Koperasi Susu Lembang")
    record = partnership(
        coop,
        foreign_partner(name="Land O'Lakes Venture37"),
        title="Pendampingan peternak sapi perah",
        start_date=day(2021, 3, 1),
        status="berjalan",
        direction="vertikal",
    )

    html = page(english, "/kerjasama/")

    assert record.reference in html
    assert "Pendampingan peternak sapi perah" in html
    assert reverse("registry:cooperative_detail", args=[coop.slug]) in html
    assert "Land O&#x27;Lakes Venture37" in html
    assert "Business partnership" in html and "Vertical" in html and "International" in html
    assert "Running" in html
    assert 'datetime="2021-03-01"' in html


@pytest.mark.parametrize(
    "language, words",
    [
        ("id", ("Kemitraan usaha", "Vertikal", "Internasional", "Badan hukum baru")),
        ("en", ("Business partnership", "Vertical", "International", "New legal entity")),
    ],
)
def test_a_partnership_s_kind_is_one_group_of_badges(client, language, words):
    record = partnership(CooperativeFactory(), foreign_partner(), direction="vertikal", new_entity=True, new_entity_name="PT Susu Bersama")
    client.cookies["django_language"] = language

    html = page(client, "/kerjasama/")

    category, direction, international, new_entity = words
    assert (
        '<span class="d-inline-flex flex-wrap gap-1">'
        f'<span class="badge kn-category-kemitraan_usaha">{category}</span> '
        f'<span class="badge text-bg-light border">{direction}</span> '
        f'<span class="badge text-bg-dark">{international}</span> '
        f'<span class="badge text-bg-light border">{new_entity}</span>'
        "</span>"
    ) in html
    assert record.reference in html


def test_list_names_and_links_a_party_only_when_the_visitor_may_open_its_page(visitor):
    proposed = PartnerFactory(name="PT Baru Diusulkan", verification=Verification.PENDING)
    partnership(CooperativeFactory(), proposed)

    html = page(visitor, "/kerjasama/")

    assert "PT Baru Diusulkan" not in html
    assert "Organisasi yang menunggu verifikasi" in html
    assert reverse("registry:partner_detail", args=[proposed.slug]) not in html


def test_navigation_links_to_partnerships_and_statistics(visitor):
    html = page(visitor, "/")

    assert 'href="/kerjasama/"' in html
    assert 'href="/statistik/"' in html


# --- a partnership's record -----------------------------------------------------------


def test_detail_shows_parties_roles_confirmation_and_the_facts(english):
    ikpri = federation(Tier.INDUK, name="Induk Koperasi Pegawai Republik Indonesia")
    bank_coop = CooperativeFactory(name="Bank Kesejahteraan Ekonomi")
    record = partnership(
        ikpri,
        PartnerFactory(name="PT Asuransi Mitra"),
        title="Pendirian bank bersama",
        new_entity=True,
        new_entity_name="Bank Kesejahteraan Ekonomi",
        new_entity_kind="bank",
        new_entity_cooperative=bank_coop,
        value="1500000000.00",
        currency="IDR",
        start_date=day(1992, 2, 1),
        objectives=["kredit-modal"],
        fields=["permodalan"],
        direction="vertikal",
    )
    party = record.parties.get(cooperative=ikpri)
    party.role = "funder"
    party.save()

    html = page(english, detail_url(record))

    assert "Pendirian bank bersama" in html and record.reference in html
    assert "Induk Koperasi Pegawai Republik Indonesia" in html and "PT Asuransi Mitra" in html
    assert "Funder" in html
    assert "Confirmed" in html
    assert "checked by the curator at verification" in html
    assert "Business partnership" in html
    assert "Credit and capital for members" in html and "Capital and lending" in html
    assert "1,500,000,000.00" in html or "1.500.000.000,00" in html
    assert reverse("registry:cooperative_detail", args=[bank_coop.slug]) in html
    assert "css/partnerships.css" in html


def test_the_record_prints_without_navigation(settings):
    stylesheet = (settings.BASE_DIR / "static" / "css" / "partnerships.css").read_text()

    assert "@media print" in stylesheet
    assert "header, footer, .kn-no-print" in stylesheet


def test_detail_names_who_confirmed_only_to_signed_in_readers(client):
    coop, other = CooperativeFactory(), CooperativeFactory()
    record = partnership(coop, other)
    answerer = UserFactory(username="bendahara_kud")
    PartnershipParty.objects.filter(partnership=record, cooperative=other).update(
        confirmed_by=answerer, confirmed_at="2024-05-02T10:00:00Z"
    )

    assert "bendahara_kud" not in page(client, detail_url(record))
    client.force_login(UserFactory())
    assert "bendahara_kud" in page(client, detail_url(record))


def test_detail_shows_a_waiting_and_a_declined_party(english, curator_user):
    record = pending(CooperativeFactory(), CooperativeFactory(), CooperativeFactory())
    waiting, declined = list(record.parties.order_by("id"))[1:]
    PartnershipParty.objects.filter(pk=waiting.pk).update(confirmation=Confirmation.PENDING)
    PartnershipParty.objects.filter(pk=declined.pk).update(
        confirmation=Confirmation.DECLINED, decline_reason="Belum disetujui rapat anggota."
    )
    english.force_login(curator_user)

    html = page(english, detail_url(record))

    assert "Waiting for confirmation" in html
    assert "Declined" in html and "Belum disetujui rapat anggota." in html
    assert "Pending verification" in html


def test_detail_of_an_unknown_reference_is_404(visitor):
    assert visitor.get("/kerjasama/KS-2020-999999/").status_code == 404
    assert visitor.get("/kerjasama/bukan-referensi/").status_code == 404


def test_visitor_gets_404_for_a_pending_partnership(visitor):
    record = pending()

    assert visitor.get(detail_url(record)).status_code == 404


def test_party_official_sees_a_pending_partnership_and_other_officials_do_not(client, cooperative_a, cooperative_b):
    record = pending(cooperative_a, CooperativeFactory())
    mine, theirs = UserFactory(), UserFactory()
    RepresentationFactory(user=mine, cooperative=cooperative_a)
    RepresentationFactory(user=theirs, cooperative=cooperative_b)

    client.force_login(mine)
    assert client.get(detail_url(record)).status_code == 200
    client.force_login(theirs)
    assert client.get(detail_url(record)).status_code == 404


def test_curator_sees_a_rejected_partnership_with_the_reason(curator):
    record = partnership(verification=Verification.REJECTED, verification_note="Dokumen tidak sah.")

    assert "Dokumen tidak sah." in page(curator, detail_url(record))


def test_edit_link_only_for_officials_of_the_initiator(client, cooperative_a, cooperative_b):
    record = partnership(cooperative_a, cooperative_b)
    edit = reverse("partnerships:partnership_update", args=[record.reference])
    initiator_official, party_official = UserFactory(), UserFactory()
    RepresentationFactory(user=initiator_official, cooperative=cooperative_a)
    RepresentationFactory(user=party_official, cooperative=cooperative_b)

    assert edit not in page(client, detail_url(record))
    client.force_login(party_official)
    assert edit not in page(client, detail_url(record))
    client.force_login(initiator_official)
    assert edit in page(client, detail_url(record))


# --- documents ------------------------------------------------------------------------


def test_detail_lists_documents_with_title_date_and_size(english):
    record = partnership()
    attached = document(record, title="Akta pendirian", date=day(2020, 7, 1))

    html = page(english, detail_url(record))

    assert "Akta pendirian" in html
    assert reverse("partnerships:document_download", args=[record.reference, attached.pk]) in html
    assert "1 July 2020" in html
    assert f"{len(PDF)}" in html  # "NN bytes"


def test_document_downloads_as_an_attachment_with_its_content_type(visitor):
    record = partnership()
    attached = document(record, content=PNG, name="foto tanda tangan.png", title="Foto")

    response = visitor.get(f"/kerjasama/{record.reference}/dokumen/{attached.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "foto tanda tangan.png" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG
    response.close()


def test_document_downloads_with_the_extension_its_content_proved(visitor):
    record = partnership()
    attached = document(record, name="kontrak.html")

    response = visitor.get(f"/kerjasama/{record.reference}/dokumen/{attached.pk}/")

    assert response["Content-Type"] == "application/pdf"
    assert 'filename="kontrak.pdf"' in response["Content-Disposition"]
    response.close()


def test_document_of_a_pending_partnership_is_404_for_visitors(visitor):
    attached = document(pending())

    assert visitor.get(f"/kerjasama/{attached.partnership.reference}/dokumen/{attached.pk}/").status_code == 404


def test_document_under_another_partnerships_reference_is_404(visitor):
    attached = document(partnership())
    other = partnership()

    assert visitor.get(f"/kerjasama/{other.reference}/dokumen/{attached.pk}/").status_code == 404


def test_document_whose_file_is_gone_is_404_not_500(visitor):
    attached = document(partnership())
    attached.file.storage.delete(attached.file.name)

    assert visitor.get(f"/kerjasama/{attached.partnership.reference}/dokumen/{attached.pk}/").status_code == 404


def test_media_files_are_never_served_by_url(visitor):
    attached = document(partnership())

    assert visitor.get(f"/media/{attached.file.name}").status_code == 404
    assert attached.file.name.startswith("partnership-documents/")


# --- the cooperative and partner pages -------------------------------------------------------


def test_cooperative_page_lists_its_visible_partnerships(visitor):
    coop = CooperativeFactory()
    mine = partnership(coop, CooperativeFactory(), title="Kerjasama pemasaran gabah")
    waiting = pending(coop, CooperativeFactory(), title="Kerjasama belum diverifikasi")
    partnership(title="Kerjasama orang lain")

    html = page(visitor, f"/koperasi/{coop.slug}/")

    assert "Kerjasama pemasaran gabah" in html and mine.reference in html
    assert waiting.reference not in html
    assert "Kerjasama orang lain" not in html
    assert f"/kerjasama/?cooperative={coop.slug}" in html


def test_cooperative_page_caps_its_list_and_links_to_the_rest(visitor):
    coop = CooperativeFactory()
    records = [partnership(coop, CooperativeFactory(), start_date=day(2000 + n)) for n in range(12)]

    response = visitor.get(f"/koperasi/{coop.slug}/")

    assert [row.reference for row in response.context["partnerships"]] == [r.reference for r in records[::-1][:10]]
    assert response.context["partnership_count"] == 12
    assert response.context["partnerships_more"] == 2


def parties_cell(html, reference):
    """The parties cell of the row of the partnership `reference` in a page's table."""
    row = html[html.index(f">{reference}</small>") :]
    start = row.index('<td class="kn-parties"')
    return row[start : row.index("</td>", start)]


def test_the_parties_cell_names_each_party_once_but_the_organisation_whose_page_it_is(visitor):
    coop = CooperativeFactory(name="Koperasi Tani Makmur")
    other = CooperativeFactory(name="Koperasi Susu Segar")
    bank = PartnerFactory(name="Bank Rakyat")
    record = partnership(coop, other, bank)
    items = [
        f'<li><a href="/koperasi/{other.slug}/">Koperasi Susu Segar</a></li>',
        f'<li><a href="/mitra/{bank.slug}/">Bank Rakyat</a> <span class="badge text-bg-light border fw-normal">mitra</span></li>',
    ]
    own = f'<li><a href="/koperasi/{coop.slug}/">Koperasi Tani Makmur</a></li>'
    # Headed "Para pihak" on the list, "Pihak lain" (the others) on an organisation's own page.
    listed = '<td class="kn-parties" data-label="{}"><ul class="list-unstyled mb-0 small">{}</ul>'

    assert parties_cell(page(visitor, "/kerjasama/"), record.reference) == listed.format("Para pihak", own + "".join(items))
    assert parties_cell(page(visitor, f"/koperasi/{coop.slug}/"), record.reference) == listed.format("Pihak lain", "".join(items))
    on_the_banks_page = parties_cell(page(visitor, f"/mitra/{bank.slug}/"), record.reference)
    assert on_the_banks_page == listed.format("Pihak lain", own + items[0])


def test_partner_page_lists_its_visible_partnerships_and_links_to_the_list(visitor):
    bank = PartnerFactory(name="Bank Rakyat")
    records = [partnership(CooperativeFactory(), bank, start_date=day(2010 + n)) for n in range(11)]
    hidden = pending(CooperativeFactory(), bank)

    response = visitor.get(f"/mitra/{bank.slug}/")
    html = response.content.decode()

    assert [row.reference for row in response.context["partnerships"]] == [r.reference for r in records[::-1][:10]]
    assert response.context["partnership_count"] == 11
    assert hidden.reference not in html
    assert f"/kerjasama/?partner={bank.slug}" in html


def test_party_official_sees_their_pending_partnership_marked_in_the_list(client, cooperative_a):
    record = pending(cooperative_a, CooperativeFactory())
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=cooperative_a)
    client.force_login(official)

    html = page(client, "/kerjasama/")

    row = html[html.index(record.reference):]
    assert "text-bg-warning" in row[: row.index("</th>")]


def test_curator_reads_the_override_note_of_a_partnership_verified_before_every_confirmation(curator):
    record = partnership(verification_override="Pihak B menyetujui lewat surat resmi.")

    assert "Pihak B menyetujui lewat surat resmi." in page(curator, detail_url(record))
    curator.logout()
    assert "Pihak B menyetujui lewat surat resmi." not in page(curator, detail_url(record))
