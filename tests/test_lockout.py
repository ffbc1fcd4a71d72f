"""Sign-in lockout (django-axes): at most 10 wrong passwords per account and per
address, then a pause with a page in the reader's language; curators lift it."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import PASSWORD, CuratorFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGN_IN = "/akun/masuk/"
# The same page, on the way to the admin (where /admin/login/ sends).
ADMIN_SIGN_IN = "/akun/masuk/?next=/admin/"


def sign_in(url, username, password, address="198.51.100.7", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    client.cookies["django_language"] = "en"
    return client.post(url, {"username": username, "password": password})


def fail(url, username, times, **kwargs):
    """`times` wrong passwords; the tenth is answered with the pause."""
    for number in range(1, times + 1):
        status = sign_in(url, username, "salah-sandi", **kwargs).status_code
        assert status == (429 if number == 10 else 400)


@pytest.mark.parametrize("url", [SIGN_IN, ADMIN_SIGN_IN])
def test_ten_wrong_passwords_lock_the_account_even_with_the_right_one(url):
    user = UserFactory(username="rina", is_staff=url == ADMIN_SIGN_IN)
    fail(url, "rina", 9)
    assert sign_in(url, "rina", PASSWORD).status_code == 302  # nine are a person's typos
    assert sign_in(url, "rina", "salah-sandi").status_code == 429  # the tenth

    locked = sign_in(url, "rina", PASSWORD)

    assert locked.status_code == 429
    assert locked["Retry-After"] == "1800"
    assert "after 10 wrong passwords. Try again in 30 minutes." in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session
    # From another address too: the account is locked, not only the address.
    assert sign_in(url, "rina", PASSWORD, address="203.0.113.9").status_code == 429
    # Another account from another address is not.
    UserFactory(username="budi", is_staff=True)
    assert sign_in(url, "budi", PASSWORD, address="203.0.113.9").status_code == 302
    assert user.pk


def test_ten_failures_from_one_address_lock_the_address_for_every_account():
    UserFactory(username="budi")
    for number in range(9):
        assert sign_in(SIGN_IN, f"tebakan{number}", "salah").status_code == 400
    assert sign_in(SIGN_IN, "tebakan9", "salah").status_code == 429
    assert sign_in(SIGN_IN, "budi", PASSWORD).status_code == 429
    assert sign_in(SIGN_IN, "budi", PASSWORD, address="203.0.113.9").status_code == 302


def test_the_locked_out_page_speaks_indonesian_by_default():
    UserFactory(username="rina")
    fail(SIGN_IN, "rina", 10)
    client = Client(REMOTE_ADDR="198.51.100.7")
    page = client.post(SIGN_IN, {"username": "rina", "password": PASSWORD}).content.decode()
    assert "Terlalu banyak kata sandi yang salah" in page


def test_a_forged_forwarded_for_does_not_spread_failures_without_a_trusted_proxy(settings):
    """Without KOPNET_TRUSTED_PROXIES the header is anyone's: it is ignored."""
    settings.KOPNET_TRUSTED_PROXIES = 0
    UserFactory(username="budi")
    for number in range(10):
        sign_in(SIGN_IN, f"tebakan{number}", "salah", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    assert sign_in(SIGN_IN, "budi", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(settings):
    """deploy/nginx replaces X-Forwarded-For with the address it saw: every client
    arrives from the proxy's own address, and must not share one counter."""
    settings.KOPNET_TRUSTED_PROXIES = 1
    UserFactory(username="budi")
    for number in range(10):
        sign_in(SIGN_IN, f"tebakan{number}", "salah", address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert sign_in(SIGN_IN, "budi", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert sign_in(SIGN_IN, "budi", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 302
    # A client's own header in front of the proxy's entry changes nothing.
    assert sign_in(
        SIGN_IN, "budi", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.7"
    ).status_code == 429


def test_curators_see_the_lockout_and_lift_it_in_the_admin():
    UserFactory(username="rina")
    fail(SIGN_IN, "rina", 10)
    curator = Client()
    curator.force_login(CuratorFactory())
    listing = curator.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "rina" in listing.content.decode()

    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    confirm = curator.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": attempts, "post": "yes"}
    )
    assert confirm.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(SIGN_IN, "rina", PASSWORD).status_code == 302
