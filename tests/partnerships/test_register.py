"""Registering and editing a partnership in the browser: the form, its pickers and
their search, every rule as an error next to its field, the emails, who may edit."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from kopnet.models import Notification, NotificationKind, Verification
from partnerships import services
from partnerships.models import (
    Category,
    Confirmation,
    CooperationField,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
    PartyRole,
)
from registry.models import Partner, PartnerKind, Regency, Tier
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    RepresentationFactory,
    UserFactory,
)
from tests.partnerships.registration_data import edit_data, form_data, nothing_saved, pdf, stored_files, token

CREATE = "/kerjasama/baru/"
SEARCH = "/kerjasama/cari-organisasi/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def user_a(official):
    return get_user_model().objects.get(username="official_a")


def html(response):
    return response.content.decode()


def edit_url(partnership):
    return reverse("partnerships:partnership_update", args=[partnership.reference])


def registered(user, initiator, *others, **fields):
    """A partnership registered through the service, as the form would."""
    partnership = Partnership(
        title=fields.pop("title", "Kerjasama simpan pinjam"),
        start_date=fields.pop("start_date", "2025-03-01"),
        direction=fields.pop("direction", "horizontal"),
        initiator=initiator,
        **fields,
    )
    parties = [PartnershipParty(cooperative=initiator)] + [
        PartnershipParty(**{"partner" if isinstance(o, Partner) else "cooperative": o}) for o in others
    ]
    return services.partnership_register(user=user, partnership=partnership, parties=parties)


# --- Who reaches the form -----------------------------------------------------------


@pytest.mark.django_db
def test_create_page_sends_a_visitor_to_sign_in(visitor):
    response = visitor.get(CREATE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_user_who_acts_for_no_cooperative_is_told_how_to_ask(client):
    user = UserFactory(username="newcomer")
    CooperativeFactory(name="Koperasi Yang Diminta")
    client.force_login(user)
    client.cookies["django_language"] = "en"

    response = client.get(CREATE)

    assert response.status_code == 200
    assert response.context["no_cooperative"] is True
    assert "<form method=\"post\" enctype" not in html(response)
    assert "does not act for any cooperative" in html(response)
    assert response.context["representation_url"] == reverse("registry:representation_request")
    assert f'href="{reverse("registry:representation_request")}"' in html(response)


@pytest.mark.django_db
def test_a_requested_but_unapproved_representation_does_not_open_the_form(client, cooperative_a):
    user = UserFactory(username="applicant")
    RepresentationFactory(user=user, cooperative=cooperative_a, state="requested")
    client.force_login(user)

    response = client.post(CREATE, form_data(cooperative_a, [CooperativeFactory()]))

    assert response.status_code == 200
    assert response.context["no_cooperative"] is True
    assert not Partnership.objects.exists()


@pytest.mark.django_db
def test_the_only_cooperative_of_an_official_is_preselected(official, cooperative_a):
    response = official.get(CREATE)

    assert response.status_code == 200
    assert response.context["form"]["cooperative"].value() == cooperative_a.pk
    assert f'value="{cooperative_a.pk}" selected data-tier="primer"' in html(response)


@pytest.mark.django_db
def test_an_official_of_several_cooperatives_chooses_among_them_only(official, user_a, cooperative_a):
    second = CooperativeFactory(name="Koperasi Kedua")
    RepresentationFactory(user=user_a, cooperative=second)
    stranger = CooperativeFactory(name="Koperasi Orang Lain")

    response = official.get(CREATE)

    choices = list(response.context["form"].fields["cooperative"].queryset)
    assert choices == [second, cooperative_a]
    assert response.context["form"]["cooperative"].value() is None
    assert stranger.name not in html(response)


@pytest.mark.django_db
def test_an_official_cannot_register_for_a_cooperative_they_do_not_act_for(official, cooperative_b):
    response = official.post(CREATE, form_data(cooperative_b, [CooperativeFactory()]))

    assert response.status_code == 400
    assert "cooperative" in response.context["form"].errors
    assert not Partnership.objects.exists()


# --- Registering ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_official_registers_a_horizontal_partnership_and_lands_on_its_page(official, user_a, cooperative_a, cooperative_b):
    objective = Objective.objects.get(slug="daya-tawar")
    field = CooperationField.objects.get(slug="pemasaran")
    data = form_data(
        cooperative_a,
        [cooperative_b],
        objectives=[objective.pk],
        fields=[field.pk],
        value="250000000.50",
        currency="idr",
        end_date="2028-01-31",
    )

    response = official.post(CREATE, data)

    partnership = Partnership.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:partnership_detail", args=[partnership.reference])
    assert partnership.title == "Kerjasama pemasaran hasil tani"
    assert partnership.initiator == cooperative_a
    assert partnership.created_by == user_a
    assert partnership.category == Category.ANTAR_KOPERASI
    assert partnership.direction == "horizontal"
    assert partnership.verification == Verification.PENDING
    assert str(partnership.value) == "250000000.50"
    assert partnership.currency == "IDR"
    assert list(partnership.objectives.all()) == [objective]
    assert list(partnership.fields.all()) == [field]
    parties = {p.cooperative_id: p for p in partnership.parties.all()}
    assert parties[cooperative_a.pk].confirmation == Confirmation.CONFIRMED
    assert parties[cooperative_a.pk].role == PartyRole.INITIATOR
    assert parties[cooperative_b.pk].confirmation == Confirmation.PENDING
    assert parties[cooperative_b.pk].role == PartyRole.MEMBER
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(partnership.reference in m for m in messages)


@pytest.mark.django_db
def test_each_party_keeps_the_role_chosen_for_it(official, cooperative_a, cooperative_b):
    bank = PartnerFactory(name="Bank Rakyat Contoh", kind=PartnerKind.BANK)

    response = official.post(
        CREATE,
        form_data(cooperative_a, [(cooperative_b, "supplier"), (bank, "funder")], initiator_role="buyer", direction=""),
    )

    assert response.status_code == 302
    partnership = Partnership.objects.get()
    roles = {(p.cooperative_id or p.partner_id, p.role) for p in partnership.parties.all()}
    assert roles == {(cooperative_a.pk, "buyer"), (cooperative_b.pk, "supplier"), (bank.pk, "funder")}
    assert partnership.category == Category.KEMITRAAN_USAHA
    assert partnership.direction == ""


@pytest.mark.django_db
def test_without_javascript_a_party_is_found_by_its_typed_name(official, cooperative_a, cooperative_b):
    data = form_data(cooperative_a, [cooperative_b], by_name=True)
    data["parties-0-organisation"] = "  koperasi nelayan sejahtera "

    response = official.post(CREATE, data)

    assert response.status_code == 302
    assert Partnership.objects.get().parties.filter(cooperative=cooperative_b).exists()


@pytest.mark.django_db
def test_without_javascript_a_part_of_a_name_finds_the_only_match(official, cooperative_a, cooperative_b):
    data = form_data(cooperative_a, [cooperative_b], by_name=True)
    data["parties-0-organisation"] = "Nelayan"

    response = official.post(CREATE, data)

    assert response.status_code == 302


@pytest.mark.django_db
def test_a_name_that_fits_several_lists_them_to_choose_from(official, cooperative_a):
    first = CooperativeFactory(name="Koperasi Susu Lembang")
    second = CooperativeFactory(name="Koperasi Susu Pangalengan")
    data = form_data(cooperative_a, [first], by_name=True)
    data["parties-0-organisation"] = "Susu"

    response = official.post(CREATE, data)

    assert response.status_code == 400
    row = response.context["parties"].forms[0]
    assert row.has_error("organisation", "several")
    page = html(response)
    assert f'type="radio" name="parties-0-organisation_ref" value="{token(first)}"' in page
    assert f'type="radio" name="parties-0-organisation_ref" value="{token(second)}"' in page
    assert not Partnership.objects.exists()

    data["parties-0-organisation_ref"] = token(second)
    response = official.post(CREATE, data)

    assert response.status_code == 302
    assert Partnership.objects.get().parties.filter(cooperative=second).exists()


@pytest.mark.django_db
def test_a_name_typed_over_an_earlier_choice_counts(official, cooperative_a, cooperative_b):
    other = CooperativeFactory(name="Koperasi Peternak Jaya")
    data = form_data(cooperative_a, [cooperative_b])
    data["parties-0-organisation"] = "Koperasi Peternak Jaya"

    response = official.post(CREATE, data)

    assert response.status_code == 302
    assert Partnership.objects.get().parties.filter(cooperative=other).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("verification", [Verification.PENDING, Verification.REJECTED])
def test_an_unverified_cooperative_cannot_be_named(official, cooperative_a, verification):
    hidden = CooperativeFactory(name="Koperasi Belum Diperiksa", verification=verification, verification_note="-")

    for by_name in (False, True):
        response = official.post(CREATE, form_data(cooperative_a, [hidden], by_name=by_name))

        assert response.status_code == 400
        assert response.context["parties"].forms[0].has_error("organisation", "not_found")
    assert not Partnership.objects.exists()


@pytest.mark.django_db
def test_a_partner_the_user_proposed_earlier_can_be_named_while_pending(official, user_a, cooperative_a):
    mine = PartnerFactory(name="CV Usulan Saya", verification=Verification.PENDING, proposed_by=user_a)

    response = official.post(CREATE, form_data(cooperative_a, [mine], direction=""))

    assert response.status_code == 302
    assert Partnership.objects.get().parties.filter(partner=mine).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["cooperative:abc", "bank:1", "cooperative:99999999", "partner:-1", "cooperative:1\x00"])
def test_a_forged_picker_value_is_read_as_the_typed_name(official, cooperative_a, cooperative_b, ref):
    data = form_data(cooperative_a, [cooperative_b])
    data["parties-0-organisation_ref"] = ref
    data["parties-0-organisation"] = "Koperasi Nelayan Sejahtera"

    response = official.post(CREATE, data)

    if "\x00" in ref:
        assert response.status_code == 400
        assert response.context["parties"].forms[0].has_error("organisation", "invalid")
    else:
        assert response.status_code == 302


@pytest.mark.django_db
def test_an_official_proposes_a_new_partner_inline(official, user_a, cooperative_a):
    data = form_data(
        cooperative_a,
        [],
        direction="",
        **{
            "new_partner-name": "PT Gula Manis Nusantara",
            "new_partner-kind": "swasta",
            "new_partner-country": "ID",
            "new_partner-province": "35",
            "new_partner-role": "buyer",
        },
    )

    response = official.post(CREATE, data)

    assert response.status_code == 302
    partner = Partner.objects.get(name="PT Gula Manis Nusantara")
    assert partner.verification == Verification.PENDING
    assert partner.proposed_by == user_a
    assert partner.province_id == "35"
    partnership = Partnership.objects.get()
    party = partnership.parties.get(partner=partner)
    assert party.role == "buyer"
    assert partnership.category == Category.KEMITRAAN_USAHA


@pytest.mark.django_db
@pytest.mark.parametrize(("regency", "error"), [("35.07", None), ("", "required"), ("32.04", "outside")])
def test_a_proposed_partner_in_indonesia_names_its_regency_where_the_places_are_loaded(
    official, cooperative_a, media_root, regency, error
):
    """Issue 13 §3: every new Indonesian record names its regency/city, a partner an
    official proposes too; one of another province is the model's error."""
    for code, name in [("35.07", "Kabupaten Malang"), ("32.04", "Kabupaten Bandung")]:
        Regency.objects.create(code=code, province_id=code[:2], name=name)
    partners = Partner.objects.count()
    new_partner = {
        "new_partner-name": "PT Apel Batu", "new_partner-kind": "swasta", "new_partner-province": "35",
        "new_partner-regency_place": regency,
    }  # fmt: skip

    response = official.post(CREATE, form_data(cooperative_a, [], direction="", **new_partner))

    if error is None:
        assert response.status_code == 302
        assert Partner.objects.get(name="PT Apel Batu").regency_place_id == "35.07"
        return
    assert response.status_code == 400
    assert response.context["new_partner"].errors.as_data()["regency_place"][0].code == error
    assert 'id="id_new_partner-regency_place_error"' in html(response)
    assert nothing_saved(media_root, partners_before=partners)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("new_partner", "field"),
    [
        ({"new_partner-name": "PT Tanpa Jenis", "new_partner-province": "32"}, "kind"),
        ({"new_partner-kind": "swasta", "new_partner-province": "32"}, "name"),
        ({"new_partner-name": "PT Tanpa Provinsi", "new_partner-kind": "swasta"}, "province"),
        ({"new_partner-name": "Foreign Co", "new_partner-kind": "swasta", "new_partner-country": "SG", "new_partner-province": "32"}, "province"),
        ({"new_partner-name": "PT Sudah Ada", "new_partner-kind": "swasta", "new_partner-province": "32"}, "name"),
        ({"new_partner-name": "PT \x00", "new_partner-kind": "swasta", "new_partner-province": "32"}, "name"),
    ],
)
def test_a_proposed_partner_with_a_problem_is_an_error_on_its_field(official, cooperative_a, cooperative_b, media_root, new_partner, field):
    PartnerFactory(name="PT Sudah Ada")
    partners = Partner.objects.count()

    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], **new_partner))

    assert response.status_code == 400
    assert field in response.context["new_partner"].errors
    assert f'id="id_new_partner-{field}_error"' in html(response)
    assert nothing_saved(media_root, partners_before=partners)


# --- Every rule is an error next to its field, and nothing is saved --------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_date": "2026-03-01", "end_date": "2026-02-28"}, "end_date"),
        ({"direction": ""}, "direction"),
        ({"direction": "diagonal"}, "direction"),
        ({"title": ""}, "title"),
        ({"title": "Judul\x00"}, "title"),
        ({"start_date": ""}, "start_date"),
        ({"start_date": "31-02-2026"}, "start_date"),
        ({"status": "selamanya"}, "status"),
        ({"new_entity": "on", "new_entity_kind": "bank"}, "new_entity_name"),
        ({"new_entity": "on", "new_entity_name": "Bank Koperasi Baru"}, "new_entity_kind"),
        ({"value": "-1"}, "value"),
        ({"value": "sepuluh"}, "value"),
        ({"currency": "RP1"}, "currency"),
        ({"currency": "RUPIAH"}, "currency"),
        ({"objectives": ["999999"]}, "objectives"),
        ({"cooperative": ""}, "cooperative"),
        ({"initiator_role": "boss"}, "initiator_role"),
    ],
)
def test_a_broken_rule_is_a_400_with_the_error_next_to_its_field(official, cooperative_a, cooperative_b, media_root, changes, field):
    data = form_data(cooperative_a, [cooperative_b], documents=[("Perjanjian", pdf())], **changes)

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    page = html(response)
    assert f'id="id_{field}_error"' in page
    assert 'id="form-errors"' in page
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_the_same_organisation_twice_is_an_error_on_the_second_row(official, cooperative_a, cooperative_b, media_root):
    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b, cooperative_b]))

    assert response.status_code == 400
    rows = response.context["parties"].forms
    assert not rows[0].errors
    assert rows[1].has_error("organisation", "duplicate")
    assert 'id="id_parties-1-organisation_error"' in html(response)
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_naming_ones_own_cooperative_again_is_an_error_on_its_row(official, cooperative_a, cooperative_b, media_root):
    response = official.post(CREATE, form_data(cooperative_a, [cooperative_a, cooperative_b]))

    assert response.status_code == 400
    assert response.context["parties"].forms[0].has_error("organisation", "duplicate")
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_fewer_than_two_parties_is_an_error_above_the_parties(official, cooperative_a, media_root):
    response = official.post(CREATE, form_data(cooperative_a, []))

    assert response.status_code == 400
    assert [e.code for e in response.context["parties"].non_form_errors().as_data()] == ["too_few"]
    assert 'id="parties-errors"' in html(response)
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_an_unknown_party_name_is_an_error_on_its_row(official, cooperative_a, media_root):
    data = form_data(cooperative_a, [], **{"parties-0-organisation": "Koperasi Yang Tidak Ada"})

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert response.context["parties"].forms[0].has_error("organisation", "not_found")
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_a_missing_direction_between_cooperatives_is_refused_by_the_service(official, cooperative_a, cooperative_b, media_root):
    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], direction="", documents=[("Perjanjian", pdf())]))

    assert response.status_code == 400
    assert "direction" in response.context["form"].errors
    assert 'id="id_direction_error"' in html(response)
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_a_late_refusal_rolls_back_the_proposed_partner_and_removes_the_stored_files(official, cooperative_a, cooperative_b, media_root, monkeypatch):
    # Whatever the service refuses after writing (here: after everything was saved,
    # inside its transaction), the proposed partner, the partnership and the
    # document's file all go.
    register = services.partnership_register

    @transaction.atomic
    def register_then_refuse(**arguments):
        register(**arguments)
        assert len(stored_files(media_root)) == 1
        raise ValidationError({"direction": "refused late"})

    monkeypatch.setattr(services, "partnership_register", register_then_refuse)
    data = form_data(
        cooperative_a,
        [cooperative_b],
        documents=[("Perjanjian", pdf())],
        **{"new_partner-name": "PT Baru Sekali", "new_partner-kind": "swasta", "new_partner-province": "32"},
    )

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert response.context["form"].errors["direction"] == ["refused late"]
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_a_new_entity_can_link_a_registered_cooperative(official, cooperative_a, cooperative_b):
    entity = CooperativeFactory(name="Koperasi Sekunder Bersama", tier=Tier.SEKUNDER, individual_members=None)
    data = form_data(
        cooperative_a,
        [cooperative_b],
        new_entity="on",
        new_entity_name="Koperasi Sekunder Bersama",
        new_entity_kind="sekunder",
        new_entity_record="Koperasi Sekunder Bersama",
    )

    response = official.post(CREATE, data)

    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert partnership.new_entity is True
    assert partnership.new_entity_cooperative == entity


@pytest.mark.django_db
def test_an_unknown_registry_cooperative_for_the_new_entity_is_an_error_on_its_field(official, cooperative_a, cooperative_b, media_root):
    data = form_data(
        cooperative_a,
        [cooperative_b],
        new_entity="on",
        new_entity_name="Bank Koperasi",
        new_entity_kind="bank",
        new_entity_record="Koperasi Yang Tidak Terdaftar",
    )

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert response.context["form"].has_error("new_entity_record", "not_found")
    assert 'id="id_new_entity_record_error"' in html(response)
    assert nothing_saved(media_root)


@pytest.mark.django_db
def test_new_entity_details_are_dropped_without_the_flag(official, cooperative_a, cooperative_b):
    response = official.post(
        CREATE, form_data(cooperative_a, [cooperative_b], new_entity_name="Sisa", new_entity_kind="bank")
    )

    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert (partnership.new_entity, partnership.new_entity_name, partnership.new_entity_kind) == (False, "", "")


@pytest.mark.django_db
def test_a_broken_management_form_is_a_400_not_a_500(official, cooperative_a, cooperative_b):
    data = form_data(cooperative_a, [cooperative_b])
    del data["parties-TOTAL_FORMS"]

    response = official.post(CREATE, data)

    assert response.status_code == 400
    assert not Partnership.objects.exists()


# --- Email ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_other_cooperatives_officials_are_told_by_email(official, user_a, cooperative_a, cooperative_b, django_capture_on_commit_callbacks):
    official_b = UserFactory(username="official_b", email="b@example.org")
    RepresentationFactory(user=official_b, cooperative=cooperative_b)
    colleague_a = UserFactory(username="colleague_a", email="colleague@example.org")
    RepresentationFactory(user=colleague_a, cooperative=cooperative_a)
    partner = PartnerFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = official.post(CREATE, form_data(cooperative_a, [cooperative_b, partner]))

    assert response.status_code == 302
    reference = Partnership.objects.get().reference
    assert [message.to for message in mail.outbox] == [["b@example.org"]]
    assert reference in mail.outbox[0].subject
    # The email links to the partnership (the record), which says where to answer; the
    # same notification waits on the dashboard, in the recipient's language.
    assert f"/kerjasama/{reference}/" in mail.outbox[0].body
    [told] = Notification.objects.filter(user=official_b)
    assert (told.kind, told.subject) == (NotificationKind.ANSWER_ASKED, f"Mohon konfirmasi kerjasama {reference}")
    assert not Notification.objects.filter(user=colleague_a).exists()  # the initiator's side is not asked
    official.force_login(official_b)
    page = official.get(f"/kerjasama/{reference}/").content.decode()
    assert 'id="answer-awaited"' in page and f"Jawaban {cooperative_b.name} ditunggu." in page
    official.force_login(colleague_a)
    assert 'id="answer-awaited"' not in official.get(f"/kerjasama/{reference}/").content.decode()


@pytest.mark.django_db
def test_no_email_leaves_when_the_registration_is_refused(official, cooperative_a, cooperative_b, django_capture_on_commit_callbacks):
    RepresentationFactory(user=UserFactory(email="b@example.org"), cooperative=cooperative_b)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], direction=""))

    assert response.status_code == 400
    assert callbacks == []
    assert mail.outbox == []


# --- Editing ----------------------------------------------------------------------------


@pytest.fixture
def partnership(user_a, cooperative_a, cooperative_b):
    return registered(user_a, cooperative_a, cooperative_b, title="Kerjasama simpan pinjam")


@pytest.mark.django_db
def test_the_edit_page_is_prefilled(official, partnership, cooperative_b):
    response = official.get(edit_url(partnership))

    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "Kerjasama simpan pinjam"
    rows = response.context["parties"].forms
    assert rows[0].initial["organisation"] == cooperative_b
    page = html(response)
    assert f'value="{token(cooperative_b)}"' in page
    assert 'value="Koperasi Nelayan Sejahtera"' in page
    assert 'id="verification-warning"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["other_official", "curator", "stranger"])
def test_only_officials_of_the_initiating_cooperative_may_edit(client, partnership, cooperative_b, actor):
    if actor == "other_official":
        user = UserFactory(username="official_b")
        RepresentationFactory(user=user, cooperative=cooperative_b)
    elif actor == "curator":
        user = CuratorFactory()
    else:
        user = UserFactory()
    client.force_login(user)

    assert client.get(edit_url(partnership)).status_code == 404
    response = client.post(edit_url(partnership), edit_data(partnership, [cooperative_b], title="Dibajak"))
    assert response.status_code == 404

    partnership.refresh_from_db()
    assert partnership.title == "Kerjasama simpan pinjam"


@pytest.mark.django_db
def test_a_visitor_is_sent_to_sign_in_before_editing(visitor, partnership):
    visitor.logout()  # the official who registered it shares this client

    response = visitor.get(edit_url(partnership))

    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("reference", ["KS-2026-999999", "KS-1-2", "baru"])
def test_an_unknown_reference_is_a_404(official, reference):
    assert official.get(f"/kerjasama/{reference}/ubah/").status_code == 404


@pytest.mark.django_db
def test_editing_the_description_keeps_the_confirmations(official, partnership, cooperative_a, cooperative_b):
    official_b = UserFactory(username="official_b")
    RepresentationFactory(user=official_b, cooperative=cooperative_b)
    services.party_confirm(user=official_b, party_id=partnership.parties.get(cooperative=cooperative_b).pk)
    partnership.refresh_from_db()
    role_b = partnership.parties.get(cooperative=cooperative_b).role

    response = official.post(
        edit_url(partnership), edit_data(partnership, [(cooperative_b, role_b)], description="Salah ketik diperbaiki")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:partnership_detail", args=[partnership.reference])
    partnership.refresh_from_db()
    assert partnership.description == "Salah ketik diperbaiki"
    assert partnership.parties.get(cooperative=cooperative_b).confirmation == Confirmation.CONFIRMED


@pytest.mark.django_db
def test_editing_the_substance_asks_the_other_parties_again(official, partnership, cooperative_a, cooperative_b, django_capture_on_commit_callbacks):
    official_b = UserFactory(username="official_b", email="b@example.org")
    RepresentationFactory(user=official_b, cooperative=cooperative_b)
    services.party_confirm(user=official_b, party_id=partnership.parties.get(cooperative=cooperative_b).pk)
    partnership.refresh_from_db()
    mail.outbox.clear()  # the initiator's notification of the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = official.post(
            edit_url(partnership), edit_data(partnership, [(cooperative_b, "supplier")], title="Judul baru")
        )

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.title == "Judul baru"
    party_b = partnership.parties.get(cooperative=cooperative_b)
    assert (party_b.confirmation, party_b.confirmed_by, party_b.role) == (Confirmation.PENDING, None, "supplier")
    assert partnership.parties.get(cooperative=cooperative_a).confirmation == Confirmation.CONFIRMED
    assert [message.to for message in mail.outbox] == [["b@example.org"]]


@pytest.mark.django_db
def test_an_edit_opened_before_a_partys_answer_is_refused_and_shows_what_changed(official, partnership, cooperative_b):
    official_b = UserFactory(username="official_b")
    RepresentationFactory(user=official_b, cooperative=cooperative_b)
    opened = official.get(edit_url(partnership)).context["form"]["version"].value()
    services.party_confirm(user=official_b, party_id=partnership.parties.get(cooperative=cooperative_b).pk)
    data = edit_data(partnership, [cooperative_b], title="Judul dari versi lama")
    data["version"] = opened

    response = official.post(edit_url(partnership), data)

    assert response.status_code == 400
    assert "diubah setelah Anda membukanya" in html(response)
    partnership.refresh_from_db()
    assert partnership.title != "Judul dari versi lama"
    assert partnership.parties.get(cooperative=cooperative_b).confirmation == Confirmation.CONFIRMED
    # Sent again after review, it carries the version it now shows, and saves.
    data["version"] = response.context["form"]["version"].value()
    assert official.post(edit_url(partnership), data).status_code == 302


@pytest.mark.django_db
def test_editing_adds_and_removes_parties_and_tells_only_the_newcomers(official, partnership, cooperative_b, django_capture_on_commit_callbacks):
    RepresentationFactory(user=UserFactory(email="b@example.org"), cooperative=cooperative_b)
    newcomer = CooperativeFactory(name="Koperasi Pendatang")
    RepresentationFactory(user=UserFactory(email="new@example.org"), cooperative=newcomer)
    data = edit_data(partnership, [cooperative_b, newcomer])
    data["parties-0-DELETE"] = "on"

    with django_capture_on_commit_callbacks(execute=True):
        response = official.post(edit_url(partnership), data)

    assert response.status_code == 302
    organisations = set(partnership.parties.values_list("cooperative__name", flat=True))
    assert organisations == {"Koperasi Tani Makmur", "Koperasi Pendatang"}
    assert [message.to for message in mail.outbox] == [["new@example.org"]]


@pytest.mark.django_db
def test_editing_a_verified_partnership_says_the_change_waits_before_and_after_saving(official, partnership, cooperative_b):
    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk, override_note="checked")
    official.cookies["django_language"] = "en"

    page = official.get(edit_url(partnership))
    assert page.context["verified"] is True
    assert "visitors keep seeing the verified partnership" in html(page)

    response = official.post(edit_url(partnership), edit_data(partnership, [cooperative_b], title="Judul baru"), follow=True)

    partnership.refresh_from_db()
    assert (partnership.verification, partnership.title) == (Verification.VERIFIED, "Kerjasama simpan pinjam")
    messages = [str(m) for m in response.context["messages"]]
    assert any("wait for Dekopin's curators" in m for m in messages)


@pytest.mark.django_db
def test_an_invalid_edit_changes_nothing(official, partnership, cooperative_b, media_root):
    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk, override_note="checked")
    data = edit_data(partnership, [cooperative_b], title="Judul baru", end_date="2000-01-01", documents=[("Adendum", pdf())])

    response = official.post(edit_url(partnership), data)

    assert response.status_code == 400
    assert "end_date" in response.context["form"].errors
    partnership.refresh_from_db()
    assert partnership.title == "Kerjasama simpan pinjam"
    assert partnership.verification == Verification.VERIFIED
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_the_edit_page_lists_existing_documents_and_adds_new_ones(official, partnership, cooperative_b, media_root):
    response = official.post(edit_url(partnership), edit_data(partnership, [cooperative_b], documents=[("Perjanjian awal", pdf())]))
    assert response.status_code == 302

    response = official.post(edit_url(partnership), edit_data(partnership, [cooperative_b], documents=[("Adendum", pdf("adendum.pdf"))]))
    assert response.status_code == 302

    titles = sorted(partnership.documents.values_list("title", flat=True))
    assert titles == ["Adendum", "Perjanjian awal"]
    page = html(official.get(edit_url(partnership)))
    assert "Perjanjian awal" in page and "Adendum" in page
    document = partnership.documents.get(title="Adendum")
    assert reverse("partnerships:document_download", args=[partnership.reference, document.pk]) in page
    assert len(stored_files(media_root)) == 2


@pytest.mark.django_db
def test_the_edit_page_suggests_the_direction_from_the_tiers(official, user_a, cooperative_a):
    federation = CooperativeFactory(name="Puskop Jawa Barat", tier=Tier.SEKUNDER, individual_members=None)
    partnership = registered(user_a, cooperative_a, federation, direction="vertikal")

    response = official.get(edit_url(partnership))

    assert response.context["suggested_direction"] == "vertikal"
    assert 'data-suggested="vertikal"' in html(response)
    assert 'data-initiator-tier="primer"' in html(response)


@pytest.mark.django_db
def test_a_refused_registration_keeps_the_suggested_direction(official, cooperative_a, cooperative_b):
    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], direction=""))

    assert response.status_code == 400
    assert response.context["suggested_direction"] == "horizontal"


# --- The search that feeds the pickers -----------------------------------------------------


@pytest.mark.django_db
def test_search_finds_verified_cooperatives_and_partners_only(client):
    coop = CooperativeFactory(name="Koperasi Tani Harapan")
    partner = PartnerFactory(name="PT Tani Sentosa")
    CooperativeFactory(name="Koperasi Tani Tersembunyi", verification=Verification.PENDING)
    PartnerFactory(name="PT Tani Ditolak", verification=Verification.REJECTED, verification_note="palsu")

    response = client.get(SEARCH, {"q": "tani"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["type"], r["id"], r["name"]) for r in results] == [
        ("cooperative", coop.pk, "Koperasi Tani Harapan"),
        ("partner", partner.pk, "PT Tani Sentosa"),
    ]
    assert results[0]["tier"] == "primer"
    assert results[0]["province"] == "Jawa Barat"
    assert results[0]["value"] == token(coop)
    assert results[1]["tier"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["cooperative", "partner"])
def test_search_narrows_to_one_kind(client, kind):
    CooperativeFactory(name="Koperasi Sentosa")
    PartnerFactory(name="PT Sentosa")

    results = client.get(SEARCH, {"q": "sentosa", "type": kind}).json()["results"]

    assert [r["type"] for r in results] == [kind]


@pytest.mark.django_db
def test_search_gives_at_most_twenty_results_sharing_them_between_kinds(client):
    for n in range(25):
        CooperativeFactory(name=f"Koperasi Makmur {n:02d}")
        PartnerFactory(name=f"PT Makmur {n:02d}")

    both = client.get(SEARCH, {"q": "makmur"}).json()["results"]
    cooperatives = client.get(SEARCH, {"q": "makmur", "type": "cooperative"}).json()["results"]

    assert len(both) == 20
    assert sum(r["type"] == "partner" for r in both) == 10
    assert len(cooperatives) == 20


@pytest.mark.django_db
def test_search_with_an_empty_query_finds_nothing(client):
    CooperativeFactory()

    assert client.get(SEARCH, {"q": "  "}).json() == {"results": []}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "x", "type": "bank"}, "type"), ({"q": "tani\x00"}, "q"), ({"q": "x" * 101}, "q")],
)
def test_search_with_bad_input_is_a_400_naming_the_parameter(client, params, field):
    response = client.get(SEARCH, params)

    assert response.status_code == 400
    assert field in response.json()["errors"]


# --- The language ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_curated_lists_are_labelled_in_the_active_language(official):
    indonesian = html(official.get(CREATE))
    official.cookies["django_language"] = "en"
    english = html(official.get(CREATE))

    assert "Peningkatan daya tawar terhadap pihak ketiga" in indonesian
    assert "Bargaining power towards third parties" in english
    assert "Education and training" in english


# --- Query counts ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("cooperatives", [1, 5])
def test_create_page_queries_do_not_grow_with_the_officials_cooperatives(official, user_a, django_assert_num_queries, cooperatives):
    for _ in range(cooperatives - 1):
        RepresentationFactory(user=user_a, cooperative=CooperativeFactory())
    # 1 session, 2 user, 3 does the user act for a cooperative, 4 the first two of
    # them (is there only one to preselect?), 5 the user's cooperatives (select),
    # 6 provinces (proposed partner), 7 objectives, 8 fields (checkboxes).
    with django_assert_num_queries(8):
        response = official.get(CREATE)
    assert len(response.context["form"].fields["cooperative"].queryset) == cooperatives


@pytest.mark.django_db
@pytest.mark.parametrize(("others", "documents"), [(1, 1), (6, 4)])
def test_edit_page_queries_do_not_grow_with_parties_or_documents(official, user_a, cooperative_a, django_assert_num_queries, others, documents):
    partnership = registered(user_a, cooperative_a, *[CooperativeFactory() for _ in range(others)])
    for n in range(documents):
        PartnershipDocument.objects.create(
            partnership=partnership, title=f"Dokumen {n}", file=pdf(f"d{n}.pdf")
        )
    # 1 session, 2 user, 3 the partnership with its initiator, 4 may the user edit
    # it, 5 its parties with their organisations, 6 its objectives and 7 its fields
    # (the form's initial values), 8 its documents, 9 provinces (proposed partner),
    # 10 objectives and 11 fields (checkboxes).
    with django_assert_num_queries(11):
        response = official.get(edit_url(partnership))
    assert len(response.context["existing_documents"]) == documents
    assert len([f for f in response.context["parties"].forms if f.initial]) == others


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 20])
def test_search_queries_do_not_grow_with_results(client, django_assert_num_queries, rows):
    for n in range(rows):
        CooperativeFactory(name=f"Koperasi Bersama {n:02d}")
        PartnerFactory(name=f"PT Bersama {n:02d}")
    # 1 the cooperatives with their provinces, 2 the partners with theirs.
    with django_assert_num_queries(2):
        response = client.get(SEARCH, {"q": "bersama"})
    assert len(response.json()["results"]) == min(2 * rows, 20)


@pytest.mark.django_db
def test_a_refused_form_asks_for_the_files_again_only_when_some_were_sent(official, cooperative_a, cooperative_b):
    official.cookies["django_language"] = "en"

    without = official.post(CREATE, form_data(cooperative_a, [cooperative_b], title=""))
    with_file = official.post(CREATE, form_data(cooperative_a, [cooperative_b], title="", documents=[("Perjanjian", pdf())]))

    assert without.status_code == with_file.status_code == 400
    assert "Choose the documents again" not in html(without)
    assert "Choose the documents again" in html(with_file)


# --- Issue 12: the form says everything at once, and chooses nothing for the user --


@pytest.mark.django_db
def test_every_error_of_a_submission_shows_at_once_the_direction_among_them(official, cooperative_a, cooperative_b):
    """The direction's rule was the service's alone: its error came only once every
    other field was right. It is checked with the others now."""
    response = official.post(CREATE, form_data(cooperative_a, [cooperative_b], direction="", title="", start_date=""))

    assert response.status_code == 400
    assert {"title", "start_date", "direction"} <= set(response.context["form"].errors)
    page = html(response)
    assert 'id="id_title_error"' in page and 'id="id_direction_error"' in page and 'id="id_start_date_error"' in page


@pytest.mark.django_db
def test_a_business_partnership_needs_no_direction_and_gets_none(official, cooperative_a):
    buyer = PartnerFactory(name="PT Pembeli Gabah")

    response = official.post(CREATE, form_data(cooperative_a, [(buyer, "buyer")], direction="", title=""))

    assert "direction" not in response.context["form"].errors
    response = official.post(CREATE, form_data(cooperative_a, [(buyer, "buyer")], direction=""))
    assert response.status_code == 302
    assert Partnership.objects.get(title="Kerjasama pemasaran hasil tani").direction == ""


@pytest.mark.django_db
def test_the_suggested_direction_is_said_and_never_ticked(official, cooperative_a):
    """The page says the suggestion; no radio button comes ticked, and the script only
    ticks it when its button is pressed (tests/browser/test_registration_journey.py)."""
    federation = CooperativeFactory(name="Puskop Contoh", tier=Tier.SEKUNDER, individual_members=None)

    response = official.post(CREATE, form_data(cooperative_a, [federation], direction="", title=""))

    page = html(response)
    assert response.context["suggested_direction"] == "vertikal"
    assert "vertikal (tingkat berbeda)" in page
    assert 'name="direction" value="vertikal" class="form-check-input" id="id_direction_1" checked' not in page
    assert "checked" not in page.split('id="id_direction_0"')[0].rsplit("<input", 1)[-1]
    assert 'id="direction-use-suggestion"' in page


@pytest.mark.django_db
def test_optional_document_rows_are_not_marked_required(official, cooperative_a):
    page = html(official.get(CREATE))

    documents = page.split('id="documents-rows"')[1].split("</fieldset>")[0]
    assert 'class="text-danger" aria-hidden="true">*' not in documents
    assert " required" not in documents
    assert 'id="documents-optional"' in page


@pytest.mark.django_db
def test_a_form_sent_back_says_at_the_file_field_to_choose_the_file_again(official, cooperative_a, cooperative_b):
    response = official.post(
        CREATE, form_data(cooperative_a, [cooperative_b], title="", documents=[("Perjanjian", pdf())])
    )

    assert response.status_code == 400
    row = html(response).split('id="documents-rows"')[1].split("</fieldset>")[0]
    assert "Pilih lagi berkas ini" in row


@pytest.mark.django_db
def test_the_new_entity_fields_sit_together_for_the_script_to_show_when_ticked(official, cooperative_a):
    page = html(official.get(CREATE))

    group = page.split('id="new-entity-fields"')[1].split("</fieldset>")[0]
    assert 'name="new_entity_name"' in group and 'name="new_entity_kind"' in group
    assert 'name="new_entity"' not in group
