"""Accounts: sign up, sign in and out, change and reset the password, and the
account links every page shows."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from kopnet.models import VerifiedEmail
from tests.factories import PASSWORD, CuratorFactory, UserFactory

NEW_PASSWORD = "Kebun-kelapa-sawit-77"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_sign_up_creates_the_account_and_mails_the_link_without_signing_in(client):
    response = client.post(
        "/akun/daftar/",
        {"username": "budi", "email": "budi@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == "/akun/daftar/terkirim/"
    user = get_user_model().objects.get(username="budi")
    assert user.email == "budi@example.org"
    assert user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session
    assert not VerifiedEmail.holds(user)
    (message,) = mail.outbox
    assert message.to == ["budi@example.org"]
    assert "/akun/email/" in message.body
    assert client.get(response.url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"username": "budi", "email": "budi@example.org", "password1": NEW_PASSWORD, "password2": "lain-lagi-123"}, "password2"),
        ({"username": "budi", "email": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "email"),
        ({"username": "budi", "email": "bukan-email", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "email"),
        ({"username": "bu di!", "email": "budi@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "username"),
        ({"username": "bu\x00di", "email": "budi@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "username"),
        ({"username": "budi", "email": "budi@example.org", "password1": "12345678", "password2": "12345678"}, "password2"),
    ],
)
def test_sign_up_with_bad_input_is_a_400_with_the_fields_error(client, data, field):
    response = client.post("/akun/daftar/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not get_user_model().objects.filter(username="budi").exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_up_refuses_a_taken_username_in_any_case(client):
    UserFactory(username="Budi", email="budi@example.org")
    response = client.post(
        "/akun/daftar/",
        {"username": "budi", "email": "lain@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"username"}


@pytest.mark.django_db
def test_sign_up_page_shows_labelled_fields_and_errors_next_to_them(client, english):
    response = client.post("/akun/daftar/", {"username": "", "email": "x"})
    html = response.content.decode()
    for name in ["username", "email", "password1", "password2"]:
        assert f'<label class="form-label" for="id_{name}">' in html
    assert 'id="id_username_error"' in html
    assert 'id="id_email_error"' in html
    assert 'class="form-control is-invalid"' in html


@pytest.mark.django_db
def test_signed_in_user_opening_sign_up_goes_to_the_dashboard(client):
    client.force_login(UserFactory())
    assert client.get("/akun/daftar/")["Location"] == "/akun/"


@pytest.mark.django_db
def test_log_in_then_log_out_by_post(client):
    user = UserFactory(username="siti")
    response = client.post("/akun/masuk/", {"username": "siti", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [("/akun/", 302)]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [message.level_tag for message in response.context["messages"]] == ["success"]

    assert client.get("/akun/keluar/").status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)

    response = client.post("/akun/keluar/", follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "_auth_user_id" not in client.session
    assert [message.level_tag for message in response.context["messages"]] == ["info"]


@pytest.mark.django_db
def test_log_in_follows_next(client):
    UserFactory(username="siti")
    response = client.post("/akun/masuk/", {"username": "siti", "password": PASSWORD, "next": "/koperasi/"})
    assert response.url == "/koperasi/"


@pytest.mark.django_db
@pytest.mark.parametrize("username, password", [("siti", "salah"), ("si\x00ti", PASSWORD), ("siti", "pass\x00")])
def test_log_in_with_wrong_or_malformed_credentials_is_a_400_and_signs_nobody_in(client, username, password):
    UserFactory(username="siti")
    response = client.post("/akun/masuk/", {"username": username, "password": password})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_dashboard_asks_visitors_to_sign_in(client):
    response = client.get("/akun/")
    assert response.status_code == 302
    assert response.url == "/akun/masuk/?next=/akun/"


@pytest.mark.django_db
def test_password_change_needs_the_old_password_and_sets_the_new_one(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get("/akun/sandi/").status_code == 200

    refused = client.post(
        "/akun/sandi/", {"old_password": "salah", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert refused.status_code == 400
    assert "old_password" in refused.context["form"].errors

    response = client.post(
        "/akun/sandi/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/akun/sandi/selesai/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The session survives the change: still signed in.
    assert client.get("/akun/sandi/selesai/").status_code == 200


@pytest.mark.django_db
def test_password_change_asks_visitors_to_sign_in(client):
    assert client.get("/akun/sandi/").url.startswith("/akun/masuk/")


@pytest.mark.django_db
def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(username="rina", email="rina@example.org")
    response = client.post("/akun/sandi/reset/", {"email": "rina@example.org"})
    assert response.status_code == 302
    assert response.url == "/akun/sandi/reset/terkirim/"
    assert client.get(response.url).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rina@example.org"]
    assert "\n" not in message.subject
    link = re.search(rf"{re.escape(settings.SITE_URL)}(/akun/sandi/reset/[^/\s]+/[^/\s]+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    response = client.post(
        form_page.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/akun/sandi/reset/selesai/"
    assert client.get(response.url).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


@pytest.mark.django_db
def test_the_reset_link_goes_to_site_url_whatever_host_the_request_named(client, settings):
    """A reset requested with `Host: 127.0.0.1:1337` once mailed a link to that port."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://kopnet.example.org"
    UserFactory(username="rina", email="rina@example.org")
    client.post("/akun/sandi/reset/", {"email": "rina@example.org"}, HTTP_HOST="127.0.0.1:1337")
    (message,) = mail.outbox
    links = re.findall(r"\S+://\S+", message.body)
    assert len(links) == 1
    assert links[0].startswith("https://kopnet.example.org/akun/sandi/reset/")
    assert "1337" not in message.body


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/akun/sandi/reset/", {"email": "tidak-ada@example.org"})
    assert response.url == "/akun/sandi/reset/terkirim/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_with_a_malformed_address_is_a_400(client):
    response = client.post("/akun/sandi/reset/", {"email": "bukan\x00email"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


@pytest.mark.django_db
def test_visitor_sees_sign_in_and_sign_up_links(client):
    html = client.get("/koperasi/").content.decode()
    assert 'href="/akun/masuk/?next=/koperasi/"' in html
    assert 'href="/akun/daftar/"' in html
    assert 'action="/akun/keluar/"' not in html


@pytest.mark.django_db
def test_signed_in_user_sees_the_dashboard_link_and_a_sign_out_form(client):
    client.force_login(UserFactory())
    html = client.get("/koperasi/").content.decode()
    assert 'href="/akun/"' in html
    assert '<form method="post" action="/akun/keluar/">' in html
    assert 'href="/akun/masuk/' not in html
    assert 'href="/admin/"' not in html


@pytest.mark.django_db
def test_staff_still_see_the_admin_link(client):
    client.force_login(CuratorFactory())
    html = client.get("/koperasi/").content.decode()
    assert 'href="/admin/"' in html
    assert 'href="/akun/"' in html
