"""The whole workflow at the view level, as issue 3 describes it, in both languages:
an official registers, the other party's official confirms, a curator verifies in
the admin, and a visitor then finds the partnership everywhere it should be."""

import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client

from partnerships.models import Confirmation, Partnership
from tests.admin_actions import confirmed_action
from tests.factories import CooperativeFactory, CuratorFactory, RepresentationFactory, UserFactory, sector
from tests.partnerships.registration_data import form_data, pdf


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def client_for(user, language):
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["id", "en"])
def test_register_confirm_verify_and_find(db, media, django_capture_on_commit_callbacks, language):
    farmers = sector("pertanian")
    coop_1 = CooperativeFactory(name="Koperasi Tani Subur", sectors=[farmers])
    coop_2 = CooperativeFactory(name="Koperasi Tani Makmur", sectors=[farmers])
    pengurus1 = UserFactory(username="pengurus1")
    pengurus2 = UserFactory(username="pengurus2", email="pengurus2@example.org")
    RepresentationFactory(user=pengurus1, cooperative=coop_1)
    RepresentationFactory(user=pengurus2, cooperative=coop_2)
    official_1 = client_for(pengurus1, language)
    official_2 = client_for(pengurus2, language)
    curator = client_for(CuratorFactory(username="kurator"), language)
    visitor = client_for(None, language)

    # 1. pengurus1 registers a horizontal partnership with pengurus2's cooperative, with a PDF.
    with django_capture_on_commit_callbacks(execute=True):
        response = official_1.post(
            "/kerjasama/baru/",
            form_data(coop_1, [coop_2], documents=[("Perjanjian kerjasama", pdf())], direction="horizontal"),
        )
    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert response["Location"] == f"/kerjasama/{partnership.reference}/"
    assert partnership.documents.count() == 1
    assert [message.to for message in mail.outbox] == [["pengurus2@example.org"]]
    # Not public yet.
    assert visitor.get(f"/kerjasama/{partnership.reference}/").status_code == 404

    # 2. pengurus2 sees it waiting on the dashboard and confirms it.
    party_2 = partnership.parties.get(cooperative=coop_2)
    dashboard = official_2.get("/akun/")
    assert partnership.reference in dashboard.content.decode()
    assert f"/kerjasama/pihak/{party_2.pk}/konfirmasi/" in dashboard.content.decode()
    assert official_2.post(f"/kerjasama/pihak/{party_2.pk}/konfirmasi/").status_code == 302
    party_2.refresh_from_db()
    assert party_2.confirmation == Confirmation.CONFIRMED

    # 3. kurator verifies it in the admin.
    page = curator.post(
        "/admin/partnerships/partnership/",
        {"action": "verify_selected", admin.helpers.ACTION_CHECKBOX_NAME: [partnership.pk]},
    )
    assert page.status_code == 200  # the partnership, as it will be verified
    response = confirmed_action(curator, "/admin/partnerships/partnership/", "verify_selected", [partnership])
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.is_verified

    # 4. A visitor finds it by filtering, opens it, and sees it on both cooperatives'
    #    pages, in their network pictures' data, and counted in the statistics.
    found = visitor.get("/kerjasama/", {"direction": "horizontal", "cooperative": coop_1.slug})
    assert found.status_code == 200
    assert partnership.reference in found.content.decode()
    detail = visitor.get(f"/kerjasama/{partnership.reference}/")
    assert detail.status_code == 200
    assert f'lang="{language}"' in detail.content.decode()
    document = partnership.documents.get()
    download = visitor.get(f"/kerjasama/{partnership.reference}/dokumen/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    for coop, other in [(coop_1, coop_2), (coop_2, coop_1)]:
        page = visitor.get(f"/koperasi/{coop.slug}/").content.decode()
        assert partnership.reference in page
        network = visitor.get(f"/koperasi/{coop.slug}/jaringan/").content.decode()  # the profile fetches it
        assert f'"url": "/koperasi/{other.slug}/"' in network  # a node of the network picture
    statistics = visitor.get("/statistik/")
    assert statistics.status_code == 200
    counted = statistics.context["partnerships"]
    assert counted["total"] == 1
    assert ("antar_koperasi", 1) in [(value, count) for value, _label, count in counted["categories"]]
    assert ("horizontal", 1) in [(value, count) for value, _label, count in counted["directions"]]
