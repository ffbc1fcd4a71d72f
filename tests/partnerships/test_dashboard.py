"""The official's dashboard (/akun/): my cooperatives, partnerships waiting for my
answer (confirm, or decline with a reason), and what my cooperatives registered."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone, translation

from kopnet.models import Verification
from partnerships.models import Confirmation, Partnership, PartnershipParty
from partnerships.views import dashboard
from registry.models import MembershipProposal, ProposalState, RepresentationState, Tier
from tests.factories import (
    CooperativeFactory,
    CuratorFactory,
    PartnerFactory,
    PartnershipFactory,
    RepresentationFactory,
    UserFactory,
)

PAGE = dashboard.PAGE_SIZE


def waiting_for(cooperative, **kwargs):
    """A pending partnership registered by another cooperative, waiting for `cooperative`'s answer."""
    initiator = CooperativeFactory()
    partnership = PartnershipFactory(
        initiator=initiator, parties=[initiator, cooperative], verification=Verification.PENDING, **kwargs
    )
    PartnershipParty.objects.filter(partnership=partnership, cooperative=cooperative).update(
        confirmation=Confirmation.PENDING
    )
    return partnership.parties.get(cooperative=cooperative)


def registered_by(cooperative, **kwargs):
    """A partnership `cooperative` registered, with another cooperative that has not answered yet."""
    other = CooperativeFactory()
    partnership = PartnershipFactory(
        initiator=cooperative, parties=[cooperative, other], verification=Verification.PENDING, **kwargs
    )
    PartnershipParty.objects.filter(partnership=partnership, cooperative=other).update(
        confirmation=Confirmation.PENDING
    )
    return partnership


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


# --- the page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_lists_my_approved_and_requested_cooperatives_with_their_state(official, cooperative_a):
    user = official.session["_auth_user_id"]
    requested = CooperativeFactory(name="Koperasi Baru Diminta", verification=Verification.PENDING)
    RepresentationFactory(user_id=user, cooperative=requested, state=RepresentationState.REQUESTED)
    revoked = CooperativeFactory(name="Koperasi Dicabut")
    RepresentationFactory(user_id=user, cooperative=revoked, state=RepresentationState.REVOKED)
    someone_elses = CooperativeFactory(name="Koperasi Orang Lain")
    RepresentationFactory(cooperative=someone_elses)

    response = official.get("/akun/")

    assert response.status_code == 200
    states = {r.cooperative.name: r.state for r in response.context["representations"]}
    assert states == {cooperative_a.name: "approved", requested.name: "requested"}
    html = response.content.decode()
    assert f'href="/koperasi/{cooperative_a.slug}/ubah/"' in html
    assert f'href="/koperasi/{requested.slug}/ubah/"' not in html
    assert "Koperasi Dicabut" not in html
    assert "Koperasi Orang Lain" not in html


@pytest.mark.django_db
def test_dashboard_lists_partnerships_waiting_for_my_answer_with_confirm_and_decline_forms(official, cooperative_a):
    party = waiting_for(cooperative_a, title="Pengadaan Pupuk Bersama")
    answered = waiting_for(cooperative_a, title="Sudah Dijawab")
    PartnershipParty.objects.filter(pk=answered.pk).update(confirmation=Confirmation.CONFIRMED)
    not_mine = waiting_for(CooperativeFactory(), title="Bukan Urusan Saya")

    response = official.get("/akun/")

    assert [p.pk for p in response.context["awaiting_page"].object_list] == [party.pk]
    html = response.content.decode()
    assert "Pengadaan Pupuk Bersama" in html
    assert f'href="/kerjasama/{party.partnership.reference}/"' in html
    assert f'action="/kerjasama/pihak/{party.pk}/konfirmasi/"' in html
    assert f'action="/kerjasama/pihak/{party.pk}/tolak/"' in html
    assert f'id="decline-{party.pk}-reason"' in html
    assert f'for="decline-{party.pk}-reason"' in html
    assert not_mine.partnership.title not in html
    # The answered one is no card any more: it stays in the list of my cooperatives'
    # partnerships only (a row, without answer forms).
    assert f'action="/kerjasama/pihak/{answered.pk}/tolak/"' not in html
    assert [p.title for p in response.context["registered_page"].object_list] == ["Sudah Dijawab", "Pengadaan Pupuk Bersama"]


@pytest.mark.django_db
def test_dashboard_lists_what_my_cooperatives_registered_with_confirmation_and_verification(
    official, cooperative_a, english
):
    partnership = registered_by(cooperative_a, title="Pemasaran Kopi Bersama")
    partner = PartnerFactory(name="PT Mitra Kopi")
    PartnershipParty.objects.create(partnership=partnership, partner=partner, role="buyer")
    other = registered_by(CooperativeFactory(), title="Kerjasama Koperasi Lain")

    response = official.get("/akun/")

    page = response.context["registered_page"]
    assert [p.pk for p in page.object_list] == [partnership.pk]
    confirmations = {party["name"]: party["confirmation"] for party in page.object_list[0].party_answers}
    assert confirmations[cooperative_a.name] == "confirmed"
    assert sorted(confirmations.values()) == ["confirmed", "pending", "pending"]
    html = response.content.decode()
    assert f'href="/kerjasama/{partnership.reference}/"' in html
    assert f'href="/kerjasama/{partnership.reference}/ubah/"' in html
    assert "Waiting for confirmation" in html
    assert "Pending verification" in html
    assert "PT Mitra Kopi" in html
    assert other.title not in html
    assert 'href="/kerjasama/baru/"' in html


@pytest.mark.django_db
def test_dashboard_of_a_user_without_an_approved_cooperative_offers_to_ask_not_to_register(client):
    client.force_login(UserFactory())
    html = client.get("/akun/").content.decode()
    assert 'href="/akun/wakili/"' in html
    assert 'href="/koperasi/baru/"' in html
    assert 'href="/kerjasama/baru/"' not in html


@pytest.mark.django_db
def test_dashboard_page_out_of_range_is_a_404(official):
    assert official.get("/akun/", {"awaiting_page": "9"}).status_code == 404
    assert official.get("/akun/", {"registered_page": "x"}).status_code == 404


# --- confirm and decline ------------------------------------------------------------


@pytest.mark.django_db
def test_confirm_records_who_and_when_and_says_so(official, cooperative_a):
    party = waiting_for(cooperative_a)

    response = official.post(f"/kerjasama/pihak/{party.pk}/konfirmasi/", follow=True)

    assert response.redirect_chain == [("/akun/", 302)]
    party.refresh_from_db()
    assert party.confirmation == Confirmation.CONFIRMED
    assert party.confirmed_by.username == "official_a"
    assert party.confirmed_at is not None
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert list(response.context["awaiting_page"].object_list) == []


@pytest.mark.django_db
def test_decline_with_a_reason_records_it(official, cooperative_a):
    party = waiting_for(cooperative_a)

    response = official.post(f"/kerjasama/pihak/{party.pk}/tolak/", {"reason": "  Kami tidak pernah sepakat.  "})

    assert response.status_code == 302
    assert response.url == "/akun/"
    party.refresh_from_db()
    assert party.confirmation == Confirmation.DECLINED
    assert party.decline_reason == "Kami tidak pernah sepakat."
    assert party.confirmed_by.username == "official_a"


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}])
def test_decline_without_a_usable_reason_shows_the_dashboard_with_the_error(official, cooperative_a, data):
    party = waiting_for(cooperative_a)

    response = official.post(f"/kerjasama/pihak/{party.pk}/tolak/", data)

    assert response.status_code == 400
    assert response.templates[0].name == "partnerships/dashboard.html"
    [shown] = response.context["awaiting_page"].object_list
    assert "reason" in shown.decline_form.errors
    assert f'id="decline-{party.pk}-reason_error"' in response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    party.refresh_from_db()
    assert party.confirmation == Confirmation.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["konfirmasi", "tolak"])
def test_answering_twice_is_a_400_and_changes_nothing(official, cooperative_a, action):
    party = waiting_for(cooperative_a)
    official.post(f"/kerjasama/pihak/{party.pk}/konfirmasi/")

    response = official.post(f"/kerjasama/pihak/{party.pk}/{action}/", {"reason": "Berubah pikiran."})

    assert response.status_code == 400
    assert [m.level_tag for m in response.context["messages"]] == ["success", "error"]
    party.refresh_from_db()
    assert party.confirmation == Confirmation.CONFIRMED


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["konfirmasi", "tolak"])
def test_answering_for_a_cooperative_i_do_not_act_for_is_a_404(cooperative_a, cooperative_b, action):
    party = waiting_for(cooperative_a)
    other_official = UserFactory(username="official_b")
    RepresentationFactory(user=other_official, cooperative=cooperative_b)
    requested_only = UserFactory()
    RepresentationFactory(user=requested_only, cooperative=cooperative_a, state=RepresentationState.REQUESTED)
    revoked = UserFactory()
    RepresentationFactory(user=revoked, cooperative=cooperative_a, state=RepresentationState.REVOKED)

    for user in [other_official, requested_only, revoked, CuratorFactory()]:
        response = client_for(user).post(f"/kerjasama/pihak/{party.pk}/{action}/", {"reason": "Bukan kami."})
        assert response.status_code == 404, user.username

    party.refresh_from_db()
    assert party.confirmation == Confirmation.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["konfirmasi", "tolak"])
def test_answering_for_a_partner_party_or_a_missing_party_is_a_404(official, cooperative_a, action):
    partnership = registered_by(cooperative_a)
    partner_party = PartnershipParty.objects.create(partnership=partnership, partner=PartnerFactory())

    assert official.post(f"/kerjasama/pihak/{partner_party.pk}/{action}/", {"reason": "x"}).status_code == 404
    assert official.post(f"/kerjasama/pihak/999999/{action}/", {"reason": "x"}).status_code == 404
    assert official.post(f"/kerjasama/pihak/{'9' * 30}/{action}/", {"reason": "x"}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["konfirmasi", "tolak"])
def test_answering_by_get_is_a_405(official, cooperative_a, action):
    party = waiting_for(cooperative_a)
    assert official.get(f"/kerjasama/pihak/{party.pk}/{action}/").status_code == 405
    party.refresh_from_db()
    assert party.confirmation == Confirmation.PENDING


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["konfirmasi", "tolak"])
def test_visitor_answering_is_sent_to_sign_in(visitor, cooperative_a, action):
    party = waiting_for(cooperative_a)
    response = visitor.post(f"/kerjasama/pihak/{party.pk}/{action}/", {"reason": "x"})
    assert response.status_code == 302
    assert response.url.startswith("/akun/masuk/")
    party.refresh_from_db()
    assert party.confirmation == Confirmation.PENDING


# --- query counts -----------------------------------------------------------------------


def change_waiting_for(cooperative):
    """A verified partnership naming `cooperative` whose initiator proposed a new title."""
    from django.contrib.contenttypes.models import ContentType

    from kopnet.models import Revision
    from partnerships.models import ChangeAnswer, Partnership
    from tests.factories import PartnershipFactory

    partnership = PartnershipFactory(parties=[CooperativeFactory(), cooperative])
    revision = Revision.objects.create(
        content_type=ContentType.objects.get_for_model(Partnership), object_id=partnership.pk,
        base_version=partnership.version, changes={"title": "Judul baru", "parties": []},
    )  # fmt: skip
    ChangeAnswer.objects.create(revision=revision, cooperative=cooperative)
    return partnership



@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_the_registered_rows_parties_say_what_the_party_models_say(official, cooperative_a, language):
    # The dashboard reads its parties as rows (selectors.party_answers), not models.
    partnership = registered_by(cooperative_a)
    PartnershipParty.objects.create(partnership=partnership, partner=PartnerFactory(name="PT Mitra Kopi"), role="buyer")
    declined = CooperativeFactory(name="Koperasi Yang Menolak")
    PartnershipParty.objects.create(
        partnership=partnership, cooperative=declined, role="buyer",
        confirmation=Confirmation.DECLINED, decline_reason="Bukan kami & <b>salah</b>",
    )  # fmt: skip
    official.cookies["django_language"] = language

    response = official.get("/akun/")

    [shown] = response.context["registered_page"].object_list
    with translation.override(language):
        expected = [
            (party.organisation.name, party.partner_id, party.confirmation, party.get_confirmation_display(), party.decline_reason)
            for party in partnership.parties.order_by("pk")
        ]  # fmt: skip
        assert [
            (row["name"], row["partner_id"], row["confirmation"], row["confirmation_label"], row["decline_reason"])
            for row in shown.party_answers
        ] == expected
        label = PartnershipParty(confirmation=Confirmation.DECLINED).get_confirmation_display()
    html = response.content.decode()
    assert f'<span class="badge text-bg-danger">{label}</span> <small>Bukan kami &amp; &lt;b&gt;salah&lt;/b&gt;</small>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, PAGE])
def test_dashboard_queries_do_not_grow_with_rows(official, cooperative_a, django_assert_num_queries, rows):
    user_id = official.session["_auth_user_id"]
    for _ in range(rows - 1):
        RepresentationFactory(user_id=user_id, cooperative=CooperativeFactory())
    for _ in range(rows):
        waiting_for(cooperative_a)
        registered_by(cooperative_a)
        change_waiting_for(cooperative_a)
        # Proposals to join a federation: one to my cooperative, one of it (decided).
        federation = CooperativeFactory(tier=Tier.SEKUNDER, individual_members=None)
        MembershipProposal.objects.create(member=CooperativeFactory(), federation=cooperative_a, start_date=date(2020, 1, 1))
        MembershipProposal.objects.create(
            member=cooperative_a, federation=federation, start_date=date(2020, 1, 1), state=ProposalState.WITHDRAWN,
            decided_at=timezone.now(),
        )  # fmt: skip
    # 1 session, 2 user, 3 my representations with their cooperatives and provinces,
    # 4 the ids of the cooperatives I act for (read once, asked of three times), 5
    # count and 6 page of the parties waiting for me (with partnership, initiator and
    # cooperative), 7 count and 8 page of the changes waiting for my answer (with the
    # change, its proposer and kind, the cooperative), 9 their partnerships with
    # initiator, 10 count and 11 page of the keys of my cooperatives' partnerships
    # (from the parties' index) and 12 those partnerships (with initiator), 13 their
    # parties' rows with the organisations' names, 14 which of my cooperatives and of
    # those partnerships have a change waiting, 15 the published documents of the
    # partnerships waiting for me, 16 the proposals to join a federation waiting (for
    # me or of my cooperatives) and 17 the latest decided of mine, 18 my latest
    # notifications and 19 how many are unread. Only the columns shown are read: one
    # left out would be a query a row.
    with django_assert_num_queries(19):
        response = official.get("/akun/")
    assert len(response.context["changes_page"].object_list) == rows
    assert len(response.context["representations"]) == rows
    assert len(response.context["awaiting_page"].object_list) == rows
    assert len(response.context["proposals_to_answer"]) == rows
    assert len(response.context["proposals_own"]) == min(rows, 5)  # the latest decided
    # Every partnership my cooperative is a party to: those it registered, those
    # waiting for its answer and those with a change waiting for it.
    assert len(response.context["registered_page"].object_list) == min(3 * rows, 20)


@pytest.mark.django_db
def test_the_list_of_my_cooperatives_partnerships_filters_by_text_and_verification(official, cooperative_a, cooperative_b):
    """Issue 12: every partnership of my cooperatives, not only those waiting: the ones
    it registered (with an Edit link) and those it is a party to (without), filtered."""
    own = registered_by(cooperative_a, title="Pemasaran gabah kami")
    theirs = waiting_for(cooperative_a, title="Pupuk dari mitra").partnership
    Partnership.objects.filter(pk=theirs.pk).update(verification=Verification.VERIFIED)
    registered_by(cooperative_b, title="Bukan milik kami")

    listed = official.get("/akun/").context["registered_page"].object_list
    assert {p.title for p in listed} == {"Pemasaran gabah kami", "Pupuk dari mitra"}
    assert {p.title: p.editable for p in listed} == {"Pemasaran gabah kami": True, "Pupuk dari mitra": False}

    by_text = official.get("/akun/", {"mine_q": "gabah"}).context["registered_page"].object_list
    assert [p.pk for p in by_text] == [own.pk]
    by_reference = official.get("/akun/", {"mine_q": theirs.reference.lower()}).context["registered_page"].object_list
    assert [p.pk for p in by_reference] == [theirs.pk]
    verified = official.get("/akun/", {"mine_verification": "verified"}).context["registered_page"].object_list
    assert [p.pk for p in verified] == [theirs.pk]


@pytest.mark.django_db
def test_the_list_filters_what_waits_for_my_answer_and_by_my_cooperative(official, cooperative_a, django_assert_max_num_queries):
    """Issue 12: "with filters": what waits for my answer (a party of mine, or a change,
    not yet answered), and one of my cooperatives; each applied filter is a chip."""
    user_id = official.session["_auth_user_id"]
    second = CooperativeFactory(name="Koperasi Kedua Saya")
    RepresentationFactory(user_id=user_id, cooperative=second)
    registered_by(cooperative_a, title="Sudah kami jawab")  # my party confirmed: not waiting
    party = waiting_for(cooperative_a, title="Menunggu kami")
    change = change_waiting_for(cooperative_a)
    of_second = registered_by(second, title="Milik koperasi kedua")
    waiting_of_second = waiting_for(second, title="Menunggu koperasi kedua").partnership

    def listed(**query):
        response = official.get("/akun/", query)
        assert response.status_code == 200
        return response, {p.pk for p in response.context["registered_page"].object_list}

    _response, everything = listed()
    assert len(everything) == 5
    response, waiting = listed(mine_answer="waiting")
    assert waiting == {party.partnership_id, change.pk, waiting_of_second.pk}
    page = response.content.decode()
    assert "Jawaban Anda: Belum diberikan" in page and 'href="/akun/"' in page  # the chip, and its removal
    _response, of_one = listed(mine_cooperative=second.slug)
    assert of_one == {of_second.pk, waiting_of_second.pk}
    _response, both = listed(mine_cooperative=second.slug, mine_answer="waiting")
    assert both == {waiting_of_second.pk}
    with django_assert_max_num_queries(24):
        listed(mine_cooperative=cooperative_a.slug, mine_answer="waiting", mine_q="a")

    # Another's cooperative is no choice: a 400 at the field, the list unfiltered.
    response = official.get("/akun/", {"mine_cooperative": CooperativeFactory().slug})
    assert response.status_code == 400
    assert response.context["list_filter"].errors["mine_cooperative"]
    assert len(response.context["registered_page"].object_list) == 5


@pytest.mark.django_db
def test_a_list_filter_that_makes_no_sense_is_a_400_with_its_message(official, cooperative_a):
    registered_by(cooperative_a, title="Pemasaran gabah kami")

    response = official.get("/akun/", {"mine_verification": "entah"})

    assert response.status_code == 400
    assert response.context["list_filter"].errors["mine_verification"]
    assert 'id="id_mine_verification_error"' in response.content.decode()


@pytest.mark.django_db
def test_a_card_shows_the_other_parties_period_value_and_documents(official, cooperative_a):
    """Issue 12: what the official decides on is on the card itself."""
    import datetime

    from partnerships.models import PartnershipDocument

    party = waiting_for(
        cooperative_a, title="Pengadaan pupuk", value=250000000, currency="IDR",
        start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2027, 2, 28),
    )  # fmt: skip
    partnership = party.partnership
    bank = PartnerFactory(name="PT Bank Contoh")
    partnership.parties.create(partner=bank)
    document = PartnershipDocument.objects.create(
        partnership=partnership, title="Perjanjian kerjasama", file="x.pdf", content_type="application/pdf", size=10
    )
    PartnershipDocument.objects.create(
        partnership=partnership, title="Draf rahasia", file="y.pdf", content_type="application/pdf", size=10, published=False
    )

    html = official.get("/akun/").content.decode()
    card = html.split('class="card mb-3"')[1].split("</li>")[0]

    assert f"{partnership.initiator.name}, PT Bank Contoh" in card and cooperative_a.name not in card.split("<dl")[1]
    assert "IDR 250.000.000" in card
    assert 'datetime="2026-03-01"' in card and 'datetime="2027-02-28"' in card
    assert f'href="/kerjasama/{partnership.reference}/dokumen/{document.pk}/">Perjanjian kerjasama</a>' in card
    assert "Draf rahasia" not in card
