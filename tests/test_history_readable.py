"""A record's history as a curator reads it (kopnet/history.py, RegistryAdmin): the
field's label, a choice's label, a related record's name, dates in the reader's
language, the reason in words, who did it; a partnership's parties and documents
in its history, in time order; and no way back to an earlier version past the
services."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kopnet.models import Verification
from kopnet.services import curator_save
from partnerships import services as partnership_services
from partnerships.models import Confirmation, PartnershipDocument
from registry import services as registry_services
from tests.factories import (
    CooperativeFactory,
    PartnershipFactory,
    PartyFactory,
    RepresentationFactory,
    UserFactory,
    province,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_text(response):
    """The history table's text, one space between words."""
    assert response.status_code == 200, response.content[:300]
    html = response.content.decode()
    table = html[html.index('id="change-history"') : html.index("</table>")]
    table = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", table)  # "to", for screen readers
    return " ".join(re.sub(r"<[^>]+>", " ", table).replace("&rarr;", "→").split())


def history(client, record, language=None):
    if language:
        client.cookies["django_language"] = language
    opts = record._meta
    return client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk]))


def edit(curator_user, record, **values):
    """A curator's edit through its service, as the admin's form saves it."""
    record = type(record).objects.get(pk=record.pk)
    for name, value in values.items():
        setattr(record, name, value)
    return curator_save(curator=curator_user, record=record, fields=list(values), version=record.version)


def test_a_verification_reads_as_its_label_and_reason_in_indonesian(curator, curator_user):
    coop = CooperativeFactory(name="Koperasi Wanita Srikandi", verification=Verification.PENDING)
    registry_services.cooperative_verify(curator=curator_user, pk=coop.pk)

    page = page_text(history(curator, coop))

    assert "Verifikasi: Menunggu verifikasi → Terverifikasi" in page
    assert "pending" not in page and "verified" not in page
    assert "Diverifikasi oleh kurator." in page
    assert "curator" in page  # who did it
    assert "Dibuat" in page  # the first line: the record was created


def test_the_same_history_in_english(curator, curator_user):
    coop = CooperativeFactory(verification=Verification.PENDING)
    registry_services.cooperative_verify(curator=curator_user, pk=coop.pk)

    page = page_text(history(curator, coop, "en"))

    assert "Verification: Pending verification → Verified" in page
    assert "Verified by a curator." in page


def test_a_foreign_key_reads_as_its_name_and_a_date_in_the_readers_format(curator, curator_user):
    coop = CooperativeFactory(province=province("32"), founded=datetime.date(1998, 7, 12))
    jawa_barat, bali = province("32").name, province("51").name
    edit(curator_user, coop, province=province("51"), founded=datetime.date(2001, 8, 24))

    indonesian = page_text(history(curator, coop))
    english = page_text(history(curator, coop, "en"))

    assert f"Provinsi: {jawa_barat} → {bali}" in indonesian
    assert "Tanggal pendirian: 12 Juli 1998 → 24 Agustus 2001" in indonesian
    assert "12 July 1998 → 24 August 2001" in english
    assert f"Province: {jawa_barat} → {bali}" in english


def test_an_import_says_so_in_words(curator, curator_user):
    coop = CooperativeFactory(name="Koperasi Lama")
    stored = type(coop).objects.get(pk=coop.pk)
    stored.name = "Koperasi Baru"
    curator_save(curator=curator_user, record=stored, fields=["name"], version=stored.version, reason="imported")

    page = page_text(history(curator, coop, "en"))

    assert "Imported from a spreadsheet by a curator." in page
    assert "Name: Koperasi Lama → Koperasi Baru" in page


def test_an_unknown_reason_is_shown_as_written(curator, curator_user):
    coop = CooperativeFactory()
    stored = type(coop).objects.get(pk=coop.pk)
    stored.phone = "022-1234"
    curator_save(curator=curator_user, record=stored, fields=["phone"], version=stored.version, reason="telepon dari Dinas")

    assert "telepon dari Dinas" in page_text(history(curator, coop))


def partnership_with_a_waiting_party():
    initiator, other = CooperativeFactory(name="Koperasi Pemrakarsa"), CooperativeFactory(name="Koperasi Mitra Tani")
    partnership = PartnershipFactory(initiator=initiator, parties=[initiator], verification=Verification.PENDING)
    party = PartyFactory(partnership=partnership, organisation=other, confirmation=Confirmation.PENDING)
    official = UserFactory(username="pengurus_mitra")
    RepresentationFactory(user=official, cooperative=other)
    return partnership, party, official


def test_a_partys_answer_and_a_document_are_in_the_partnerships_history(curator, curator_user):
    partnership, party, official = partnership_with_a_waiting_party()
    partnership_services.party_confirm(user=official, party_id=party.pk)
    partnership.refresh_from_db()
    document = PartnershipDocument(
        title="Surat Perjanjian Kerja Sama", date=datetime.date(2024, 3, 1), file=SimpleUploadedFile("mou.pdf", PDF)
    )
    partnership_services.attach_documents(partnership, [document], curator_user)

    page = page_text(history(curator, partnership, "en"))

    assert "Party added: Koperasi Mitra Tani" in page
    assert "Party Koperasi Mitra Tani" in page
    assert "Confirmation: Waiting for confirmation → Confirmed" in page  # the party's own change, in words
    assert "Answered by: — → pengurus_mitra" in page
    assert "A cooperative party confirmed the partnership." in page  # the partnership's line
    assert "Document uploaded: Surat Perjanjian Kerja Sama" in page
    assert "curator Document uploaded" in page  # by whom
    # Newest first: the document came after the answer, the answer after the party was added.
    assert page.index("Document uploaded") < page.index("Confirmation: Waiting") < page.index("Party added")


def test_the_partnerships_history_in_indonesian(curator, curator_user):
    partnership, party, official = partnership_with_a_waiting_party()
    partnership_services.party_confirm(user=official, party_id=party.pk)

    page = page_text(history(curator, partnership))

    assert "pending" not in page and "confirmed" not in page
    assert "Pihak ditambahkan: Koperasi Mitra Tani" in page
    assert "Koperasi yang menjadi pihak mengonfirmasi kerja sama ini." in page


def test_the_history_page_reads_the_same_number_of_queries_whatever_its_lines(curator, curator_user):
    def queries_for(changes):
        coop = CooperativeFactory(province=province("32"))
        for number in range(changes):
            edit(curator_user, coop, province=province(["51", "53", "32"][number % 3]), name=f"Koperasi {number}")
        with CaptureQueriesContext(connection) as captured:
            assert history(curator, coop).status_code == 200
        return len(captured)

    # The first history read fills Django's cache of content types (the user's, for
    # who made each change), as a running server's first request does: alone, the
    # test measured that one query more on its first call, and passed or failed with
    # the order the suite happened to run in.
    queries_for(0)
    assert queries_for(1) == queries_for(6)


def test_a_partnerships_history_reads_the_same_number_of_queries_whatever_its_parties(curator, curator_user):
    def queries_for(parties):
        partnership, party, official = partnership_with_a_waiting_party()
        for _ in range(parties):
            PartyFactory(partnership=partnership, organisation=CooperativeFactory(), confirmation=Confirmation.PENDING)
        partnership_services.party_confirm(user=official, party_id=party.pk)
        with CaptureQueriesContext(connection) as captured:
            assert history(curator, partnership).status_code == 200
        return len(captured)

    queries_for(0)  # the content types' cache filled, as above
    assert queries_for(1) == queries_for(5)


def test_each_related_line_is_on_exactly_one_page(curator, curator_user, monkeypatch):
    from django.contrib import admin

    from partnerships.models import Partnership

    monkeypatch.setattr(admin.site._registry[Partnership], "history_list_per_page", 2)
    partnership, party, official = partnership_with_a_waiting_party()
    partnership_services.party_confirm(user=official, party_id=party.pk)
    for number in range(3):
        edit(curator_user, partnership, title=f"Judul {number}")
        partnership_services.attach_documents(
            partnership, [PartnershipDocument(title=f"Lampiran {number}", file=SimpleUploadedFile("a.pdf", PDF))], curator_user
        )
    url = reverse("admin:partnerships_partnership_history", args=[partnership.pk])
    pages = [page_text(curator.get(url, {"p": number})) for number in (1, 2, 3)]

    everything = " ".join(pages)
    for number in range(3):
        assert everything.count(f"Dokumen diunggah: Lampiran {number}") == 1
    assert everything.count("Pihak ditambahkan: Koperasi Mitra Tani") == 1
    assert everything.count("Pihak Koperasi Mitra Tani") == 1
    assert "Lampiran 2" in pages[0] and "Pihak ditambahkan" in pages[-1]


def test_no_revert_button_and_a_post_to_revert_a_verified_record_changes_nothing(curator, curator_user):
    coop = CooperativeFactory(name="Koperasi Asli", verification=Verification.PENDING)
    registry_services.cooperative_verify(curator=curator_user, pk=coop.pk)
    edit(curator_user, coop, name="Koperasi Sekarang")
    coop.refresh_from_db()
    oldest = coop.history.order_by("history_date", "history_id").first()
    url = reverse("admin:registry_cooperative_simple_history", args=[coop.pk, oldest.history_id])

    shown = curator.get(url)
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()  # simple-history's "Revert" button
    assert "Kembalikan" not in shown.content.decode()

    form = {"name": "Koperasi Asli", "opened_version": coop.version, "tier": coop.tier, "type": coop.type}
    refused = curator.post(url, form)

    assert refused.status_code == 403
    assert "Versi sebelumnya tidak dapat dipulihkan di sini" in refused.content.decode()
    stored = type(coop).objects.get(pk=coop.pk)
    assert (stored.name, stored.verification, stored.version) == ("Koperasi Sekarang", Verification.VERIFIED, coop.version)
    assert stored.history.count() == coop.history.count()


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_history_page_parses_as_html5(curator, curator_user, language):
    from tests.test_html_valid import problems_of

    partnership, party, official = partnership_with_a_waiting_party()
    partnership_services.party_confirm(user=official, party_id=party.pk)
    response = history(curator, partnership, language)

    assert response.status_code == 200
    assert problems_of(response.content)[1] == []


def test_a_rejection_and_a_decline_say_so_with_their_reasons(curator, curator_user):
    coop = CooperativeFactory(verification=Verification.PENDING)
    registry_services.cooperative_reject(curator=curator_user, pk=coop.pk, reason="Alamat tidak jelas")
    partnership, party, official = partnership_with_a_waiting_party()
    partnership_services.party_decline(user=official, party_id=party.pk, reason="Belum disepakati rapat anggota")

    rejected = page_text(history(curator, coop, "en"))
    declined = page_text(history(curator, partnership, "en"))

    assert "Rejected by a curator." in rejected
    assert "Verification: Pending verification → Rejected" in rejected
    assert "Reason for rejection: — → Alamat tidak jelas" in rejected
    assert "A cooperative party declined the partnership." in declined
    assert "Confirmation: Waiting for confirmation → Declined" in declined
    assert "Reason for declining: — → Belum disepakati rapat anggota" in declined


def test_sectors_and_a_country_read_as_their_names(curator, curator_user):
    from tests.factories import sector

    coop = CooperativeFactory(sectors=[sector("pertanian")])
    coop.sectors.set([sector("pertanian"), sector("jasa")])
    edit(curator_user, coop, country="MY", province=None, nik=None)

    page = page_text(history(curator, coop, "en"))

    assert "Sectors: Agriculture → Agriculture, Services" in page  # the names in the reader's language
    assert "Country: Indonesia → Malaysia" in page


def test_every_version_page_shows_values_as_text_without_a_revert(client, curator_user):
    """A version's page of each model with a history: it opens, shows no input of
    the record's fields and no "Revert"."""
    from django.contrib import admin

    from kopnet.admin import RegistryAdmin
    from tests.factories import MembershipFactory, PartnerFactory
    from tests.test_csp import inline_code

    superuser = UserFactory(username="pengelola", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    partnership, party, official = partnership_with_a_waiting_party()
    partnership.value = 1500000
    partnership.save()
    partnership_services.attach_documents(
        partnership, [PartnershipDocument(title="Lampiran", file=SimpleUploadedFile("a.pdf", PDF))], curator_user
    )
    MembershipFactory()
    PartnerFactory()
    opened = 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, RegistryAdmin):
            continue
        version = model.history.order_by("history_id").first()
        if version is None:
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[version.id, version.history_id])
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'name="_save"' not in html, url
        assert 'name="name"' not in html and 'name="title"' not in html, url  # text, not inputs
        assert not inline_code(html), url  # the Content-Security-Policy allows none
        opened += 1
    assert opened >= 7  # cooperative, partner, partnership, party, document, membership, representation
