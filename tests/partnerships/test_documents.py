"""Agreement documents uploaded with the registration form: PDF, PNG or JPEG by their
content, at most 10 MB, stored under MEDIA_ROOT with a name that cannot collide."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.models import Partnership, PartnershipDocument
from partnerships.validators import MAX_DOCUMENT_SIZE, inspect_document
from tests.partnerships.registration_data import JPEG, PDF, PNG, edit_data, form_data, nothing_saved, pdf, stored_files

CREATE = "/kerjasama/baru/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("perjanjian.pdf", PDF, "application/pdf", ".pdf"),
        ("tanda-tangan.png", PNG, "image/png", ".png"),
        ("foto-akta.jpeg", JPEG, "image/jpeg", ".jpg"),
        # The name and the declared type do not matter, the content does.
        ("scan", PDF, "application/octet-stream", ".pdf"),
    ],
)
def test_a_pdf_png_or_jpeg_is_stored_under_a_random_name(official, cooperative_a, cooperative_b, media_root, name, content, content_type, extension):
    data = form_data(cooperative_a, [cooperative_b], documents=[("Perjanjian kerjasama", upload(name, content, content_type))])

    response = official.post(CREATE, data)

    assert response.status_code == 302
    document = PartnershipDocument.objects.get()
    assert document.title == "Perjanjian kerjasama"
    assert document.date.isoformat() == "2026-01-20"
    assert document.content_type == {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}[extension]
    assert document.size == len(content)
    assert document.original_name == name
    assert document.uploaded_by.username == "official_a"
    assert re.fullmatch(rf"partnership-documents/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\{extension}", document.file.name)
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == content
    assert name not in str(stored)


@pytest.mark.django_db
def test_several_documents_are_stored_apart(official, cooperative_a, cooperative_b, media_root):
    documents = [("Perjanjian", pdf("sama.pdf")), ("Lampiran", pdf("sama.pdf"))]

    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], documents=documents))

    assert response.status_code == 302
    assert sorted(PartnershipDocument.objects.values_list("title", flat=True)) == ["Lampiran", "Perjanjian"]
    assert len({d.file.name for d in PartnershipDocument.objects.all()}) == 2
    assert len(stored_files(media_root)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "code"),
    [
        (upload("perjanjian.pdf", b"Ini hanya teks biasa, bukan PDF.\n"), "type"),
        (upload("gambar.png", b"GIF89a\x01\x00\x01\x00"), "type"),
        (upload("perjanjian.pdf", b"<html><script>alert(1)</script></html>"), "type"),
        (upload("kosong.pdf", b""), "empty"),
    ],
    ids=["text-renamed-pdf", "gif-renamed-png", "html-renamed-pdf", "empty"],
)
def test_a_bad_upload_is_a_400_next_to_the_file_and_nothing_is_saved(official, cooperative_a, cooperative_b, media_root, file, code):
    official.cookies["django_language"] = "en"

    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], documents=[("Perjanjian", file)]))

    assert response.status_code == 400
    row = response.context["documents"].forms[0]
    assert row.has_error("file", code)
    page = response.content.decode()
    assert 'id="id_documents-0-file_error"' in page
    assert "Choose the documents again" in page
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_a_document_of_exactly_ten_megabytes_is_accepted(official, cooperative_a, cooperative_b, media_root):
    content = PDF + b"0" * (MAX_DOCUMENT_SIZE - len(PDF))

    response = official.post(
        CREATE, form_data(cooperative_a, [cooperative_b], documents=[("Perjanjian", upload("pas.pdf", content))])
    )

    assert response.status_code == 302
    assert PartnershipDocument.objects.get().size == MAX_DOCUMENT_SIZE


@pytest.mark.django_db
def test_a_bad_second_document_keeps_the_first_from_being_written(official, cooperative_a, cooperative_b, media_root):
    documents = [("Perjanjian", pdf()), ("Lampiran", upload("lampiran.pdf", b"bukan pdf"))]

    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], documents=documents))

    assert response.status_code == 400
    assert not response.context["documents"].forms[0].errors
    assert response.context["documents"].forms[1].has_error("file", "type")
    assert nothing_saved(media_root)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("title", "file", "field"),
    [("", "pdf", "title"), ("Perjanjian tanpa berkas", None, "file"), ("J" * 201, "pdf", "title")],
)
def test_a_document_row_needs_a_title_and_a_file(official, cooperative_a, cooperative_b, media_root, title, file, field):
    data = form_data(cooperative_a, [cooperative_b])
    data["documents-0-title"] = title
    data["documents-0-date"] = "2026-01-20"
    if file:
        data["documents-0-file"] = pdf()

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert field in response.context["documents"].forms[0].errors
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_an_empty_document_row_is_ignored(official, cooperative_a, cooperative_b, media_root):
    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b]))

    assert response.status_code == 302
    assert not PartnershipDocument.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_a_valid_document_is_not_written_when_another_field_is_wrong(official, cooperative_a, cooperative_b, media_root):
    data = form_data(cooperative_a, [cooperative_b], documents=[("Perjanjian", pdf())], value="-5")

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert "value" in response.context["form"].errors
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_more_documents_than_allowed_is_an_error(official, cooperative_a, cooperative_b, media_root):
    documents = [(f"Dokumen {n}", pdf(f"d{n}.pdf")) for n in range(11)]
    data = form_data(cooperative_a, [cooperative_b], documents=documents)

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert response.context["documents"].non_form_errors()
    assert nothing_saved(media_root)


def test_inspect_document_reads_the_content_not_the_name():
    assert inspect_document(upload("apa-saja.txt", PNG, "text/plain")) == ("image/png", len(PNG))
    with pytest.raises(ValidationError):
        inspect_document(upload("perjanjian.pdf", b"%PD"))


@pytest.mark.django_db
@pytest.mark.parametrize("size", [MAX_DOCUMENT_SIZE + 1, 11 * 1024 * 1024], ids=["one-byte-over", "11-mb"])
def test_a_document_over_ten_megabytes_stops_the_upload_with_a_413_and_nothing_is_saved(official, cooperative_a, cooperative_b, media_root, size):
    """The upload handler stops reading at the limit (kopnet/uploads.py): the form
    never sees the file, and the page says why, in the reader's language."""
    official.cookies["django_language"] = "en"
    data = form_data(cooperative_a, [cooperative_b], documents=[("Perjanjian", upload("besar.pdf", PDF + b"0" * (size - len(PDF))))])

    response = official.post(CREATE, data)

    assert response.status_code == 413
    assert "at most 10 MB each" in response.content.decode()
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_the_ten_document_limit_holds_for_the_partnership_not_for_each_submission(official, cooperative_a, cooperative_b, media_root):
    """Repeated edits left a partnership with 11 documents of 10 MB each."""
    data = form_data(cooperative_a, [cooperative_b], documents=[(f"Dokumen {n}", pdf(f"d{n}.pdf")) for n in range(9)])
    assert official.post(CREATE, data).status_code == 302
    partnership = Partnership.objects.get()
    edit = f"/kerjasama/{partnership.reference}/ubah/"

    assert official.post(edit, edit_data(partnership, [cooperative_b], documents=[("Adendum", pdf("a.pdf"))])).status_code == 302
    partnership.refresh_from_db()
    official.cookies["django_language"] = "en"
    response = official.post(edit, edit_data(partnership, [cooperative_b], documents=[("Adendum 2", pdf("b.pdf"))]))

    assert response.status_code == 400
    assert response.context["documents"].non_form_errors() == [
        "A partnership keeps at most 10 agreement documents: it has 10, and 1 more were sent."
    ]
    assert partnership.documents.count() == 10
    assert len(stored_files(media_root)) == 10


@pytest.mark.django_db
def test_a_thousand_document_rows_build_no_more_forms_than_the_limit(official, cooperative_a, cooperative_b, media_root):
    data = form_data(cooperative_a, [cooperative_b])
    data["documents-TOTAL_FORMS"] = "1000"

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert len(response.context["documents"].forms) == 10
    assert response.context["documents"].non_form_errors()
