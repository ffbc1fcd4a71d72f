"""A change to a verified record waits beside it: the official proposes it, the public
keeps the verified values, a curator reads the differences in the admin and
publishes or rejects it, and the official reads what became of it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from kopnet.models import Revision, RevisionState, Verification
from partnerships.models import Objective, Partnership
from registry.models import Cooperative
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    PartnershipFactory,
)
from tests.registry.test_official_views import profile_data

pytestmark = pytest.mark.django_db


def propose(official, cooperative, **changes):
    response = official.post(f"/koperasi/{cooperative.slug}/ubah/", profile_data(cooperative, **changes))
    assert response.status_code == 302
    return Revision.objects.get(state=RevisionState.PENDING)


@pytest.fixture
def curator(curator_user):
    # A client of its own: the official's fixture signs in on the shared one.
    client = Client()
    client.force_login(curator_user)
    return client


def decide(client, revision, button, seen=None, **extra):
    """The curator's button on the change's page, as read (`seen`: the edition shown)."""
    return client.post(
        reverse("admin:kopnet_revision_change", args=[revision.pk]),
        {button: "1", "seen": revision.base_version if seen is None else seen, **extra},
    )


def changelist_action(client, action, revisions, **extra):
    return client.post(
        reverse("admin:kopnet_revision_changelist"),
        {"action": action, "_selected_action": [revision.pk for revision in revisions], **extra},
    )


def test_the_official_reads_that_the_change_waits_and_visitors_do_not(official, cooperative_a):
    propose(official, cooperative_a, name="Koperasi Tani Makmur Sentosa")

    mine = official.get(f"/koperasi/{cooperative_a.slug}/").content.decode()
    theirs = Client().get(f"/koperasi/{cooperative_a.slug}/").content.decode()

    assert 'id="pending-change"' in mine
    assert 'id="pending-change"' not in theirs
    assert "Koperasi Tani Makmur Sentosa" not in theirs


def test_a_later_edit_replaces_the_waiting_change_and_undoing_it_withdraws_it(official, cooperative_a):
    first = propose(official, cooperative_a, phone="+62 21 111111")
    second = propose(official, cooperative_a, phone="+62 21 222222")

    assert first.pk == second.pk and second.changes == {"phone": "+62 21 222222"}
    official.post(f"/koperasi/{cooperative_a.slug}/ubah/", profile_data(cooperative_a))  # the verified values again
    assert not Revision.objects.filter(state=RevisionState.PENDING).exists()


def test_the_curator_reads_the_differences(curator, official, cooperative_a):
    revision = propose(official, cooperative_a, name="Koperasi Tani Makmur Sentosa")

    page = curator.get(reverse("admin:kopnet_revision_change", args=[revision.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Koperasi Tani Makmur Sentosa" in content and "Koperasi Tani Makmur" in content
    assert curator.get(reverse("admin:kopnet_revision_changelist")).status_code == 200


def test_the_curator_publishes_a_change_from_the_admin(curator, official, cooperative_a):
    revision = propose(official, cooperative_a, name="Koperasi Tani Makmur Sentosa")
    assert 'name="_publish"' in curator.get(reverse("admin:kopnet_revision_change", args=[revision.pk])).content.decode()

    response = decide(curator, revision, "_publish")

    assert response.status_code == 302
    cooperative_a.refresh_from_db()
    assert (cooperative_a.name, cooperative_a.verification) == ("Koperasi Tani Makmur Sentosa", Verification.VERIFIED)
    assert Revision.objects.get(pk=revision.pk).state == RevisionState.VERIFIED
    assert "Koperasi Tani Makmur Sentosa" in Client().get(f"/koperasi/{cooperative_a.slug}/").content.decode()


def test_the_curator_rejects_a_change_with_a_reason_the_official_reads(curator, official, cooperative_a):
    revision = propose(official, cooperative_a, name="Diskon Besar Hubungi 0800")

    asked = changelist_action(curator, "reject_selected", [revision])
    assert asked.status_code == 200  # the page asking for the reason
    changelist_action(curator, "reject_selected", [revision], apply="yes", reason="Bukan nama badan hukumnya.")

    revision.refresh_from_db()
    assert (revision.state, revision.reason) == (RevisionState.REJECTED, "Bukan nama badan hukumnya.")
    assert Cooperative.objects.get(pk=cooperative_a.pk).name == "Koperasi Tani Makmur"
    assert "Bukan nama badan hukumnya." in official.get(f"/koperasi/{cooperative_a.slug}/").content.decode()


def test_a_change_made_stale_by_a_curators_edit_is_refused_with_a_message(curator, official, cooperative_a):
    revision = propose(official, cooperative_a, phone="+62 21 333333")
    Cooperative.objects.filter(pk=cooperative_a.pk).update(version=revision.base_version + 1)

    response = decide(curator, revision, "_publish")

    assert any("diubah setelah perubahan ini diusulkan" in str(m) for m in get_messages(response.wsgi_request))
    assert Revision.objects.get(pk=revision.pk).state == RevisionState.PENDING
    assert Cooperative.objects.get(pk=cooperative_a.pk).phone != "+62 21 333333"


def test_a_change_replaced_after_the_curator_read_it_is_not_published(curator, official, cooperative_a):
    read = propose(official, cooperative_a, phone="+62 21 111111")
    propose(official, cooperative_a, phone="+62 21 999999")  # the official changes it meanwhile

    response = decide(curator, read, "_publish", seen=read.base_version)

    assert any("diganti setelah Anda membukanya" in str(m) for m in get_messages(response.wsgi_request))
    assert Revision.objects.get(pk=read.pk).state == RevisionState.PENDING
    assert Cooperative.objects.get(pk=cooperative_a.pk).phone != "+62 21 999999"


def test_the_curator_rejects_on_the_changes_page_with_a_reason(curator, official, cooperative_a):
    revision = propose(official, cooperative_a, phone="+62 21 111111")

    assert decide(curator, revision, "_refuse", reason="").status_code == 302
    assert Revision.objects.get(pk=revision.pk).state == RevisionState.PENDING
    decide(curator, revision, "_refuse", reason="Nomor tidak aktif")

    assert Revision.objects.get(pk=revision.pk).reason == "Nomor tidak aktif"


def test_officials_cannot_open_the_pending_changes_in_the_admin(official):
    assert official.get(reverse("admin:kopnet_revision_changelist")).status_code == 302


def admin_change_data(cooperative, opened_version, **changes):
    data = {
        "name": cooperative.name, "short_name": cooperative.short_name, "tier": cooperative.tier,
        "type": cooperative.type, "status": cooperative.status, "country": cooperative.country.code,
        "province": cooperative.province_id or "", "regency": cooperative.regency, "address": cooperative.address,
        "nik": cooperative.nik or "", "legal_number": cooperative.legal_number, "scope": cooperative.scope,
        "individual_members": cooperative.individual_members or "", "website": cooperative.website,
        "email": cooperative.email, "phone": cooperative.phone, "opened_version": opened_version,
        "slug": cooperative.slug,
        "member_memberships-TOTAL_FORMS": "0", "member_memberships-INITIAL_FORMS": "0",
        "federation_memberships-TOTAL_FORMS": "0", "federation_memberships-INITIAL_FORMS": "0",
    }  # fmt: skip
    return {**data, **changes}


def test_a_curators_edit_opened_before_an_officials_proposal_is_refused(curator, official, cooperative_a):
    url = reverse("admin:registry_cooperative_change", args=[cooperative_a.pk])
    page = curator.get(url)
    opened = page.context["adminform"].form["opened_version"].value()
    assert f'name="opened_version" value="{opened}"' in page.content.decode()
    propose(official, cooperative_a, phone="+62 21 444444")  # lands meanwhile

    refused = curator.post(url, admin_change_data(cooperative_a, opened, regency="Kota Bandung"))

    assert refused.status_code == 200
    assert "diubah setelah Anda membukanya" in refused.content.decode()
    assert Cooperative.objects.get(pk=cooperative_a.pk).regency != "Kota Bandung"
    again = refused.context["adminform"].form["opened_version"].value()
    saved = curator.post(url, admin_change_data(cooperative_a, again, regency="Kota Bandung"))
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else saved
    assert Cooperative.objects.get(pk=cooperative_a.pk).regency == "Kota Bandung"


def test_the_dashboard_shows_which_cooperative_has_a_change_waiting(official, cooperative_a):
    assert "Perubahan menunggu kurator" not in official.get("/akun/").content.decode()
    propose(official, cooperative_a, phone="+62 21 777777")

    assert "Perubahan menunggu kurator" in official.get("/akun/").content.decode()


def test_a_curators_edit_makes_the_waiting_change_stale_and_says_so(curator, official, cooperative_a):
    url = reverse("admin:registry_cooperative_change", args=[cooperative_a.pk])
    revision = propose(official, cooperative_a, phone="+62 21 555555")
    opened = curator.get(url).context["adminform"].form["opened_version"].value()

    saved = curator.post(url, admin_change_data(cooperative_a, opened, regency="Kota Bandung"), follow=True)

    assert "sehingga tidak dapat diterbitkan lagi" in saved.content.decode()
    cooperative_a.refresh_from_db()
    assert (cooperative_a.regency, cooperative_a.version) == ("Kota Bandung", revision.base_version + 1)
    assert cooperative_a.phone != "+62 21 555555"
    # It still waits, and publishing it is refused: the curator rejects it.
    assert Revision.objects.get(pk=revision.pk).state == RevisionState.PENDING
    refused = decide(curator, revision, "_publish")
    assert any("diubah setelah perubahan ini diusulkan" in str(m) for m in get_messages(refused.wsgi_request))


# --- what the curator's pages cost -------------------------------------------------


def waiting_change(record, **changes):
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        base_version=record.version, changes=changes or {"name": f"{record.name} Baru"},
    )  # fmt: skip


@pytest.mark.parametrize("rows", [1, 25])
def test_the_pending_changes_list_costs_the_same_with_1_row_as_with_many(curator, django_assert_num_queries, rows):
    records = [factory() for _ in range(rows) for factory in (CooperativeFactory, PartnerFactory)]
    for record in records:
        waiting_change(record)
    # 1 session, 2 user, 3 user and 4 group permissions, 5 the kinds of record
    # (the filter), 6 count of the filtered and 7 of all changes, 8 the page with
    # kinds and proposers, 9 its cooperatives and 10 its partners (one query for
    # each kind of record, whatever the rows), 11 whether the curator has a second
    # factor (kopnet.two_factor: the admin then wants its code in the session).
    with django_assert_num_queries(11):
        response = curator.get(reverse("admin:kopnet_revision_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert all(f">{record.name}</a>" in content for record in records)


def test_the_differences_read_each_related_model_once(django_assert_num_queries, cooperative_a, cooperative_b):
    """A change to several foreign keys (and a many-to-many field) reads each related
    model once, however many of its fields changed."""
    curator = CuratorFactory()
    new_entity = CooperativeFactory(name="Koperasi Usaha Bersama")
    partnership = PartnershipFactory(initiator=cooperative_a, parties=[cooperative_a, cooperative_b])
    objectives = list(Objective.objects.order_by("name")[:2])
    revision = Revision(
        content_type=ContentType.objects.get_for_model(partnership), object_id=partnership.pk,
        base_version=partnership.version,
        changes={
            "initiator": str(cooperative_b.pk), "new_entity_cooperative": str(new_entity.pk),
            "created_by": str(curator.pk), "objectives": [objective.pk for objective in objectives],
        },
    )  # fmt: skip
    # 1 the objectives the partnership has now, then one query for each related
    # model: 2 cooperatives (initiator and new entity, now and proposed), 3 users,
    # 4 objectives.
    with django_assert_num_queries(4):
        rows = revision.differences(record=partnership)

    def label(name):
        return str(Partnership._meta.get_field(name).verbose_name)

    assert {row[0]: row[1:] for row in rows} == {
        label("initiator"): (cooperative_a.name, cooperative_b.name),
        label("new_entity_cooperative"): ("-", new_entity.name),
        label("created_by"): ("-", str(curator)),
        label("objectives"): ("", ", ".join(str(objective) for objective in objectives)),
    }


@pytest.mark.django_db
def test_pending_revision_ids_of_several_models_in_one_query(official, cooperative_a, django_assert_num_queries):
    from kopnet.services import pending_revision_ids, pending_revision_ids_of

    revision = propose(official, cooperative_a, phone="+62 21 111111")
    partnership = PartnershipFactory(initiator=cooperative_a, parties=[cooperative_a, CooperativeFactory()])
    quiet = PartnershipFactory(initiator=cooperative_a, parties=[cooperative_a, CooperativeFactory()])
    Revision.objects.create(
        content_type=ContentType.objects.get_for_model(Partnership), object_id=partnership.pk,
        base_version=partnership.version, changes={"title": "Judul baru"}, proposed_by=revision.proposed_by,
    )  # fmt: skip
    other = CooperativeFactory()

    with django_assert_num_queries(1):
        # Each model's ids asked with its own: a partnership's number among the
        # cooperatives' (and the reverse) finds nothing of the other model.
        found = pending_revision_ids_of({
            Cooperative: [cooperative_a.pk, other.pk, partnership.pk],
            Partnership: [partnership.pk, quiet.pk, cooperative_a.pk],
        })  # fmt: skip
    assert found == {Cooperative: {cooperative_a.pk}, Partnership: {partnership.pk}}
    assert pending_revision_ids(Partnership, [partnership.pk, quiet.pk]) == {partnership.pk}
    with django_assert_num_queries(0):
        assert pending_revision_ids_of({Cooperative: [], Partnership: []}) == {Cooperative: set(), Partnership: set()}

    # The dashboard asks it once for my cooperatives and the partnerships they registered.
    response = official.get("/akun/")
    assert [r.cooperative.pending_change for r in response.context["representations"]] == [True]
    registered = {p.pk: p.pending_change for p in response.context["registered_page"].object_list}
    assert registered == {partnership.pk: True, quiet.pk: False}
