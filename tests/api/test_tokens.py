"""Issue 14 §1: personal API tokens. Made on the account page and shown once, kept
only as a digest; a token opens the API as its owner until it expires or is
revoked (by its owner, or a curator in the admin); a read-only token never writes;
its last use is kept, written at most once a minute."""

import datetime
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from kopnet import tokens
from kopnet.models import ApiToken, Verification
from tests.factories import CooperativeFactory, CuratorFactory, RepresentationFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(key, path="/api/v1/cooperatives/", scheme="Token", **extra):
    return Client().get(path, HTTP_AUTHORIZATION=f"{scheme} {key}", HTTP_ACCEPT_LANGUAGE="en", **extra)


@pytest.fixture
def pending_official():
    coop = CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    user = UserFactory(username="pengurus_api")
    RepresentationFactory(user=user, cooperative=coop)
    return user, coop


def test_a_token_made_on_the_account_page_is_shown_once_and_kept_as_a_digest(pending_official):
    user, _coop = pending_official
    browser = Client()
    browser.force_login(user)

    response = browser.post("/akun/token-api/", {"name": "Tim data", "can_write": "on", "expires_on": ""})

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["made"]["key"]
    assert key.startswith("kn_") and key in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.can_write, token.expires_at) == ("Tim data", True, None)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest() and key not in str(ApiToken.objects.values().get())
    # Never again: the page lists it by its beginning only.
    again = browser.get("/akun/token-api/").content.decode()
    assert key not in again and f"kn_{token.prefix}_…" in again


def test_the_token_opens_the_api_as_its_owner(pending_official):
    user, coop = pending_official
    _token, key = tokens.token_create(user=user, name="Tim data")

    slugs = [row["slug"] for row in api(key).json()["results"]]
    assert coop.slug in slugs
    assert coop.slug in [row["slug"] for row in api(key, scheme="Bearer").json()["results"]]
    assert coop.slug not in [row["slug"] for row in Client().get("/api/v1/cooperatives/").json()["results"]]


@pytest.mark.parametrize("how", ["wrong", "expired", "revoked", "owner inactive", "malformed"])
def test_a_token_that_opens_nothing_is_a_401_that_says_so(pending_official, how):
    user, _coop = pending_official
    token, key = tokens.token_create(user=user, name="Tim data")
    if how == "wrong":
        key = key[:-4] + "AAAA"
    elif how == "expired":
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(
            created_at=now - datetime.timedelta(days=2), expires_at=now - datetime.timedelta(seconds=1)
        )
    elif how == "revoked":
        tokens.token_revoke(user=user, token_id=token.pk)
    elif how == "owner inactive":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        key = "kn_\x00"

    response = api(key)

    assert response.status_code == 401
    assert response.json() == {"detail": "This token opens nothing: it is wrong, expired or revoked."}
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize(("can_write", "status"), [(False, 403), (True, 405)])
def test_a_read_only_token_is_refused_any_write(pending_official, can_write, status):
    """Refused before anything else (the writes of the API come later: a read-write
    token gets as far as the method, which this list does not take)."""
    user, _coop = pending_official
    _token, key = tokens.token_create(user=user, name="Tim data", can_write=can_write)

    response = Client().post("/api/v1/cooperatives/", {}, HTTP_AUTHORIZATION=f"Token {key}", content_type="application/json")

    assert response.status_code == status


def test_the_last_use_is_kept_and_written_at_most_once_a_minute(pending_official, django_assert_num_queries):
    user, _coop = pending_official
    token, key = tokens.token_create(user=user, name="Tim data")
    assert api(key).status_code == 200
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None
    # The token and its owner (one query), no write: used a moment ago.
    with django_assert_num_queries(1):
        assert tokens.token_for_key(key) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == used


def test_only_its_owner_or_a_curator_revokes_a_token(pending_official):
    user, _coop = pending_official
    token, key = tokens.token_create(user=user, name="Tim data")
    stranger = Client()
    stranger.force_login(UserFactory())
    stranger.post(f"/akun/token-api/{token.pk}/cabut/")
    assert api(key).status_code == 200

    curator = Client()
    curator.force_login(CuratorFactory())
    response = curator.post(
        "/admin/kopnet/apitoken/", {"action": "revoke_selected", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by.is_staff
    assert api(key).status_code == 401


def test_its_owner_revokes_it_on_the_account_page(pending_official):
    user, _coop = pending_official
    token, key = tokens.token_create(user=user, name="Tim data")
    browser = Client()
    browser.force_login(user)

    response = browser.post(f"/akun/token-api/{token.pk}/cabut/")

    assert response.status_code == 302 and response["Location"] == "/akun/token-api/"
    assert api(key).status_code == 401
    assert "Dicabut" in browser.get("/akun/token-api/").content.decode()


@pytest.mark.parametrize(
    ("expires_on", "field"),
    [("2000-01-01", "expires_on"), ("2999-01-01", "expires_on"), ("besok", "expires_on"), ("", "name")],
)
def test_a_wrong_form_is_a_400_at_its_field_and_makes_nothing(pending_official, expires_on, field):
    user, _coop = pending_official
    browser = Client()
    browser.force_login(user)

    response = browser.post("/akun/token-api/", {"name": "" if field == "name" else "Tim", "expires_on": expires_on})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_token_with_an_expiry_works_until_the_end_of_that_day(pending_official):
    user, _coop = pending_official
    browser = Client()
    browser.force_login(user)
    day = timezone.localdate() + datetime.timedelta(days=30)

    response = browser.post("/akun/token-api/", {"name": "Sebulan", "expires_on": day.isoformat()})

    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at).date() == day
    assert api(response.context["made"]["key"]).status_code == 200


def test_signed_out_the_token_page_asks_to_sign_in():
    response = Client().get("/akun/token-api/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")
