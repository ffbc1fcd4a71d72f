"""The admin as a Dekopin curator uses it: staff in the Dekopin group, no superuser."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from kopnet.models import Verification
from registry import services
from registry.models import Cooperative, Membership, Representation, RepresentationState, Scope, Tier
from tests.admin_actions import confirmed_action
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    PartnerFactory,
    RepresentationFactory,
    UserFactory,
    province,
    sector,
)


@pytest.fixture(autouse=True)
def _english_and_fast_passwords(client, settings):
    # Messages are read in English here; Django's own ones come translated otherwise.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # Every test makes users; the production hasher's slowness protects nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def registry(db):
    """One record of each model, with a federation above cooperative A."""
    federation = CooperativeFactory(name="Pusat Koperasi Jawa Barat", tier=Tier.SEKUNDER, scope=Scope.PROVINSI)
    member = CooperativeFactory(name="Koperasi Tani Makmur", sectors=[sector("pertanian")])
    return {
        "cooperative": member,
        "federation": federation,
        "membership": MembershipFactory(member=member, federation=federation),
        "partner": PartnerFactory(name="PT Mitra Tani"),
        "representation": RepresentationFactory(cooperative=member, state=RepresentationState.REQUESTED),
        "sector": sector("pertanian"),
        "province": province("32"),
    }


def text(response):
    return " ".join(response.content.decode().split())


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- every page loads for a curator; nobody else gets in -----------------------------

PAGES = [
    ("cooperative", "changelist"), ("cooperative", "add"), ("cooperative", "change"), ("cooperative", "history"),
    ("cooperative", "import"), ("cooperative", "export"),
    ("partner", "changelist"), ("partner", "add"), ("partner", "change"), ("partner", "history"),
    ("partner", "import"), ("partner", "export"),
    ("membership", "changelist"), ("membership", "add"), ("membership", "change"), ("membership", "history"),
    ("representation", "changelist"), ("representation", "add"), ("representation", "change"),
    ("representation", "history"),
    ("sector", "changelist"), ("sector", "add"), ("sector", "change"), ("sector", "history"),
    ("province", "changelist"), ("province", "change"), ("province", "history"),
]  # fmt: skip


def page_url(registry, model, page):
    if page in {"change", "history"}:
        return reverse(f"admin:registry_{model}_{page}", args=[registry[model].pk])
    return reverse(f"admin:registry_{model}_{page}")


@pytest.mark.parametrize("model, page", PAGES)
def test_curator_opens_every_admin_page(curator, registry, model, page):
    assert curator.get(page_url(registry, model, page)).status_code == 200


@pytest.mark.parametrize("model, page", PAGES)
def test_visitor_is_sent_to_login(visitor, registry, model, page):
    response = visitor.get(page_url(registry, model, page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model, page", [("cooperative", "changelist"), ("cooperative", "change"), ("partner", "add")])
def test_signed_in_non_staff_user_is_sent_to_login(client, registry, model, page):
    client.force_login(UserFactory())

    response = client.get(page_url(registry, model, page))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_curator_may_not_delete(curator, registry):
    coop = registry["cooperative"]

    response = curator.get(reverse("admin:registry_cooperative_delete", args=[coop.pk]))

    assert response.status_code == 403
    assert Cooperative.objects.filter(pk=coop.pk).exists()


def test_provinces_are_read_only_even_for_a_superuser(client, registry):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    assert client.get(reverse("admin:registry_province_add")).status_code == 403
    change = client.get(reverse("admin:registry_province_change", args=["32"]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()


def test_admin_site_is_named_for_dekopin(curator):
    response = curator.get(reverse("admin:index"))

    assert "KopNet — Dekopin" in text(response)


# --- list filters and search -----------------------------------------------------------


@pytest.fixture
def listed(db):
    return {
        "primer": CooperativeFactory(name="Koperasi Primer Bandung", sectors=[sector("pertanian")]),
        "pending": CooperativeFactory(
            name="Koperasi Menunggu Aceh",
            verification=Verification.PENDING,
            province=province("11"),
            type="simpan_pinjam",
            status="tidak_aktif",
            nik="1101234567890123",
        ),
        "abroad": CooperativeFactory(
            name="National Rural Electric Cooperative Association",
            short_name="NRECA",
            tier=Tier.INDUK,
            country="US",
            province=None,
            scope=Scope.NASIONAL,
            individual_members=None,
        ),
    }


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("verification__exact=pending", "pending", "primer"),
        ("tier__exact=induk", "abroad", "primer"),
        ("type__exact=simpan_pinjam", "pending", "primer"),
        ("status__exact=tidak_aktif", "pending", "primer"),
        ("scope__exact=nasional", "abroad", "pending"),
        ("province__code__exact=11", "pending", "primer"),
        ("country=US", "abroad", "primer"),
        ("sectors__id__exact={pertanian}", "primer", "pending"),
        ("q=NRECA", "abroad", "primer"),
        ("q=1101234567890123", "pending", "primer"),
        ("q=bandung", "primer", "abroad"),
    ],
)
def test_cooperative_filters_and_search(curator, listed, query, shown, hidden):
    response = curator.get(
        reverse("admin:registry_cooperative_changelist") + "?" + query.format(pertanian=sector("pertanian").pk)
    )

    assert response.status_code == 200
    names = [coop.name for coop in response.context["cl"].result_list]
    assert listed[shown].name in names
    assert listed[hidden].name not in names


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("verification__exact=pending", "PT Menunggu", "Bank Verified"),
        ("kind__exact=bank", "Bank Verified", "PT Menunggu"),
        ("province__code__exact=11", "PT Menunggu", "Bank Verified"),
        ("country=ID", "PT Menunggu", "Mitra Luar"),
        ("q=AHU-777", "Bank Verified", "PT Menunggu"),
    ],
)
def test_partner_filters_and_search(curator, db, query, shown, hidden):
    PartnerFactory(name="PT Menunggu", verification=Verification.PENDING, province=province("11"))
    PartnerFactory(name="Bank Verified", kind="bank", registration_number="AHU-777")
    PartnerFactory(name="Mitra Luar", country="NL", province=None)

    response = curator.get(reverse("admin:registry_partner_changelist") + "?" + query)

    names = [partner.name for partner in response.context["cl"].result_list]
    assert shown in names and hidden not in names


@pytest.mark.parametrize(
    "query, count",
    [
        ("active=yes", 1),
        ("active=no", 1),
        ("federation={federation}", 2),
        ("member={member}", 1),
        ("federation__tier__exact=sekunder", 2),
        ("member__tier__exact=sekunder", 0),
        ("q=makmur", 1),
        ("q=pusat+koperasi", 2),
        ("federation=abc", 0),
    ],
)
def test_membership_filters_and_search(curator, registry, query, count):
    federation, member = registry["federation"], registry["cooperative"]
    MembershipFactory(federation=federation, start_date="2010-01-01", end_date="2015-01-01")

    response = curator.get(
        reverse("admin:registry_membership_changelist")
        + "?"
        + query.format(federation=federation.pk, member=member.pk)
    )

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


@pytest.mark.parametrize(
    "model, query, count",
    [
        ("representation", "state__exact=requested", 1),
        ("representation", "state__exact=approved", 0),
        ("representation", "q=makmur", 1),
        ("representation", "cooperative__tier__exact=primer", 1),
        ("sector", "q=pertanian", 1),
        ("province", "q=jawa+barat", 1),
        ("province", "q=32", 1),
    ],
)
def test_other_filters_and_search(curator, registry, model, query, count):
    response = curator.get(reverse(f"admin:registry_{model}_changelist") + "?" + query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


def test_nul_in_the_address_is_refused(curator, db):
    response = curator.get(reverse("admin:registry_cooperative_changelist") + "?q=%00")

    assert response.status_code == 400


def test_federation_picker_offers_only_cooperatives_that_take_members(curator, registry):
    response = curator.get(
        reverse("admin:autocomplete"),
        {"app_label": "registry", "model_name": "membership", "field_name": "federation", "term": "koperasi"},
    )

    names = [result["text"] for result in response.json()["results"]]
    assert names == ["Pusat Koperasi Jawa Barat"]


def test_member_picker_offers_every_cooperative(curator, registry):
    response = curator.get(
        reverse("admin:autocomplete"),
        {"app_label": "registry", "model_name": "membership", "field_name": "member", "term": "koperasi"},
    )

    assert len(response.json()["results"]) == 2


# --- verify and reject -------------------------------------------------------------


def run_action(client, model, action, objects, **extra):
    return client.post(
        reverse(f"admin:registry_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects], **extra},
    )


def confirmed(client, model, action, objects, **fields):
    """The action, then its page's form sent back (tests.admin_actions)."""
    return confirmed_action(client, reverse(f"admin:registry_{model}_changelist"), action, objects, **fields)


@pytest.mark.parametrize("factory, model", [(CooperativeFactory, "cooperative"), (PartnerFactory, "partner")])
def test_verify_records_who_and_when(curator, curator_user, factory, model):
    pending = [factory(verification=Verification.PENDING), factory(verification=Verification.REJECTED, verification_note="x")]

    page = run_action(curator, model, "verify_selected", pending)
    assert page.status_code == 200  # the records, as they will be verified
    assert all(obj.name in text(page) for obj in pending)
    assert all(obj.verification != Verification.VERIFIED for obj in type(pending[0]).objects.all())

    response = confirmed(curator, model, "verify_selected", pending)

    assert response.status_code == 302
    for obj in pending:
        obj.refresh_from_db()
        assert obj.verification == Verification.VERIFIED
        assert obj.verification_by == curator_user
        assert obj.verification_at is not None
        assert obj.verification_note == ""
        record = obj.history.first()
        assert (record.history_change_reason, record.history_user) == ("verified", curator_user)
    assert f"2 {pending[0]._meta.verbose_name_plural} verified." in messages_of(response)


def renamed_by_its_official(cooperative, name):
    """The cooperative's official renames it, through their service, at the version they opened."""
    official = RepresentationFactory(cooperative=cooperative).user
    edited = Cooperative.objects.get(pk=cooperative.pk)
    edited.name = name
    services.cooperative_update(user=official, cooperative=edited, sectors=[], version=edited.version)


@pytest.mark.parametrize("action, fields", [("verify_selected", {}), ("reject_selected", {"reason": "Data ganda."})])
def test_a_record_changed_after_the_page_was_shown_is_refused_and_the_others_decided(curator, db, action, fields):
    seen = CooperativeFactory(name="Koperasi Tani Makmur", verification=Verification.PENDING)
    other = CooperativeFactory(name="Koperasi Nelayan Sejahtera", verification=Verification.PENDING)
    page = run_action(curator, "cooperative", action, [seen, other])
    assert "Koperasi Tani Makmur" in text(page)

    # While the curator reads the page, the official renames it.
    renamed_by_its_official(seen, "UNVERIFIED NEW NAME - call 0800-SCAM")
    context = page.context
    response = curator.post(
        reverse("admin:registry_cooperative_changelist"),
        {
            "action": action,
            "_selected_action": context["selected"],
            "versions": context["versions"],
            "apply": "yes",
            **fields,
        },
    )

    assert response.status_code == 302
    seen.refresh_from_db()
    other.refresh_from_db()
    assert (seen.name, seen.verification, seen.verification_by) == (
        "UNVERIFIED NEW NAME - call 0800-SCAM", Verification.PENDING, None
    )  # fmt: skip
    decided = Verification.VERIFIED if action == "verify_selected" else Verification.REJECTED
    assert other.verification == decided
    said = messages_of(response)
    assert "UNVERIFIED NEW NAME - call 0800-SCAM was changed after you opened it: review it again." in " ".join(said)
    assert f"1 cooperative {'verified' if decided == Verification.VERIFIED else 'rejected'}." in said


def test_the_refusal_is_told_in_indonesian(client, curator_user, db, settings):
    client.force_login(curator_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    seen = CooperativeFactory(name="Koperasi Tani Makmur", verification=Verification.PENDING)
    page = run_action(client, "cooperative", "verify_selected", [seen])
    renamed_by_its_official(seen, "Koperasi Tani Makmur Baru")

    response = client.post(
        reverse("admin:registry_cooperative_changelist"),
        {"action": "verify_selected", "_selected_action": page.context["selected"],
         "versions": page.context["versions"], "apply": "yes"},
    )  # fmt: skip

    said = " ".join(messages_of(response))
    assert "Koperasi Tani Makmur Baru" in said and "review it again" not in said
    assert Cooperative.objects.get(pk=seen.pk).verification == Verification.PENDING


def test_a_record_not_on_the_page_is_not_verified(curator, db):
    shown = CooperativeFactory(verification=Verification.PENDING)
    page = run_action(curator, "cooperative", "verify_selected", [shown], select_across="1")
    later = CooperativeFactory(name="Koperasi Datang Kemudian", verification=Verification.PENDING)

    response = curator.post(
        reverse("admin:registry_cooperative_changelist"),
        {"action": "verify_selected", "_selected_action": page.context["selected"], "select_across": "1",
         "versions": page.context["versions"], "apply": "yes"},
    )  # fmt: skip

    assert Cooperative.objects.get(pk=shown.pk).verification == Verification.VERIFIED
    assert Cooperative.objects.get(pk=later.pk).verification == Verification.PENDING
    assert "Koperasi Datang Kemudian was not on the page you confirmed: select it again." in messages_of(response)


def test_reject_first_asks_for_a_reason(curator, db):
    coop = CooperativeFactory(verification=Verification.PENDING)

    response = run_action(curator, "cooperative", "reject_selected", [coop])

    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    assert coop.name in text(response)
    coop.refresh_from_db()
    assert coop.verification == Verification.PENDING


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_a_reason_is_refused(curator, db, reason):
    coop = CooperativeFactory(verification=Verification.PENDING)

    response = run_action(curator, "cooperative", "reject_selected", [coop], apply="yes", reason=reason)

    assert response.status_code == 200
    assert "A rejection needs a reason: nothing was rejected." in messages_of(response)
    assert "A rejection needs a reason." in text(response)
    coop.refresh_from_db()
    assert coop.verification == Verification.PENDING
    assert coop.history.count() == 1


@pytest.mark.parametrize("factory, model", [(CooperativeFactory, "cooperative"), (PartnerFactory, "partner")])
def test_reject_with_a_reason_records_state_who_when_and_note(curator, curator_user, factory, model):
    obj = factory(verification=Verification.PENDING)

    response = confirmed(curator, model, "reject_selected", [obj], reason="  Nomor badan hukum tidak ditemukan. ")

    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.verification == Verification.REJECTED
    assert obj.verification_by == curator_user
    assert obj.verification_at is not None
    assert obj.verification_note == "Nomor badan hukum tidak ditemukan."
    record = obj.history.first()
    assert (record.history_change_reason, record.history_user) == ("rejected", curator_user)
    assert f"1 {obj._meta.verbose_name} rejected." in messages_of(response)


def test_reject_applies_to_all_rows_when_select_across(curator, db):
    coops = [CooperativeFactory(verification=Verification.PENDING) for _ in range(3)]

    confirmed(curator, "cooperative", "reject_selected", coops[:1], reason="Data ganda.", select_across="1")

    assert Cooperative.objects.filter(verification=Verification.REJECTED).count() == 3


def test_verification_is_shown_but_not_editable_in_the_form(curator, curator_user, registry):
    coop = registry["cooperative"]
    Cooperative.objects.filter(pk=coop.pk).update(verification=Verification.PENDING)
    services.cooperative_verify(curator=curator_user, pk=coop.pk)

    response = curator.get(reverse("admin:registry_cooperative_change", args=[coop.pk]))

    content = response.content.decode()
    assert 'name="verification"' not in content
    assert "curator" in text(response)
    assert reverse("admin:auth_user_changelist") not in content  # curators may not open user accounts


def test_staff_without_change_permission_sees_no_actions(client, registry):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_cooperative"))
    client.force_login(viewer)

    response = client.get(reverse("admin:registry_cooperative_changelist"))

    assert response.status_code == 200
    assert "verify_selected" not in response.content.decode()
    run_action(client, "cooperative", "verify_selected", [registry["federation"]])
    assert Cooperative.objects.filter(verification=Verification.VERIFIED).count() == 2  # unchanged


def test_curator_sees_verify_and_reject_actions(curator, registry):
    content = curator.get(reverse("admin:registry_cooperative_changelist")).content.decode()

    assert "verify_selected" in content and "reject_selected" in content
    assert "delete_selected" not in content


# --- representations -----------------------------------------------------------------


def test_approve_representation_records_who_and_when(curator, curator_user, registry):
    representation = registry["representation"]

    response = run_action(curator, "representation", "approve_selected", [representation])

    assert response.status_code == 302
    representation.refresh_from_db()
    assert (representation.state, representation.decided_by) == (RepresentationState.APPROVED, curator_user)
    assert representation.decided_at is not None
    assert representation.history.first().history_user == curator_user
    assert "1 representation approved." in messages_of(response)


def test_revoke_representation(curator, curator_user, db):
    representation = RepresentationFactory(state=RepresentationState.APPROVED)

    run_action(curator, "representation", "revoke_selected", [representation])

    representation.refresh_from_db()
    assert (representation.state, representation.decided_by) == (RepresentationState.REVOKED, curator_user)


def test_approving_a_second_open_representation_is_refused_with_a_message(curator, db):
    open_one = RepresentationFactory(state=RepresentationState.APPROVED)
    revoked = RepresentationFactory(
        user=open_one.user, cooperative=open_one.cooperative, state=RepresentationState.REVOKED
    )

    response = run_action(curator, "representation", "approve_selected", [revoked])

    assert response.status_code == 302
    revoked.refresh_from_db()
    assert revoked.state == RepresentationState.REVOKED
    assert any("already represents" in message for message in messages_of(response))


def test_curator_adds_a_representation_picking_the_user(curator, curator_user, registry):
    person = UserFactory(username="pengurus9")

    response = curator.post(
        reverse("admin:registry_representation_add"),
        {"user": person.pk, "cooperative": registry["federation"].pk, "state": RepresentationState.APPROVED},
    )

    assert response.status_code == 302
    representation = Representation.objects.get(user=person)
    assert (representation.state, representation.decided_by) == (RepresentationState.APPROVED, curator_user)


def test_unknown_user_is_a_form_error(curator, registry):
    before = Representation.objects.count()
    response = curator.post(
        reverse("admin:registry_representation_add"),
        {"user": 999999, "cooperative": registry["federation"].pk, "state": RepresentationState.REQUESTED},
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Representation.objects.count() == before


def test_curator_finds_users_with_the_autocomplete_picker(curator, registry):
    UserFactory(username="pengurus9")
    response = curator.get(
        "/admin/autocomplete/",
        {"term": "pengurus9", "app_label": "registry", "model_name": "representation", "field_name": "user"},
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["pengurus9"]


# --- memberships on the cooperative page --------------------------------------------

INLINE = "federation_memberships"


def cooperative_form(coop, memberships=(), **changes):
    """The change form as the browser posts it, with the 'member of' inline rows."""
    data = {
        "name": coop.name,
        "short_name": coop.short_name,
        "slug": coop.slug,
        "tier": coop.tier,
        "type": coop.type,
        "sectors": [s.pk for s in coop.sectors.all()],
        "status": coop.status,
        "country": coop.country.code,
        "province": coop.province_id or "",
        "regency": coop.regency,
        "address": coop.address,
        "scope": coop.scope,
        "legal_number": coop.legal_number,
        "legal_date": "",
        "nik": coop.nik or "",
        "founded": "",
        "individual_members": "" if coop.individual_members is None else coop.individual_members,
        "website": coop.website,
        "email": coop.email,
        "phone": coop.phone,
        **changes,
    }
    existing = list(coop.federation_memberships.all())
    rows = [
        {"id": m.pk, "federation": m.federation_id, "start_date": m.start_date.isoformat(), "end_date": ""}
        for m in existing
    ] + list(memberships)
    data.update(
        {
            f"{INLINE}-TOTAL_FORMS": len(rows),
            f"{INLINE}-INITIAL_FORMS": len(existing),
            f"{INLINE}-MIN_NUM_FORMS": 0,
            f"{INLINE}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, row in enumerate(rows):
        data[f"{INLINE}-{i}-member"] = coop.pk
        for key, value in row.items():
            data[f"{INLINE}-{i}-{key}"] = value
    return data


def new_row(federation, start="2020-01-01", end=""):
    return {"id": "", "federation": federation.pk, "start_date": start, "end_date": end}


def post_change(client, coop, data):
    return client.post(reverse("admin:registry_cooperative_change", args=[coop.pk]), data)


def test_inline_adds_a_membership(curator, registry):
    induk = CooperativeFactory(name="Induk Koperasi Tani", tier=Tier.INDUK, scope=Scope.NASIONAL, individual_members=None)
    federation = registry["federation"]

    response = post_change(curator, federation, cooperative_form(federation, [new_row(induk)]))

    assert response.status_code == 302
    assert Membership.objects.active().filter(member=federation, federation=induk).exists()
    induk.refresh_from_db()
    assert induk.member_count == 1


def test_a_ticked_delete_takes_the_membership_out_through_its_service(client, registry, monkeypatch):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    member, federation = registry["cooperative"], registry["federation"]
    membership = registry["membership"]
    called = []
    real = services.membership_delete
    monkeypatch.setattr(services, "membership_delete", lambda **kwargs: called.append(kwargs) or real(**kwargs))
    data = cooperative_form(member)
    data[f"{INLINE}-0-DELETE"] = "on"

    response = post_change(client, member, data)

    assert response.status_code == 302
    assert [kwargs["membership"].pk for kwargs in called] == [membership.pk]
    assert not Membership.objects.filter(pk=membership.pk).exists()
    federation.refresh_from_db()
    assert federation.member_count == 0
    gone = Membership.history.filter(id=membership.pk, history_type="-").get()
    assert gone.history_user == admin_user


def test_a_curator_ends_a_membership_and_cannot_delete_it(curator, registry):
    member, membership = registry["cooperative"], registry["membership"]
    page = curator.get(reverse("admin:registry_cooperative_change", args=[member.pk]))
    assert f'name="{INLINE}-0-DELETE"' not in page.content.decode()
    data = cooperative_form(member)
    data[f"{INLINE}-0-DELETE"] = "on"  # not offered to curators: ignored
    today = timezone.localdate()  # after its start (a year ago at the latest), not in the future
    data[f"{INLINE}-0-end_date"] = today.isoformat()

    response = post_change(curator, member, data)

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.end_date == today


@pytest.mark.parametrize(
    "member_tier, federation_tier, message",
    [
        (Tier.PRIMER, Tier.PRIMER, "A primary cooperative takes no cooperative members; its members are people."),
        (Tier.INDUK, Tier.SEKUNDER, "cannot join a"),
    ],
)
def test_inline_tier_rule_is_a_form_error_and_nothing_is_saved(curator, db, member_tier, federation_tier, message):
    members = None if member_tier != Tier.PRIMER else 10
    coop = CooperativeFactory(name="Koperasi Anggota", tier=member_tier, individual_members=members)
    federation = CooperativeFactory(name="Koperasi Tujuan", tier=federation_tier, individual_members=None if federation_tier != Tier.PRIMER else 5)

    response = post_change(curator, coop, cooperative_form(coop, [new_row(federation)], name="Nama Baru"))

    assert response.status_code == 200
    assert message in text(response)
    assert not Membership.objects.exists()
    coop.refresh_from_db()
    assert coop.name == "Koperasi Anggota"


def test_inline_cycle_is_a_form_error(curator, registry):
    # The member cooperative cannot also become the federation of its own federation.
    federation, member = registry["federation"], registry["cooperative"]
    member.tier = Tier.SEKUNDER
    member.individual_members = None
    member.save()

    response = post_change(curator, federation, cooperative_form(federation, [new_row(member)]))

    assert response.status_code == 200
    assert "this membership would make a cycle" in text(response)
    assert Membership.objects.count() == 1


def test_inline_checks_the_tier_as_submitted(curator, registry):
    # Raising a sekunder to apex while joining another sekunder in the same save.
    federation = registry["federation"]
    other = CooperativeFactory(name="Pusat Lain", tier=Tier.SEKUNDER, individual_members=None)

    response = post_change(curator, federation, cooperative_form(federation, [new_row(other)], tier=Tier.APEX))

    assert response.status_code == 200
    assert "cannot join a" in text(response)
    federation.refresh_from_db()
    assert federation.tier == Tier.SEKUNDER
    assert not Membership.objects.filter(federation=other).exists()


def test_same_federation_twice_in_the_inline_is_a_form_error(curator, registry):
    coop = registry["cooperative"]
    other = CooperativeFactory(name="Pusat Lain", tier=Tier.SEKUNDER, individual_members=None)

    response = post_change(curator, coop, cooperative_form(coop, [new_row(other), new_row(other, start="2021-01-01")]))

    assert response.status_code == 200
    assert "Pusat Lain is listed twice as an active membership." in text(response)
    assert not Membership.objects.filter(federation=other).exists()


def test_tier_change_that_breaks_a_membership_is_a_form_error(curator, registry):
    federation = registry["federation"]

    response = post_change(curator, federation, cooperative_form(federation, tier=Tier.PRIMER, individual_members=10))

    assert response.status_code == 200
    assert "a primary cooperative takes none" in text(response)
    federation.refresh_from_db()
    assert federation.tier == Tier.SEKUNDER


def test_add_page_has_no_membership_inline(curator, db):
    response = curator.get(reverse("admin:registry_cooperative_add"))

    assert f"{INLINE}-TOTAL_FORMS" not in response.content.decode()


def test_federation_page_lists_its_first_members_and_links_to_all(curator, db):
    federation = CooperativeFactory(name="Pusat Besar", tier=Tier.SEKUNDER, individual_members=None)
    for number in range(53):
        MembershipFactory(member=CooperativeFactory(name=f"Koperasi Anggota {number:03d}"), federation=federation)
    MembershipFactory(
        member=CooperativeFactory(name="Koperasi Mantan"), federation=federation, start_date="2001-01-01", end_date="2002-01-01"
    )

    response = curator.get(reverse("admin:registry_cooperative_change", args=[federation.pk]))

    page = text(response)
    assert "50 of 53 active members" in page
    assert "Koperasi Anggota 049" in page and "Koperasi Anggota 050" not in page
    assert "Koperasi Mantan" not in page
    link = reverse("admin:registry_membership_changelist") + f"?federation={federation.pk}&amp;active=yes"
    assert link in response.content.decode()
    listed = curator.get(reverse("admin:registry_membership_changelist"), {"federation": federation.pk, "active": "yes"})
    assert listed.context["cl"].result_count == 53


def test_member_page_shows_its_federations(curator, registry):
    response = curator.get(reverse("admin:registry_cooperative_change", args=[registry["cooperative"].pk]))

    assert "Pusat Koperasi Jawa Barat" in text(response)
    assert f'name="{INLINE}-0-federation"' in response.content.decode()


# --- history -----------------------------------------------------------------------


def test_history_shows_who_changed_what(curator, registry):
    coop = registry["cooperative"]
    post_change(curator, coop, cooperative_form(coop, name="Koperasi Tani Makmur Jaya"))

    response = curator.get(reverse("admin:registry_cooperative_history", args=[coop.pk]))

    page = " ".join(text(response).replace("&rarr;", "→").split())
    assert "Name:</strong> <span class=\"kopnet-history-old\">Koperasi Tani Makmur</span>" in page
    assert "Koperasi Tani Makmur Jaya" in page
    assert "curator" in page


def test_history_shows_verification(curator, db):
    coop = CooperativeFactory(verification=Verification.PENDING)
    confirmed(curator, "cooperative", "verify_selected", [coop])

    response = curator.get(reverse("admin:registry_cooperative_history", args=[coop.pk]))

    page = text(response)
    # The labels, not the stored codes (tests/test_history_readable.py reads the rest).
    assert "Verification:</strong>" in page
    assert "Pending verification" in page and "pending →" not in page
    assert "curator" in page


def test_membership_tier_filters_say_which_side(curator, registry):
    page = text(curator.get(reverse("admin:registry_membership_changelist")))

    assert "By federation tier" in page and "By member tier" in page


@pytest.mark.parametrize("model", ["cooperative", "partner", "membership", "representation"])
def test_changelist_queries_do_not_grow_with_rows(curator, db, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(count):
        for _ in range(count):
            if model == "cooperative":
                CooperativeFactory(sectors=[sector("pertanian")])
            elif model == "partner":
                PartnerFactory()
            elif model == "membership":
                MembershipFactory()
            else:
                RepresentationFactory()

    def queries():
        url = reverse(f"admin:registry_{model}_changelist")
        with CaptureQueriesContext(connection) as captured:
            assert curator.get(url).status_code == 200
        return len(captured)

    make(1)
    with_one = queries()
    make(20)
    assert queries() == with_one


@pytest.mark.parametrize("model_name, field_name", [("cooperative", "province"), ("cooperative", "sectors"), ("membership", "member")])
def test_nul_in_a_picker_search_is_ignored(curator, registry, model_name, field_name):
    response = curator.get(
        reverse("admin:autocomplete"),
        {"app_label": "registry", "model_name": model_name, "field_name": field_name, "term": "\x00"},
    )

    assert response.status_code == 200
    assert response.json()["results"]
