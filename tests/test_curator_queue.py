"""Curators (issue 12): what waits for them, on the admin's index, and Verify and
Reject on a pending record's own page, through the list's actions and services."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kopnet.models import Revision, Verification
from partnerships.models import Partnership
from registry.models import Cooperative, RepresentationState
from tests.factories import (
    CooperativeFactory,
    PartnerFactory,
    PartnershipFactory,
    PartyFactory,
    RepresentationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PENDING = Verification.PENDING


def aged(record, days):
    """The record as if created `days` ago (created_at is set on insert)."""
    type(record).objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return record


def queue(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {str(section["label"]): section for section in response.context["curator_queue"]}


def names(section):
    return [row["name"] for row in section["oldest"]]


def waiting_change(record):
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        base_version=record.version, changes={"name": f"{record.name} Baru"},
    )  # fmt: skip


def stuck_and_ready():
    """Pending partnerships: one ready (every cooperative party confirmed), one with
    a party that has not answered and one a party declined (both stuck)."""
    ready = aged(PartnershipFactory(title="Siap", verification=PENDING), 3)
    waiting = aged(PartnershipFactory(title="Menunggu", verification=PENDING), 9)
    waiting.parties.exclude(cooperative=waiting.initiator).update(confirmation="pending")
    declined = aged(PartnershipFactory(title="Ditolak", verification=PENDING), 5)
    PartyFactory(partnership=declined, organisation=CooperativeFactory(), confirmation="declined", decline_reason="Tidak")
    PartnershipFactory(title="Sudah", verification=Verification.VERIFIED)
    return ready, waiting, declined


def waiting_proposal(name):
    """A cooperative's proposal to join a federation, waiting for an answer."""
    from registry.models import MembershipProposal, Tier

    federation = CooperativeFactory(tier=Tier.SEKUNDER, individual_members=None)
    return MembershipProposal.objects.create(
        member=CooperativeFactory(name=name), federation=federation, start_date=datetime.date(2020, 1, 1)
    )


# --- the queue -----------------------------------------------------------------------


def test_the_queue_counts_what_waits_oldest_first(curator):
    aged(CooperativeFactory(name="Koperasi Baru", verification=PENDING), 1)
    aged(CooperativeFactory(name="Koperasi Lama", verification=PENDING), 30)
    aged(CooperativeFactory(name="Koperasi Sedang", verification=PENDING), 7)
    CooperativeFactory(name="Koperasi Terverifikasi")
    CooperativeFactory(name="Koperasi Ditolak", verification=Verification.REJECTED, verification_note="Salah")
    aged(PartnerFactory(name="PT Menunggu", verification=PENDING), 2)
    ready, waiting, declined = stuck_and_ready()
    asking = RepresentationFactory(state=RepresentationState.REQUESTED)
    RepresentationFactory(state=RepresentationState.APPROVED)
    change = waiting_change(CooperativeFactory(name="Koperasi Berubah"))
    proposal = waiting_proposal("Koperasi Ingin Bergabung")

    sections = queue(curator)

    cooperatives = sections["Koperasi menunggu verifikasi"]
    assert cooperatives["count"] == 3
    assert names(cooperatives) == ["Koperasi Lama", "Koperasi Sedang", "Koperasi Baru"]
    assert names(sections["Mitra menunggu verifikasi"]) == ["PT Menunggu"]
    assert sections["Kerjasama siap diverifikasi"]["count"] == 1
    assert names(sections["Kerjasama siap diverifikasi"]) == [f"{ready.reference} — Siap"]
    stuck = sections["Kerjasama tertahan"]
    assert stuck["count"] == 2
    assert names(stuck) == [f"{waiting.reference} — Menunggu", f"{declined.reference} — Ditolak"]
    requests = sections["Permintaan perwakilan"]
    assert (requests["count"], names(requests)) == (1, [f"{asking.user.username} → {asking.cooperative.name}"])
    proposals = sections["Usulan bergabung dengan federasi"]
    assert (proposals["count"], names(proposals)) == (1, [f"Koperasi Ingin Bergabung → {proposal.federation.name}"])
    changes = sections["Usulan perubahan atas data terverifikasi"]
    assert changes["count"] == 1
    assert changes["oldest"][0]["url"] == reverse("admin:kopnet_revision_change", args=[change.pk])
    # In the order a curator works through them.
    assert list(sections) == [
        "Koperasi menunggu verifikasi",
        "Mitra menunggu verifikasi",
        "Kerjasama siap diverifikasi",
        "Kerjasama tertahan",
        "Permintaan perwakilan",
        "Usulan bergabung dengan federasi",
        "Usulan perubahan atas data terverifikasi",
    ]
    page = curator.get(reverse("admin:index")).content.decode()
    assert 'id="curator-queue"' in page and "Koperasi Lama</a>" in page


def test_the_queue_names_five_of_many(curator):
    for days in range(8):
        aged(CooperativeFactory(name=f"Koperasi {days}", verification=PENDING), days)
    cooperatives = queue(curator)["Koperasi menunggu verifikasi"]
    assert cooperatives["count"] == 8
    assert names(cooperatives) == [f"Koperasi {days}" for days in (7, 6, 5, 4, 3)]


def test_each_count_links_to_the_list_filtered_alike(curator):
    aged(CooperativeFactory(name="Koperasi Menunggu", verification=PENDING), 2)
    CooperativeFactory(name="Koperasi Terverifikasi")
    PartnerFactory(name="PT Menunggu", verification=PENDING)
    ready, waiting, declined = stuck_and_ready()
    RepresentationFactory(state=RepresentationState.REQUESTED)
    RepresentationFactory(state=RepresentationState.APPROVED)
    waiting_change(CooperativeFactory())
    waiting_proposal("Koperasi Ingin Bergabung")

    sections = queue(curator)

    assert sections["Koperasi menunggu verifikasi"]["url"] == (
        reverse("admin:registry_cooperative_changelist") + "?verification__exact=pending"
    )
    assert sections["Kerjasama siap diverifikasi"]["url"].endswith("?verification__exact=pending&confirmed=yes")
    assert sections["Kerjasama tertahan"]["url"].endswith("?verification__exact=pending&confirmed=no")
    for label, section in sections.items():
        response = curator.get(section["url"])
        assert response.status_code == 200, label
        listed = list(response.context["cl"].result_list)
        assert len(listed) == section["count"], label
        assert {row.pk for row in listed} >= {int(row["url"].rstrip("/").split("/")[-2]) for row in section["oldest"]}


@pytest.mark.parametrize("rows", [1, 8])
def test_the_queue_costs_the_same_with_1_row_as_with_many(curator, django_assert_num_queries, rows):
    for _ in range(rows):
        CooperativeFactory(verification=PENDING)
        PartnerFactory(verification=PENDING)
        stuck_and_ready()
        RepresentationFactory(state=RepresentationState.REQUESTED)
        waiting_change(CooperativeFactory())
        waiting_proposal(f"Koperasi Usul {_}")
    # 1 session, 2 user, 3 whether the curator has a second factor, 4 user and
    # 5 group permissions; then a count and the oldest five for each of the seven
    # kinds (6-19, each with what names its rows joined); 20 the curator's recent
    # actions (Django's index).
    with django_assert_num_queries(20):
        sections = queue(curator)
    assert sections["Kerjasama tertahan"]["count"] == 2 * rows


def test_staff_without_the_curators_permissions_see_no_queue(client):
    CooperativeFactory(verification=PENDING)
    client.force_login(UserFactory(username="staf_lain", is_staff=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["curator_queue"] == []
    assert 'id="curator-queue"' not in response.content.decode()


# --- Verify and Reject on the record's own page ------------------------------------------


def change_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])


def press(client, record, button, opened_version=None):
    """A button under the record's form, as the page sends it (with the version it was opened on)."""
    version = record.version if opened_version is None else opened_version
    return client.post(change_url(record), {button: "1", "opened_version": version})


def said(response):
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.mark.parametrize("factory", [CooperativeFactory, PartnerFactory])
def test_the_buttons_show_on_a_pending_record_for_a_curator(curator, factory):
    pending = factory(verification=PENDING)
    verified = factory()
    rejected = factory(verification=Verification.REJECTED, verification_note="Salah")

    assert 'name="_verify"' in curator.get(change_url(pending)).content.decode()
    assert 'name="_reject"' in curator.get(change_url(pending)).content.decode()
    for decided in (verified, rejected):
        page = curator.get(change_url(decided)).content.decode()
        assert 'name="_verify"' not in page and 'name="_reject"' not in page


def test_the_buttons_do_not_show_to_staff_who_may_only_view(client, curator_user):
    pending = CooperativeFactory(verification=PENDING)
    curator = Client()
    curator.force_login(curator_user)
    assert 'name="_verify"' in curator.get(change_url(pending)).content.decode()  # where they show
    viewer = UserFactory(username="pembaca", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_cooperative"))
    client.force_login(viewer)

    page = client.get(change_url(pending))
    assert page.status_code == 200
    assert 'name="_verify"' not in page.content.decode()
    refused = press(client, pending, "_verify")
    assert refused.status_code == 403
    assert Cooperative.objects.get(pk=pending.pk).verification == PENDING


@pytest.mark.parametrize("factory", [CooperativeFactory, PartnerFactory])
def test_verify_from_the_change_page_verifies_through_the_service(curator, curator_user, factory):
    pending = factory(verification=PENDING)

    response = press(curator, pending, "_verify")

    assert response.status_code == 302 and response["Location"] == change_url(pending)
    stored = type(pending).objects.get(pk=pending.pk)
    assert (stored.verification, stored.verification_by) == (Verification.VERIFIED, curator_user)
    assert stored.version == pending.version + 1
    assert stored.history.first().history_user == curator_user  # the service's history
    assert "diverifikasi" in said(response)


def test_a_record_changed_after_its_page_was_opened_is_not_decided(curator):
    pending = CooperativeFactory(verification=PENDING)

    for button in ("_verify", "_reject"):
        response = press(curator, pending, button, opened_version=pending.version - 1 or 99)
        assert response.status_code == 302
        assert "berubah setelah Anda membukanya" in said(response)
    assert Cooperative.objects.get(pk=pending.pk).verification == PENDING


def test_a_version_moved_on_between_the_reason_page_and_its_answer_is_refused(curator):
    pending = CooperativeFactory(verification=PENDING)
    page = press(curator, pending, "_reject")
    Cooperative.objects.filter(pk=pending.pk).update(version=pending.version + 1)  # another writer

    response = curator.post(change_url(pending), answer(page, reason="Alamat tidak jelas"))

    assert response.status_code == 302
    assert Cooperative.objects.get(pk=pending.pk).verification == PENDING
    assert said(response)


def answer(page, **fields):
    """The action's page, sent back as its form does."""
    context = page.context
    return {
        "action": context["action"],
        "_selected_action": [str(pk) for pk in context["selected"]],
        "select_across": context["select_across"],
        "apply": "yes",
        context["versions_field"]: context["versions"],
        **context["extra_fields"],
        **fields,
    }


@pytest.mark.parametrize("factory", [CooperativeFactory, PartnerFactory])
def test_reject_from_the_change_page_asks_a_reason_then_rejects(curator, curator_user, factory):
    pending = factory(verification=PENDING)

    page = press(curator, pending, "_reject")
    assert page.status_code == 200
    assert "admin/kopnet/action_with_note.html" in [template.name for template in page.templates]
    assert 'name="reason"' in page.content.decode()

    without = curator.post(change_url(pending), answer(page, reason=""))
    assert without.status_code == 200  # the page again, with its error
    assert type(pending).objects.get(pk=pending.pk).verification == PENDING

    response = curator.post(change_url(pending), answer(page, reason="Nama tidak sesuai akta"))
    assert response.status_code == 302 and response["Location"] == change_url(pending)
    stored = type(pending).objects.get(pk=pending.pk)
    assert (stored.verification, stored.verification_note) == (Verification.REJECTED, "Nama tidak sesuai akta")
    assert stored.history.first().history_user == curator_user


def test_a_decided_record_is_not_decided_again_from_its_page(curator):
    verified = CooperativeFactory()
    response = press(curator, verified, "_reject")
    assert response.status_code == 302
    assert "tidak lagi menunggu verifikasi" in said(response)
    assert Cooperative.objects.get(pk=verified.pk).verification == Verification.VERIFIED


def test_others_cannot_decide_from_the_change_page(client, official, curator_user):
    pending = CooperativeFactory(verification=PENDING)
    # An official (not staff) is sent to the admin's sign-in.
    assert press(official, pending, "_verify").status_code == 302
    # Staff without the curators' permissions are refused.
    staff = Client()
    staff.force_login(UserFactory(username="staf_lain", is_staff=True))
    assert press(staff, pending, "_verify").status_code == 403
    assert press(staff, pending, "_reject").status_code == 403
    assert Cooperative.objects.get(pk=pending.pk).verification == PENDING
    # The same press, by a curator, decides.
    curator = Client()
    curator.force_login(curator_user)
    assert press(curator, pending, "_verify").status_code == 302
    assert Cooperative.objects.get(pk=pending.pk).verification == Verification.VERIFIED


def test_a_partnership_every_party_confirmed_is_verified_from_its_page(curator, curator_user):
    ready = PartnershipFactory(verification=PENDING)
    assert 'name="_verify"' in curator.get(change_url(ready)).content.decode()

    response = press(curator, ready, "_verify")

    assert response.status_code == 302
    stored = Partnership.objects.get(pk=ready.pk)
    assert (stored.verification, stored.verification_by) == (Verification.VERIFIED, curator_user)


def test_a_stuck_partnership_asks_the_override_note_on_the_verify_page(curator):
    waiting = PartnershipFactory(verification=PENDING)
    waiting.parties.exclude(cooperative=waiting.initiator).update(confirmation="pending")

    page = press(curator, waiting, "_verify")
    assert page.status_code == 200
    assert 'name="override_note"' in page.content.decode()
    assert Partnership.objects.get(pk=waiting.pk).verification == PENDING

    response = curator.post(change_url(waiting), answer(page, override_note="Dikonfirmasi lewat telepon"))

    assert response.status_code == 302
    stored = Partnership.objects.get(pk=waiting.pk)
    assert (stored.verification, stored.verification_override) == (Verification.VERIFIED, "Dikonfirmasi lewat telepon")


def test_a_partnership_is_rejected_from_its_page_with_a_reason(curator):
    pending = PartnershipFactory(verification=PENDING)
    page = press(curator, pending, "_reject")
    response = curator.post(change_url(pending), answer(page, reason="Dokumen tidak ada"))
    assert response.status_code == 302
    assert Partnership.objects.get(pk=pending.pk).verification == Verification.REJECTED


def test_the_pending_changes_buttons_do_not_show_to_staff_who_may_only_view(client):
    change = waiting_change(CooperativeFactory())
    viewer = UserFactory(username="pembaca", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_revision"))
    client.force_login(viewer)
    page = client.get(reverse("admin:kopnet_revision_change", args=[change.pk]))
    assert page.status_code == 200
    assert 'name="_publish"' not in page.content.decode()


def test_a_partnership_a_party_declined_is_not_verified_from_its_page(curator):
    declined = PartnershipFactory(verification=PENDING)
    PartyFactory(partnership=declined, organisation=CooperativeFactory(), confirmation="declined", decline_reason="Tidak")

    response = press(curator, declined, "_verify")

    assert response.status_code == 302 and response["Location"] == change_url(declined)
    assert Partnership.objects.get(pk=declined.pk).verification == PENDING
    assert declined.reference in said(response)
