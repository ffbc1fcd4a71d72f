"""kopnet/uploads.py: bodies with files are refused before they reach the disk."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client

from partnerships.validators import MAX_DOCUMENT_SIZE
from tests.factories import CuratorFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n"


def big(size, name="besar.pdf"):
    return SimpleUploadedFile(name, PDF + b"0" * (size - len(PDF)), content_type="application/pdf")


def stored_chunks():
    """Counts what Django's temporary-file handler writes."""
    return mock.patch.object(TemporaryFileUploadHandler, "receive_data_chunk", autospec=True, side_effect=lambda self, data, start: self.file.write(data))


def test_the_file_limit_is_the_documents():
    assert settings.KOPNET_UPLOAD_MAX_FILE_BYTES == MAX_DOCUMENT_SIZE
    assert settings.KOPNET_UPLOAD_MAX_BODY_BYTES > 10 * MAX_DOCUMENT_SIZE


@pytest.mark.parametrize("url", ["/akun/masuk/", "/kerjasama/baru/", "/koperasi/"])
def test_a_visitors_upload_is_refused_before_any_of_it_is_stored(url):
    """An anonymous POST with a csrftoken cookie once streamed 30 MB to /tmp before
    its 403: the CSRF check reads the body to find the form's token."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    with stored_chunks() as written:
        response = client.post(url, {"file": big(3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "at most 10 MB each" in response.content.decode()
    written.assert_not_called()


def test_a_body_over_the_largest_a_page_takes_is_refused_before_its_first_byte(official):
    with stored_chunks() as written, mock.patch.object(settings, "KOPNET_UPLOAD_MAX_BODY_BYTES", 1024 * 1024):
        response = official.post("/kerjasama/baru/", {"documents-0-file": big(2 * 1024 * 1024)})
    assert response.status_code == 413
    written.assert_not_called()


def test_a_file_over_the_limit_stops_being_read_at_the_limit(official):
    with stored_chunks() as written:
        response = official.post("/kerjasama/baru/", {"documents-0-file": big(MAX_DOCUMENT_SIZE + 5 * 1024 * 1024)})
    assert response.status_code == 413
    stored = sum(len(call.args[1]) for call in written.call_args_list)
    assert stored <= MAX_DOCUMENT_SIZE


def test_the_413_page_speaks_indonesian_by_default():
    response = Client().post("/akun/masuk/", {"file": big(3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Berkas yang dikirim terlalu besar" in response.content.decode()


def test_a_curators_import_may_be_larger_than_a_document(client):
    """The admin's imports take files larger than an agreement document."""
    client.force_login(CuratorFactory())
    with stored_chunks() as written:
        response = client.post("/admin/registry/cooperative/import/", {"import_file": big(MAX_DOCUMENT_SIZE + 1024 * 1024, "koperasi.csv")})
    assert response.status_code != 413
    assert sum(len(call.args[1]) for call in written.call_args_list) > MAX_DOCUMENT_SIZE
