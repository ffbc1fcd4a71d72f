"""Sign-up proves the address before the account may act for a cooperative, and
neither sign-up nor password reset tells whether an address has an account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.exceptions import ValidationError

from kopnet import accounts
from kopnet.models import VerifiedEmail
from registry import services
from registry.models import Representation
from tests.factories import CooperativeFactory, UserFactory

NEW_PASSWORD = "Kebun-kelapa-sawit-77"


def sign_up(client, username="budi", email="budi@example.org", **extra):
    data = {"username": username, "email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return client.post("/akun/daftar/", data, **extra)


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_an_unverified_account_cannot_ask_to_represent_until_it_opens_the_link(client, english, settings):
    settings.SITE_URL = "https://kopnet.example"
    cooperative = CooperativeFactory()
    sign_up(client)
    user = get_user_model().objects.get(username="budi")
    client.force_login(user)

    # Redirected, with a message, to the page that resends the link (GET and POST alike).
    for response in (client.get("/akun/wakili/"), client.post("/akun/wakili/", {"cooperative": cooperative.slug})):
        assert response.status_code == 302 and response.url == "/akun/email/"
    page = client.get("/akun/email/")
    assert "Confirm your email address first" in page.content.decode()
    assert client.get("/koperasi/baru/").url == "/akun/email/"
    assert not Representation.objects.exists()
    # The rule lives in the services too, for every other writer.
    with pytest.raises(ValidationError, match="Confirm your email address"):
        services.representation_request(user=user, cooperative=cooperative)

    link = link_in(mail.outbox[0])
    assert link.startswith("https://kopnet.example/akun/email/")
    response = client.get(link.removeprefix("https://kopnet.example"))
    assert response.status_code == 302
    assert VerifiedEmail.holds(user)
    assert client.get("/akun/wakili/").status_code == 200
    response = client.post("/akun/wakili/", {"cooperative": cooperative.slug})
    assert response.status_code == 302
    assert Representation.objects.get().user == user


@pytest.mark.django_db
def test_the_link_is_built_on_site_url_whatever_the_host_header(client, settings):
    settings.SITE_URL = "https://kopnet.example"
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    sign_up(client, HTTP_HOST="127.0.0.1:1337")
    assert link_in(mail.outbox[0]).startswith("https://kopnet.example/akun/email/")
    assert "1337" not in mail.outbox[0].body


@pytest.mark.django_db
def test_an_expired_forged_or_outdated_link_is_a_400_that_says_why(client, english, settings):
    user = UserFactory(email_verified=False)
    token = accounts.verify_link(user).rsplit("/akun/email/", 1)[1].rstrip("/")

    settings.EMAIL_VERIFY_MAX_AGE = -1
    response = client.get(f"/akun/email/{token}/")
    assert response.status_code == 400
    assert "This confirmation link has expired" in response.content.decode()
    settings.EMAIL_VERIFY_MAX_AGE = 3600

    forged = signing.dumps({"u": user.pk, "e": user.email}, key="not-the-secret", salt=accounts.SALT, compress=True)
    for bad in (forged, token[:-2] + "xx", "garbage"):
        response = client.get(f"/akun/email/{bad}/")
        assert response.status_code == 400
        assert "This confirmation link is not valid" in response.content.decode()

    user.email = "baru@example.org"
    user.save()
    response = client.get(f"/akun/email/{token}/")
    assert response.status_code == 400
    assert "no longer has" in response.content.decode()
    assert not VerifiedEmail.holds(user)


@pytest.mark.django_db
def test_the_account_asks_for_the_link_again(client, english):
    user = UserFactory(email_verified=False)
    client.force_login(user)
    assert "Send the link again" in client.get("/akun/email/").content.decode()
    response = client.post("/akun/email/")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [user.email]
    client.get(link_in(message).split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert VerifiedEmail.holds(user)
    # An address changed afterwards is not proven.
    user.email = "lain@example.org"
    user.save()
    assert not VerifiedEmail.holds(user)


@pytest.mark.django_db
def test_sign_up_with_a_taken_address_answers_as_a_new_one_and_mails_its_owner(client, english, settings):
    settings.SITE_URL = "https://kopnet.example"
    owner = UserFactory(username="siti", email="siti@example.org")
    new = sign_up(client, username="budi", email="budi@example.org")
    taken = sign_up(client, username="budi2", email="SITI@example.org")
    assert (taken.status_code, taken.url) == (new.status_code, new.url) == (302, "/akun/daftar/terkirim/")
    assert taken.cookies.keys() == new.cookies.keys()
    assert not get_user_model().objects.filter(username="budi2").exists()
    assert get_user_model().objects.filter(email__iexact="siti@example.org").get() == owner
    notice = mail.outbox[1]
    assert notice.to == ["siti@example.org"]
    assert "already has an account" in notice.body
    assert "https://kopnet.example/akun/sandi/reset/" in notice.body
    assert "/akun/email/" not in notice.body


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(client, english):
    UserFactory(email="siti@example.org")
    known = client.post("/akun/sandi/reset/", {"email": "siti@example.org"})
    unknown = client.post("/akun/sandi/reset/", {"email": "tidak-ada@example.org"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, "/akun/sandi/reset/terkirim/")
    assert [message.to for message in mail.outbox] == [["siti@example.org"]]
