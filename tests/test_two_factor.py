"""Staff accounts' second factor (django-otp TOTP, kopnet/two_factor.py): set up at
/akun/dua-faktor/, asked for on the one sign-in page (/akun/masuk/, where
/admin/login/ sends), required by KOPNET_ADMIN_2FA."""

import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopnet import two_factor
from tests.factories import PASSWORD, CuratorFactory, UserFactory

pytestmark = pytest.mark.django_db

SET_UP = "/akun/dua-faktor/"
SIGN_IN = "/akun/masuk/"
ADMIN_SIGN_IN = "/admin/login/"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp waits 1, 2, 4 … seconds after each wrong code; the tests send the right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code(device, offset=0):
    """The code the app shows now (offset: steps later, for a code that is wrong)."""
    return f"{totp(device.bin_key, device.step, device.t0 - offset * device.step, device.digits, device.drift):06d}"


def wrong_code(device):
    accepted = {code(device, offset) for offset in range(-device.tolerance, device.tolerance + 1)}
    return next(candidate for candidate in (f"{n:06d}" for n in range(1000)) if candidate not in accepted)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def device_of(user):
    return TOTPDevice.objects.create(user=user, name="KopNet", confirmed=True)


def admin_sign_in(username, otp_token=None, address="198.51.100.7"):
    """Sign in on the one sign-in page, on the way to the admin (as /admin/login/ sends there)."""
    client = english(Client(REMOTE_ADDR=address))
    data = {"username": username, "password": PASSWORD, "next": "/admin/"}
    if otp_token is not None:
        data["otp_token"] = otp_token
    return client, client.post(SIGN_IN, data)


def signed_in(client):
    return "_auth_user_id" in client.session


# Set-up ---------------------------------------------------------------------------


def test_set_up_refuses_a_wrong_code_and_confirms_the_right_one(curator):
    english(curator)
    page = curator.get(SET_UP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__username="curator")
    assert not device.confirmed
    html = page.content.decode()
    assert "Set up a second factor" in html
    assert "<svg" in html  # the QR code, drawn by our server
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")

    refused = curator.post(SET_UP, {"step": "set_up", "otp_token": wrong_code(device)})
    assert refused.status_code == 400
    assert "That code is wrong or has expired" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    confirmed = curator.post(SET_UP, {"step": "set_up", "otp_token": code(device)}, follow=True)
    assert confirmed.redirect_chain[-1] == (SET_UP, 302)
    assert "Your second factor is set up." in confirmed.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    # The session that gave the code enters the admin without being asked again.
    assert curator.get("/admin/").status_code == 200


def test_the_set_up_page_keeps_one_secret_until_it_is_confirmed(curator):
    first = curator.get(SET_UP).context["secret"]
    assert curator.get(SET_UP).context["secret"] == first
    assert TOTPDevice.objects.filter(user__username="curator").count() == 1


def test_the_qr_code_needs_no_other_server_no_inline_style_and_no_inline_script(curator):
    html = curator.get(SET_UP).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "style=" not in svg
    assert not re.search(r"""\bsrc=["']https?://""", html)
    assert not re.search(r"""<link\b[^>]*\bhref=["']https?://""", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file of ours


def test_the_set_up_page_speaks_indonesian_by_default(curator):
    html = curator.get(SET_UP).content.decode()
    assert "Siapkan faktor kedua" in html


def test_the_set_up_page_is_for_staff_only(client, official):
    assert official.get(SET_UP).status_code == 404
    assert not TOTPDevice.objects.exists()
    visitor = Client()
    assert visitor.get(SET_UP).status_code == 302


def test_a_confirmed_device_is_not_replaced_by_a_new_set_up(curator, curator_user):
    device = device_of(curator_user)
    page = english(curator).get(SET_UP)
    assert "Your account has a second factor" in page.content.decode()
    assert list(TOTPDevice.objects.filter(user=curator_user)) == [device]


# Removal --------------------------------------------------------------------------


def test_removing_takes_a_current_code_when_the_session_did_not_give_one(curator, curator_user):
    """A password alone must not undo the second factor: signed in on the site's page
    with the password, the page asks for the code."""
    device = device_of(curator_user)
    english(curator)
    refused = curator.post(SET_UP, {"step": "remove", "password": PASSWORD})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert curator.post(SET_UP, {"step": "remove", "otp_token": wrong_code(device)}).status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    removed = curator.post(SET_UP, {"step": "remove", "otp_token": code(device)}, follow=True)
    assert "Your second factor is removed." in removed.content.decode()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not TOTPDevice.objects.filter(user=curator_user, confirmed=True).exists()
    assert "Set up a second factor" in removed.content.decode()  # a new one, when they want


def test_a_session_that_gave_the_code_removes_with_the_password():
    user = CuratorFactory(username="rina")
    device = device_of(user)
    client, response = admin_sign_in("rina", code(device))
    assert response.status_code == 302
    assert client.post(SET_UP, {"step": "remove", "password": "salah-sandi"}).status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    assert client.post(SET_UP, {"step": "remove", "password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()


# Two windows ------------------------------------------------------------------------


def test_a_set_up_form_sent_after_another_window_confirmed_changes_nothing(curator, curator_user):
    """Two windows of the set-up page: the second one's form, sent after the first
    confirmed, must not reach the removal (it takes a code too): 409, the page as it
    is now, and the device stays."""
    english(curator)
    curator.get(SET_UP)
    device = TOTPDevice.objects.get(user=curator_user)
    assert curator.post(SET_UP, {"step": "set_up", "otp_token": code(device)}).status_code == 302

    late = curator.post(SET_UP, {"step": "set_up", "otp_token": code(device, offset=-1)})

    assert late.status_code == 409
    html = late.content.decode()
    assert "changed meanwhile, in another window: nothing was done" in html
    assert "Your account has a second factor" in html
    assert list(TOTPDevice.objects.filter(user=curator_user, confirmed=True)) == [device]


@pytest.mark.parametrize("step", ["", "set_up", "lainnya"])
def test_a_removal_needs_the_removal_form(curator, curator_user, step):
    device = device_of(curator_user)
    response = english(curator).post(SET_UP, {"step": step, "otp_token": code(device)})
    assert response.status_code == 409
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_confirming_a_set_up_ended_meanwhile_is_refused_in_words(curator, curator_user):
    english(curator)
    curator.get(SET_UP)
    device = TOTPDevice.objects.get(user=curator_user)
    ended = TOTPDevice.objects.filter(pk=device.pk)
    ended.delete()  # as an administrator would, or another window's removal

    with pytest.raises(ValidationError) as refused:
        two_factor.confirm(curator_user, device)
    assert refused.value.code == "ended"
    assert not TOTPDevice.objects.filter(user=curator_user, confirmed=True).exists()


def test_confirming_leaves_no_other_secret_behind(curator_user):
    first = two_factor.pending_device(curator_user)
    other = TOTPDevice.objects.create(user=curator_user, name="KopNet", confirmed=False)  # another window's
    two_factor.confirm(curator_user, first)
    assert list(TOTPDevice.objects.filter(user=curator_user)) == [first]
    assert not TOTPDevice.objects.filter(pk=other.pk).exists()


def test_removing_a_device_removed_meanwhile_is_refused_in_words(curator_user):
    device = device_of(curator_user)
    TOTPDevice.objects.filter(pk=device.pk).delete()
    with pytest.raises(ValidationError) as refused:
        two_factor.remove(curator_user, device)
    assert refused.value.code == "removed"


def test_the_database_holds_one_confirmed_device_an_account(curator_user):
    device_of(curator_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        device_of(curator_user)
    TOTPDevice.objects.create(user=curator_user, name="KopNet", confirmed=False)  # a set-up may be pending


def test_the_admin_says_an_account_has_a_confirmed_device_already(curator_user):
    device_of(curator_user)
    administrator = Client()
    administrator.cookies["django_language"] = "en"
    administrator.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    response = administrator.post(
        "/admin/otp_totp/totpdevice/add/",
        {"user": curator_user.pk, "name": "Another", "key": "3132333435363738393031323334353637383930",
         "step": 30, "t0": 0, "digits": 6, "tolerance": 1, "drift": 0, "confirmed": "on"},
    )
    assert response.status_code == 200
    assert "This account has a confirmed second factor already" in response.content.decode()
    assert TOTPDevice.objects.filter(user=curator_user).count() == 1


# The one sign-in page --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/registry/cooperative/?tier__exact=primer"])
def test_the_admins_sign_in_sends_to_the_sites_page_and_back(path):
    client = english(Client())
    shut = client.get(path)
    assert shut.status_code == 302 and shut["Location"].startswith(ADMIN_SIGN_IN)
    sent = client.get(shut["Location"])
    assert sent.status_code == 302
    assert sent["Location"] == f"{SIGN_IN}?{urlencode({'next': path})}"
    page = client.get(sent["Location"])
    assert page.status_code == 200
    assert page.context["next"] == path  # kept in the form
    assert 'name="otp_token"' in page.content.decode()  # offered, left empty by those without one

    CuratorFactory(username="rina")
    signed = client.post(sent["Location"], {"username": "rina", "password": PASSWORD, "next": path})
    assert signed.status_code == 302 and signed["Location"] == path
    assert client.get(path).status_code == 200


def test_the_admins_sign_in_keeps_no_address_of_another_site():
    sent = Client().get(ADMIN_SIGN_IN, {"next": "https://evil.example/admin/"})
    assert sent["Location"] == f"{SIGN_IN}?{urlencode({'next': '/admin/'})}"


def test_the_admins_sign_in_sends_a_signed_in_curator_on():
    client = Client()
    client.force_login(CuratorFactory(username="rina"))
    assert client.get(ADMIN_SIGN_IN, {"next": "/admin/registry/partner/"})["Location"] == "/admin/registry/partner/"


def test_an_official_sent_to_the_admin_is_asked_for_another_account_not_sent_round(official):
    english(official)
    first = official.get(ADMIN_SIGN_IN)
    page = official.get(first["Location"])
    assert page.status_code == 200  # the form, not a redirect back to the admin
    assert "this session cannot open the admin" in page.content.decode()


def test_the_sign_in_asks_for_the_code_of_an_account_with_a_second_factor():
    user = CuratorFactory(username="rina")
    device = device_of(user)

    client, without = admin_sign_in("rina")
    assert without.status_code == 400
    assert "This account has a second factor" in without.content.decode()
    assert not signed_in(client)

    client, wrong = admin_sign_in("rina", wrong_code(device))
    assert wrong.status_code == 400
    assert "That code is wrong or has expired" in wrong.content.decode()
    assert not signed_in(client)

    client, right = admin_sign_in("rina", code(device))
    assert right.status_code == 302
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_without_the_code_is_asked_for_it_again_not_sent_round():
    """Signed in by a session that did not give the code (force_login stands for an
    older session): the admin sends to the sign-in page, which shows its form."""
    user = CuratorFactory(username="rina")
    device = device_of(user)
    client = english(Client())
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    page = client.get(client.get(ADMIN_SIGN_IN)["Location"])
    assert page.status_code == 200
    assert "this session cannot open the admin" in page.content.decode()
    right = client.post(SIGN_IN, {"username": "rina", "password": PASSWORD, "otp_token": code(device), "next": "/admin/"})
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_without_the_setting_an_account_without_a_second_factor_signs_in_with_its_password(settings):
    settings.KOPNET_ADMIN_2FA = False
    CuratorFactory(username="rina")
    client, response = admin_sign_in("rina")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_count_towards_the_lockout():
    """A guesser who has the password stops after ten wrong codes, as after ten wrong
    passwords (tests/test_lockout.py)."""
    user = CuratorFactory(username="rina")
    device = device_of(user)
    for _attempt in range(9):
        assert admin_sign_in("rina", wrong_code(device))[1].status_code == 400
    assert admin_sign_in("rina", wrong_code(device))[1].status_code == 429
    client, locked = admin_sign_in("rina", code(device))
    assert locked.status_code == 429
    assert not signed_in(client)


# KOPNET_ADMIN_2FA ------------------------------------------------------------------


@pytest.mark.parametrize("page", ["/admin/", "/admin/registry/cooperative/"])
def test_with_the_setting_staff_without_a_second_factor_are_led_to_set_one_up(settings, page):
    settings.KOPNET_ADMIN_2FA = True
    CuratorFactory(username="rina")
    client, response = admin_sign_in("rina")
    assert response.status_code == 302  # the password is right: signed in, not in the admin
    shut = client.get(page)
    assert shut.status_code == 302
    assert shut["Location"].startswith(ADMIN_SIGN_IN)
    led = client.get(shut["Location"])
    assert led.status_code == 302
    assert led["Location"] == f"{SET_UP}?next={page.replace('/', '%2F')}"

    form = client.get(led["Location"])
    assert form.context["next"] == page
    device = TOTPDevice.objects.get(user__username="rina")
    done = client.post(SET_UP, {"step": "set_up", "otp_token": code(device), "next": page})
    assert done.status_code == 302
    assert done["Location"] == page
    assert client.get(page).status_code == 200


def test_with_the_setting_an_account_with_a_second_factor_gives_its_code(settings):
    settings.KOPNET_ADMIN_2FA = True
    device = device_of(CuratorFactory(username="rina"))
    client, without = admin_sign_in("rina")
    assert without.status_code == 400
    assert not signed_in(client)
    client, right = admin_sign_in("rina", code(device))
    assert client.get("/admin/").status_code == 200


def test_the_set_up_page_leads_nowhere_but_this_site(curator):
    page = curator.get(SET_UP, {"next": "https://evil.example/"})
    assert page.context["next"] == ""


# Curators and administrators -------------------------------------------------------


def test_curators_see_who_has_a_second_factor_but_only_a_superuser_removes_one(curator):
    device = device_of(UserFactory(username="rina", is_staff=True))
    listing = curator.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert "rina" in listing.content.decode()
    change = curator.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()  # the secret is never shown again
    assert curator.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    administrator = Client()
    administrator.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    deleted = administrator.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


# Markup ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_second_factor_pages_parse_as_html5(language, curator, curator_user):
    from tests.test_html_valid import problems_of

    curator.cookies["django_language"] = language
    set_up = curator.get(SET_UP)
    device = TOTPDevice.objects.get(user=curator_user)
    refused = curator.post(SET_UP, {"step": "set_up", "otp_token": wrong_code(device)})
    device.confirmed = True
    device.save()
    status = curator.get(SET_UP)
    removal_refused = curator.post(SET_UP, {"step": "remove", "otp_token": ""})
    asked_for_code = english(Client()).post(SIGN_IN, {"username": "curator", "password": PASSWORD, "next": "/admin/"})
    assert asked_for_code.status_code == 400
    for response in (set_up, refused, status, removal_refused, asked_for_code):
        assert problems_of(response.content)[1] == []
