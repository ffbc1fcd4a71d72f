"""Accounts that prove their address: the signed link, and the mails sign-up sends.

The link carries the account and the address it was sent to, signed with the
SECRET_KEY (django.core.signing, a TimestampSigner underneath) and good for
EMAIL_VERIFY_MAX_AGE seconds. It is built on settings.SITE_URL, never on the
request's host, so that a forged Host header cannot send the link elsewhere.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from kopnet.models import VerifiedEmail

SALT = "kopnet.accounts.verify-email"


def verify_link(user):
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("email_verify", kwargs={"token": token})


def send_verify_link(user):
    context = {"user": user, "link": verify_link(user), "days": settings.EMAIL_VERIFY_MAX_AGE // 86400}
    send_mail(
        _("Confirm your email address for KopNet"),
        render_to_string("accounts/verify_email.txt", context),
        None,
        [user.email],
    )


def send_signup_attempt_notice(email):
    """Someone signed up with an address that has an account: tell its owner, not the visitor."""
    context = {"email": email, "reset": settings.SITE_URL + reverse("password_reset")}
    send_mail(
        _("Someone tried to sign up to KopNet with your email address"),
        render_to_string("accounts/signup_attempt_email.txt", context),
        None,
        [email],
    )


@transaction.atomic
def verify_email(token):
    """Mark the address of the link's account as proven; the account. A forged, expired
    or outdated link raises ValidationError with a message for the person. The
    account's row is locked meanwhile: an address changed at the same moment is
    either the one proven or makes the link outdated, never half of each."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_VERIFY_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This confirmation link has expired. Sign in and ask for a new one."), code="expired"
        ) from error
    except signing.BadSignature as error:
        raise ValidationError(
            _("This confirmation link is not valid. Copy the whole link from the email, or ask for a new one."),
            code="invalid",
        ) from error
    user = get_user_model().objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower() != str(data.get("e", "")).lower():
        raise ValidationError(
            _("This confirmation link is for an address the account no longer has. Sign in and ask for a new one."),
            code="outdated",
        )
    VerifiedEmail.mark(user)
    return user


def require_verified_email(user):
    """The rule: an account acts for a cooperative only once its address is proven."""
    if not VerifiedEmail.holds(user):
        raise ValidationError(
            _("Confirm your email address first: open the link we sent you, or ask for a new one on your account page."),
            code="unverified",
        )
