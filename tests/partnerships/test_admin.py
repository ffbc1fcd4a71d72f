"""The partnership admin as a Dekopin curator uses it: staff in the Dekopin group, no superuser."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kopnet.models import Verification
from partnerships.models import (
    Category,
    Confirmation,
    CooperationField,
    Direction,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
)
from registry.models import Tier
from kopnet.services import curator_save
from partnerships import services
from tests.admin_actions import confirmed_action
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    PartnershipFactory,
    PartyFactory,
    RepresentationFactory,
)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english(client, settings, tmp_path):
    # Messages are read in English here; Django's own ones come translated otherwise.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response):
    return " ".join(response.content.decode().split())


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def coops(db):
    return {
        "a": CooperativeFactory(name="Koperasi Tani Makmur"),
        "b": CooperativeFactory(name="Koperasi Nelayan Sejahtera"),
        "pusat": CooperativeFactory(name="Pusat Koperasi Jawa Barat", tier=Tier.SEKUNDER, individual_members=None),
        "abroad": CooperativeFactory(
            name="Credit Union National Association", tier=Tier.INDUK, country="US", province=None,
            individual_members=None,
        ),
    }  # fmt: skip


@pytest.fixture
def partnership(coops):
    return PartnershipFactory(title="Pemasaran Bersama Gabah", initiator=coops["a"], parties=[coops["a"], coops["b"]])


# --- every page loads for a curator ----------------------------------------------------


def page_urls(partnership):
    party = partnership.parties.first()
    document = PartnershipDocument.objects.create(
        partnership=partnership, title="Perjanjian", file=SimpleUploadedFile("perjanjian.pdf", PDF)
    )
    objective, field = Objective.objects.first(), CooperationField.objects.first()
    urls = []
    for model, obj in [
        ("partnership", partnership),
        ("objective", objective),
        ("cooperationfield", field),
        ("partnershipparty", party),
        ("partnershipdocument", document),
    ]:
        urls += [
            reverse(f"admin:partnerships_{model}_changelist"),
            reverse(f"admin:partnerships_{model}_change", args=[obj.pk]),
            reverse(f"admin:partnerships_{model}_history", args=[obj.pk]),
        ]
    urls += [
        reverse("admin:partnerships_partnership_add"),
        reverse("admin:partnerships_objective_add"),
        reverse("admin:partnerships_cooperationfield_add"),
        reverse("admin:partnerships_partnership_import"),
        reverse("admin:partnerships_partnership_export"),
    ]
    return urls


def test_curator_opens_every_partnership_admin_page(curator, partnership):
    for url in page_urls(partnership):
        assert curator.get(url).status_code == 200, url


def test_visitor_is_sent_to_login(visitor, partnership):
    response = visitor.get(reverse("admin:partnerships_partnership_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_curator_may_not_delete_a_partnership(curator, partnership):
    response = curator.get(reverse("admin:partnerships_partnership_delete", args=[partnership.pk]))

    assert response.status_code == 403
    assert Partnership.objects.filter(pk=partnership.pk).exists()


def test_parties_and_documents_are_edited_on_their_partnership_only(curator, partnership):
    party = partnership.parties.first()

    assert curator.get(reverse("admin:partnerships_partnershipparty_add")).status_code == 403
    assert curator.get(reverse("admin:partnerships_partnershipparty_delete", args=[party.pk])).status_code == 403
    change = curator.get(reverse("admin:partnerships_partnershipparty_change", args=[party.pk]))
    assert 'name="_save"' not in change.content.decode()


# --- list filters and search ------------------------------------------------------------


@pytest.fixture
def listed(coops):
    partner = PartnerFactory(name="PT Agro Mandiri")
    horizontal = PartnershipFactory(
        title="Kerjasama Horizontal", initiator=coops["a"], parties=[coops["a"], coops["b"]],
        start_date=datetime.date(2015, 3, 1), end_date=datetime.date(2016, 6, 30), status="selesai",
    )  # fmt: skip
    horizontal.objectives.set([Objective.objects.get(slug="daya-tawar")])
    business = PartnershipFactory(
        title="Kemitraan Usaha Pupuk", initiator=coops["a"], parties=[coops["a"], partner], direction="",
        start_date=datetime.date(2020, 1, 1), status="berjalan",
    )  # fmt: skip
    business.fields.set([CooperationField.objects.get(slug="perdagangan")])
    waiting = PartnershipFactory(
        title="Kerjasama Vertikal Menunggu", initiator=coops["a"], parties=[coops["a"]], direction="vertikal",
        verification=Verification.PENDING, start_date=datetime.date(2023, 5, 1),
    )  # fmt: skip
    PartyFactory(partnership=waiting, organisation=coops["pusat"], confirmation=Confirmation.PENDING)
    abroad = PartnershipFactory(
        title="Program Credit Union", initiator=coops["b"], parties=[coops["b"], coops["abroad"]],
        direction="vertikal", start_date=datetime.date(1985, 1, 1), end_date=datetime.date(1990, 1, 1),
    )  # fmt: skip
    return {"horizontal": horizontal, "business": business, "waiting": waiting, "abroad": abroad}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("category__exact=kemitraan_usaha", {"business"}),
        ("category__exact=antar_koperasi", {"horizontal", "waiting", "abroad"}),
        ("direction__exact=vertikal", {"waiting", "abroad"}),
        ("international__exact=1", {"abroad"}),
        ("status__exact=selesai", {"horizontal"}),
        ("verification__exact=pending", {"waiting"}),
        ("confirmed=yes", {"horizontal", "business", "abroad"}),
        ("confirmed=no", {"waiting"}),
        ("objectives__id__exact={daya_tawar}", {"horizontal"}),
        ("fields__id__exact={perdagangan}", {"business"}),
        ("year=2016", {"horizontal"}),
        ("year=1988", {"abroad"}),
        ("year=2024", {"business", "waiting"}),
        ("year=abc", set()),
        ("q=menunggu", {"waiting"}),
        ("q=credit+union", {"abroad"}),
        ("q=agro+mandiri", {"business"}),
        ("q=pusat", {"waiting"}),
    ],
)
def test_partnership_filters_and_search(curator, listed, query, expected):
    query = query.format(
        daya_tawar=Objective.objects.get(slug="daya-tawar").pk,
        perdagangan=CooperationField.objects.get(slug="perdagangan").pk,
    )
    response = curator.get(reverse("admin:partnerships_partnership_changelist") + "?" + query)

    assert response.status_code == 200
    titles = {partnership.title for partnership in response.context["cl"].result_list}
    assert titles == {listed[name].title for name in expected}


def test_search_by_reference(curator, listed):
    reference = listed["abroad"].reference

    response = curator.get(reverse("admin:partnerships_partnership_changelist"), {"q": reference})

    assert [p.reference for p in response.context["cl"].result_list] == [reference]


def test_changelist_shows_whether_all_cooperative_parties_confirmed(curator, listed):
    response = curator.get(reverse("admin:partnerships_partnership_changelist"))

    shown = {p.title: p.all_confirmed for p in response.context["cl"].result_list}
    assert shown[listed["waiting"].title] is False
    assert shown[listed["business"].title] is True  # a partner party needs no confirmation


def test_nul_in_the_address_is_refused(curator, db):
    response = curator.get(reverse("admin:partnerships_partnership_changelist") + "?q=%00")

    assert response.status_code == 400


def test_changelist_queries_do_not_grow_with_rows(curator, coops):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert curator.get(reverse("admin:partnerships_partnership_changelist")).status_code == 200
        return len(captured)

    PartnershipFactory(initiator=coops["a"], parties=[coops["a"], coops["b"]])
    with_one = queries()
    for _ in range(15):
        PartnershipFactory(initiator=coops["b"], parties=[coops["b"], PartnerFactory()], direction="")

    # session, user, the user's and the group's permissions, the objective and the
    # field filters' choices, the year filter's first year, the count, the unfiltered
    # count, and the page with each row's initiator and whether all confirmed (one
    # query: select_related and an Exists subquery).
    assert queries() == with_one


# --- verify and reject ------------------------------------------------------------------


def run_action(client, action, objects, **extra):
    return client.post(
        reverse("admin:partnerships_partnership_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
    )


def confirmed(client, action, objects, **fields):
    """The action, then its page's form sent back (tests.admin_actions)."""
    return confirmed_action(client, reverse("admin:partnerships_partnership_changelist"), action, objects, **fields)


@pytest.fixture
def unconfirmed(coops):
    partnership = PartnershipFactory(
        title="Menunggu Konfirmasi", initiator=coops["a"], parties=[coops["a"]], verification=Verification.PENDING
    )
    PartyFactory(partnership=partnership, organisation=coops["b"], confirmation=Confirmation.PENDING)
    return partnership


def test_verify_is_refused_while_a_cooperative_party_has_not_confirmed(curator, unconfirmed):
    response = run_action(curator, "verify_selected", [unconfirmed])

    assert response.status_code == 200
    assert 'name="override_note"' in response.content.decode()
    assert "Koperasi Nelayan Sejahtera" in text(response)
    assert any(
        "1 partnership was not verified: a cooperative party has not confirmed" in message
        for message in messages_of(response)
    )
    unconfirmed.refresh_from_db()
    assert unconfirmed.verification == Verification.PENDING
    assert unconfirmed.history.count() == 1


@pytest.mark.parametrize("note", ["", "   "])
def test_verify_without_an_override_note_verifies_nothing(curator, unconfirmed, note):
    response = confirmed(curator, "verify_selected", [unconfirmed], override_note=note)

    assert response.status_code == 200
    assert "An override note is needed: nothing was verified." in messages_of(response)
    unconfirmed.refresh_from_db()
    assert unconfirmed.verification == Verification.PENDING


def test_verify_with_an_override_note_records_who_when_and_why(curator, curator_user, unconfirmed):
    response = confirmed(curator, "verify_selected", [unconfirmed], override_note="  Dikonfirmasi lewat telepon. ")

    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    assert unconfirmed.verification == Verification.VERIFIED
    assert (unconfirmed.verification_by, unconfirmed.verification_override) == (
        curator_user,
        "Dikonfirmasi lewat telepon.",
    )
    assert unconfirmed.verification_at is not None
    record = unconfirmed.history.first()
    assert (record.history_change_reason, record.history_user) == ("verified", curator_user)
    assert record.verification_override == "Dikonfirmasi lewat telepon."
    assert LogEntry.objects.filter(object_id=str(unconfirmed.pk), change_message__contains="override").exists()
    assert "1 partnership verified." in messages_of(response)


def test_verify_shows_every_partnership_first_and_the_note_overrides_only_the_waiting_ones(
    curator, curator_user, unconfirmed, coops
):
    ready = PartnershipFactory(initiator=coops["a"], parties=[coops["a"], coops["b"]], verification=Verification.PENDING)

    page = run_action(curator, "verify_selected", [ready, unconfirmed])

    assert page.status_code == 200
    assert sorted(page.context["selected"]) == sorted([ready.pk, unconfirmed.pk])
    assert ready.reference in text(page) and unconfirmed.reference in text(page)
    assert Partnership.objects.filter(verification=Verification.VERIFIED).count() == 0

    response = confirmed(curator, "verify_selected", [ready, unconfirmed], override_note="Ditelepon")

    assert response.status_code == 302
    ready.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert (ready.verification, ready.verification_by, ready.verification_override) == (
        Verification.VERIFIED,
        curator_user,
        "",
    )
    assert (unconfirmed.verification, unconfirmed.verification_override) == (Verification.VERIFIED, "Ditelepon")
    assert "2 partnerships verified." in messages_of(response)


def test_a_confirmed_partnership_is_verified_from_a_page_without_a_note(curator, coops):
    ready = PartnershipFactory(initiator=coops["a"], parties=[coops["a"], coops["b"]], verification=Verification.PENDING)

    page = run_action(curator, "verify_selected", [ready])
    assert page.status_code == 200
    assert 'name="override_note"' not in page.content.decode()

    confirmed(curator, "verify_selected", [ready])

    ready.refresh_from_db()
    assert ready.verification == Verification.VERIFIED


def test_a_partnership_its_initiator_changed_after_the_page_was_shown_is_not_verified(curator, coops):
    edited = PartnershipFactory(
        title="Pemasaran Bersama Gabah", initiator=coops["a"], parties=[coops["a"], coops["b"]],
        verification=Verification.PENDING,
    )  # fmt: skip
    other = PartnershipFactory(initiator=coops["a"], parties=[coops["a"], coops["b"]], verification=Verification.PENDING)
    page = run_action(curator, "verify_selected", [edited, other])

    # While the curator reads the page, the initiator's official changes the value.
    official = RepresentationFactory(cooperative=coops["a"]).user
    changed = Partnership.objects.get(pk=edited.pk)
    changed.value = 999_000_000_000
    services.partnership_update(
        user=official, partnership=changed, parties=list(edited.parties.all()), objectives=[], fields=[],
        version=changed.version,
    )  # fmt: skip
    response = curator.post(
        reverse("admin:partnerships_partnership_changelist"),
        {"action": "verify_selected", "_selected_action": page.context["selected"],
         "versions": page.context["versions"], "apply": "yes"},
    )  # fmt: skip

    edited.refresh_from_db()
    other.refresh_from_db()
    said = messages_of(response)
    assert (edited.verification, edited.value) == (Verification.PENDING, 999_000_000_000)
    assert other.verification == Verification.VERIFIED, said
    assert f"{edited} was changed after you opened it: review it again." in said
    assert "1 partnership verified." in said


def test_reject_first_asks_for_a_reason(curator, unconfirmed):
    response = run_action(curator, "reject_selected", [unconfirmed])

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    unconfirmed.refresh_from_db()
    assert unconfirmed.verification == Verification.PENDING


def test_reject_without_a_reason_is_refused(curator, unconfirmed):
    response = run_action(curator, "reject_selected", [unconfirmed], apply="yes", reason=" ")

    assert "A rejection needs a reason: nothing was rejected." in messages_of(response)
    unconfirmed.refresh_from_db()
    assert unconfirmed.verification == Verification.PENDING


def test_reject_with_a_reason_records_who_when_and_why(curator, curator_user, unconfirmed):
    response = confirmed(curator, "reject_selected", [unconfirmed], reason="Dokumen tidak sah.")

    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    assert (unconfirmed.verification, unconfirmed.verification_by, unconfirmed.verification_note) == (
        Verification.REJECTED,
        curator_user,
        "Dokumen tidak sah.",
    )
    record = unconfirmed.history.first()
    assert (record.history_change_reason, record.history_user) == ("rejected", curator_user)
    history = curator.get(reverse("admin:partnerships_partnership_history", args=[unconfirmed.pk]))
    assert "curator" in text(history)


# --- the change form with its inlines -----------------------------------------------------


def partnership_form(partnership=None, parties=(), documents=(), **changes):
    """The change (or add) form as the browser posts it, with the parties and documents inlines."""
    data = {
        "title": partnership.title if partnership else "Kerjasama Baru",
        "description": "",
        "initiator": partnership.initiator_id if partnership else "",
        "status": partnership.status if partnership else "diusulkan",
        "direction": partnership.direction if partnership else "",
        "objectives": [o.pk for o in partnership.objectives.all()] if partnership else [],
        "fields": [f.pk for f in partnership.fields.all()] if partnership else [],
        "start_date": partnership.start_date.isoformat() if partnership else "2024-01-15",
        "end_date": "",
        "value": "",
        "currency": "IDR",
        "new_entity_name": "",
        "new_entity_kind": "",
        "new_entity_cooperative": "",
    }
    data.update(changes)
    existing = list(partnership.parties.all()) if partnership else []
    rows = [
        {"id": p.pk, "cooperative": p.cooperative_id or "", "partner": p.partner_id or "", "role": p.role}
        for p in existing
    ] + list(parties)
    data.update({"parties-TOTAL_FORMS": len(rows), "parties-INITIAL_FORMS": len(existing),
                 "parties-MIN_NUM_FORMS": 0, "parties-MAX_NUM_FORMS": 1000})  # fmt: skip
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"parties-{i}-{key}"] = value
    data.update({"documents-TOTAL_FORMS": len(documents), "documents-INITIAL_FORMS": 0,
                 "documents-MIN_NUM_FORMS": 0, "documents-MAX_NUM_FORMS": 1000})  # fmt: skip
    for i, row in enumerate(documents):
        for key, value in row.items():
            data[f"documents-{i}-{key}"] = value
    return data


def new_party(organisation, role="member"):
    is_partner = organisation.__class__.__name__ == "Partner"
    return {
        "id": "",
        "cooperative": "" if is_partner else organisation.pk,
        "partner": organisation.pk if is_partner else "",
        "role": role,
    }


def post_change(client, partnership, data):
    return client.post(reverse("admin:partnerships_partnership_change", args=[partnership.pk]), data)


def test_adding_a_partner_through_the_inline_makes_it_a_business_partnership_and_deleting_it_undoes_that(
    curator, partnership
):
    partner = PartnerFactory(name="PT Pupuk Nusantara", country="NL", province=None)

    response = post_change(curator, partnership, partnership_form(partnership, [new_party(partner, "supplier")]))

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.category, partnership.international) == (Category.KEMITRAAN_USAHA, True)
    added = partnership.parties.get(partner=partner)
    assert (added.role, added.confirmation) == ("supplier", Confirmation.PENDING)

    data = partnership_form(partnership)
    row = next(i for i in range(3) if data[f"parties-{i}-partner"] == partner.pk)
    data[f"parties-{row}-DELETE"] = "on"
    response = post_change(curator, partnership, data)

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.category, partnership.international) == (Category.ANTAR_KOPERASI, False)
    assert not partnership.parties.filter(partner=partner).exists()
    assert PartnershipParty.history.filter(partnership_id=partnership.pk, history_type="-").count() == 1


def test_a_cooperative_abroad_through_the_inline_makes_it_international(curator, partnership, coops):
    response = post_change(curator, partnership, partnership_form(partnership, [new_party(coops["abroad"])]))

    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.category, partnership.international) == (Category.ANTAR_KOPERASI, True)


def test_fewer_than_two_parties_is_a_form_error(curator, partnership):
    data = partnership_form(partnership)
    data["parties-1-DELETE"] = "on"

    response = post_change(curator, partnership, data)

    assert response.status_code == 200
    assert "A partnership has at least two parties." in text(response)
    assert partnership.parties.count() == 2


def test_the_same_cooperative_twice_is_a_form_error(curator, partnership, coops):
    response = post_change(curator, partnership, partnership_form(partnership, [new_party(coops["b"])]))

    assert response.status_code == 200
    assert "Each organisation appears only once among the parties." in text(response)
    assert partnership.parties.count() == 2


def test_the_initiator_must_be_a_party(curator, partnership, coops):
    response = post_change(curator, partnership, partnership_form(partnership, initiator=coops["pusat"].pk))

    assert response.status_code == 200
    assert "The initiating cooperative must be one of the parties." in text(response)
    partnership.refresh_from_db()
    assert partnership.initiator == coops["a"]


@pytest.mark.parametrize("both", [True, False])
def test_a_party_that_is_both_or_neither_is_a_form_error_said_once(curator, partnership, coops, both):
    row = {"id": "", "cooperative": "", "partner": "", "role": "supplier"}
    if both:
        row.update(cooperative=coops["pusat"].pk, partner=PartnerFactory().pk)

    response = post_change(curator, partnership, partnership_form(partnership, [row]))

    assert response.status_code == 200
    assert text(response).count("A party is exactly one cooperative or one partner.") == 1
    assert partnership.parties.count() == 2


def test_between_cooperatives_a_direction_is_needed(curator, partnership):
    response = post_change(curator, partnership, partnership_form(partnership, direction=""))

    assert response.status_code == 200
    assert "A partnership between cooperatives is vertical or horizontal: choose one." in text(response)


def test_replacing_a_partys_cooperative_waits_for_the_new_ones_confirmation(curator, partnership, coops):
    data = partnership_form(partnership)
    row = next(i for i in range(2) if data[f"parties-{i}-cooperative"] == coops["b"].pk)
    data[f"parties-{row}-cooperative"] = coops["pusat"].pk
    data["direction"] = Direction.VERTIKAL

    response = post_change(curator, partnership, data)

    assert response.status_code == 302
    party = partnership.parties.get(cooperative=coops["pusat"])
    assert (party.confirmation, party.confirmed_by, party.confirmed_at) == (Confirmation.PENDING, None, None)


def test_curator_adds_a_partnership_with_its_parties(curator, curator_user, coops):
    data = partnership_form(
        parties=[new_party(coops["a"], "initiator"), new_party(coops["pusat"])],
        initiator=coops["a"].pk,
        title="Pengadaan Pupuk Bersama",
        direction=Direction.VERTIKAL,
    )

    response = curator.post(reverse("admin:partnerships_partnership_add"), data)

    assert response.status_code == 302
    partnership = Partnership.objects.get(title="Pengadaan Pupuk Bersama")
    assert partnership.reference.startswith(f"KS-{datetime.date.today().year}-")
    assert (partnership.created_by, partnership.verification) == (curator_user, Verification.PENDING)
    assert partnership.category == Category.ANTAR_KOPERASI
    assert partnership.parties.count() == 2


@pytest.mark.parametrize("parties", [0, 1])
def test_adding_a_partnership_with_fewer_than_two_parties_is_refused(curator, coops, parties):
    rows = [new_party(coops["a"], "initiator")][:parties]
    data = partnership_form(parties=rows, initiator=coops["a"].pk, direction=Direction.HORIZONTAL)

    response = curator.post(reverse("admin:partnerships_partnership_add"), data)

    assert response.status_code == 200
    assert "A partnership has at least two parties." in text(response)
    assert not Partnership.objects.exists()


def test_adding_a_partnership_without_an_initiator_is_refused(curator, coops):
    data = partnership_form(parties=[new_party(coops["a"]), new_party(coops["b"])], direction=Direction.HORIZONTAL)

    response = curator.post(reverse("admin:partnerships_partnership_add"), data)

    assert response.status_code == 200
    assert "initiator" in response.context["adminform"].form.errors
    assert not Partnership.objects.exists()


def test_add_page_offers_two_party_rows(curator, db):
    response = curator.get(reverse("admin:partnerships_partnership_add"))

    assert 'name="parties-TOTAL_FORMS" value="2"' in response.content.decode()


# --- documents inline -----------------------------------------------------------------------


def test_document_inline_refuses_a_text_file_named_pdf(curator, partnership):
    fake = SimpleUploadedFile("perjanjian.pdf", b"just some text, not a PDF", content_type="application/pdf")
    data = partnership_form(partnership, documents=[{"id": "", "title": "Perjanjian", "date": "", "file": fake}])

    response = post_change(curator, partnership, data)

    assert response.status_code == 200
    document_form = response.context["inline_admin_formsets"][1].formset.forms[0]
    assert "file" in document_form.errors
    assert "Only PDF, PNG or JPEG documents are accepted" in text(response)
    assert not PartnershipDocument.objects.exists()


def test_document_inline_stores_a_pdf_with_who_uploaded_it(curator, curator_user, partnership):
    pdf = SimpleUploadedFile("perjanjian kerjasama.pdf", PDF, content_type="application/pdf")
    data = partnership_form(partnership, documents=[{"id": "", "title": "Perjanjian", "date": "2024-02-01", "file": pdf}])

    response = post_change(curator, partnership, data)

    assert response.status_code == 302
    document = partnership.documents.get()
    assert (document.content_type, document.uploaded_by, document.original_name) == (
        "application/pdf",
        curator_user,
        "perjanjian kerjasama.pdf",
    )
    assert "perjanjian" not in document.file.name  # a random name, not the uploaded one


def test_existing_documents_are_not_linked_to_media_url(curator, partnership, settings):
    PartnershipDocument.objects.create(
        partnership=partnership, title="Perjanjian", file=SimpleUploadedFile("perjanjian.pdf", PDF)
    )

    content = curator.get(reverse("admin:partnerships_partnership_change", args=[partnership.pk])).content.decode()

    assert f'href="{settings.MEDIA_URL}' not in content


# --- curated lists --------------------------------------------------------------------------


def test_curator_adds_an_objective(curator, db):
    response = curator.post(
        reverse("admin:partnerships_objective_add"),
        {"slug": "ketahanan-pangan", "name": "Ketahanan pangan", "name_en": "Food security"},
    )

    assert response.status_code == 302
    assert Objective.objects.filter(slug="ketahanan-pangan").exists()


def test_objective_picker_finds_curated_objectives(curator, db):
    response = curator.get(
        reverse("admin:autocomplete"),
        {"app_label": "partnerships", "model_name": "partnership", "field_name": "objectives", "term": "daya"},
    )

    assert response.status_code == 200
    assert len(response.json()["results"]) >= 1


def test_party_picker_finds_cooperatives(curator, coops):
    response = curator.get(
        reverse("admin:autocomplete"),
        {"app_label": "partnerships", "model_name": "partnershipparty", "field_name": "cooperative", "term": "nelayan"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["Koperasi Nelayan Sejahtera"]


def test_party_list_filters_by_confirmation(curator, unconfirmed):
    response = curator.get(reverse("admin:partnerships_partnershipparty_changelist"), {"confirmation__exact": "pending"})

    assert [party.cooperative.name for party in response.context["cl"].result_list] == ["Koperasi Nelayan Sejahtera"]
    assert PartnershipParty.objects.count() == 2


def test_change_page_shows_who_answered_for_each_party(curator, coops, unconfirmed):
    from tests.factories import UserFactory

    party = unconfirmed.parties.get(cooperative=coops["b"])
    party.confirmation, party.decline_reason = Confirmation.DECLINED, "Belum dibahas."
    party.confirmed_by, party.confirmed_at = UserFactory(username="pengurus_nelayan"), datetime.datetime(
        2024, 5, 1, 9, 0, tzinfo=datetime.timezone.utc
    )
    party.save()

    page = text(curator.get(reverse("admin:partnerships_partnership_change", args=[unconfirmed.pk])))

    assert "Declined (pengurus_nelayan, 2024-05-01" in page
    assert "Belum dibahas." in page


# --- declined, waiting and unverified are different cases on the verify page ----------


def test_a_declined_partnership_is_not_verified_even_with_an_override_note(curator, coops):
    declined = PartnershipFactory(
        title="Ditolak Pihak B", initiator=coops["a"], parties=[coops["a"]], verification=Verification.PENDING
    )
    PartyFactory(partnership=declined, organisation=coops["b"], confirmation=Confirmation.DECLINED, decline_reason="Tidak")

    response = run_action(curator, "verify_selected", [declined], apply="yes", override_note="Ditelepon")

    assert any("a cooperative party declined" in message for message in messages_of(response))
    declined.refresh_from_db()
    assert declined.verification == Verification.PENDING


def test_a_partnership_naming_an_unverified_partner_asks_to_verify_it_too(curator, coops):
    partner = PartnerFactory(name="PT Baru Diusulkan", verification=Verification.PENDING)
    named = PartnershipFactory(
        title="Dengan Mitra Baru", initiator=coops["a"], parties=[coops["a"], coops["b"], partner],
        verification=Verification.PENDING,
    )  # fmt: skip

    page = run_action(curator, "verify_selected", [named])
    assert page.status_code == 200
    assert 'name="verify_organisations"' in page.content.decode()
    assert "PT Baru Diusulkan" in text(page)
    refused = confirmed(curator, "verify_selected", [named])
    assert refused.status_code == 200
    named.refresh_from_db()
    assert named.verification == Verification.PENDING

    confirmed(curator, "verify_selected", [named], verify_organisations="on")

    named.refresh_from_db()
    partner.refresh_from_db()
    assert (named.verification, partner.verification) == (Verification.VERIFIED, Verification.VERIFIED)


def test_an_organisation_changed_after_the_page_was_shown_is_not_verified_with_the_partnership(curator, coops):
    partner = PartnerFactory(name="PT Baru Diusulkan", verification=Verification.PENDING)
    named = PartnershipFactory(
        title="Dengan Mitra Baru", initiator=coops["a"], parties=[coops["a"], coops["b"], partner],
        verification=Verification.PENDING,
    )  # fmt: skip
    page = run_action(curator, "verify_selected", [named])
    assert f"partner:{partner.pk}:{partner.version}" in page.context["extra_fields"]["organisation_versions"]

    # The partner is renamed (a curator's edit elsewhere) while the page is read.
    renamed = type(partner).objects.get(pk=partner.pk)
    renamed.name = "PT Nama Lain"
    curator_save(curator=CuratorFactory(username="other_curator"), record=renamed, fields=["name"], version=renamed.version)
    response = curator.post(
        reverse("admin:partnerships_partnership_changelist"),
        {"action": "verify_selected", "_selected_action": page.context["selected"],
         "versions": page.context["versions"], "apply": "yes", "verify_organisations": "on",
         **page.context["extra_fields"]},
    )  # fmt: skip

    named.refresh_from_db()
    partner.refresh_from_db()
    assert (named.verification, partner.verification) == (Verification.PENDING, Verification.PENDING)
    assert "PT Nama Lain was changed after you opened it: review it again." in " ".join(messages_of(response))
