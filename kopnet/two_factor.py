"""The second factor of staff accounts: a TOTP device (django-otp) in an
authenticator app, one per account.

A staff account sets it up at /akun/dua-faktor/ (kopnet.views.two_factor). Its
devices change in locked services (the account's row: one request at a time), and
the database holds one confirmed device an account (migration 0019). Once it
has one, the sign-in page asks for its code (kopnet.forms.LoginForm; /admin/login/
sends there), and the admin lets the account in only from a session that gave it:
choosing a second factor counts, whatever the setting. With KOPNET_ADMIN_2FA the admin requires one
of every staff account, and sends an account without one to set it up.
"""

import base64

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "KopNet"


def confirmed_device(user):
    """The account's second factor, or None. One per account: the set-up page makes
    no second one while one is confirmed."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user):
    """Whether the account has a confirmed device; asked once per request."""
    if not user.is_authenticated:
        return False
    known = getattr(user, "_kopnet_has_second_factor", None)
    if known is None:
        known = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        user._kopnet_has_second_factor = known
    return known


def session_verified(user):
    """Whether this session gave the account's code (django_otp's OTPMiddleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def admin_allows(user):
    """Whether the admin lets this (staff) account in, as far as the second factor goes."""
    if session_verified(user):
        return True
    if has_second_factor(user):
        return False
    return not settings.KOPNET_ADMIN_2FA


def must_set_up(user):
    """A staff account the admin turns away until it sets up a second factor."""
    return (
        settings.KOPNET_ADMIN_2FA
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not has_second_factor(user)
    )


def lock_account(user):
    """The account's row, locked until the transaction ends: its devices change one
    request at a time (two windows of the same set-up page, a removal meanwhile)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()


@transaction.atomic
def pending_device(user):
    """The device being set up: made unconfirmed on the first visit, the same one
    (and the same secret) until it is confirmed, so that a page reloaded or opened
    twice does not invalidate the code the app already shows."""
    lock_account(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm(user, device):
    """The code was right: the device becomes the account's second factor, unless
    another window set one up or ended this set-up meanwhile (ValidationError)."""
    lock_account(user)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("This account's second factor was set up meanwhile, in another window."), code="set_up")
    if not TOTPDevice.objects.filter(pk=device.pk, user=user, confirmed=False).update(confirmed=True):
        raise ValidationError(_("This set-up was ended meanwhile, in another window: start again."), code="ended")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()  # another window's unused secret
    device.confirmed = True
    user._kopnet_has_second_factor = True
    return device


@transaction.atomic
def remove(user, device):
    """Every device of the account, confirmed or not; refused when the device the
    person proved is gone already (removed meanwhile, in another window or by an
    administrator)."""
    lock_account(user)
    if not TOTPDevice.objects.filter(pk=device.pk, user=user, confirmed=True).exists():
        raise ValidationError(_("This second factor was removed meanwhile."), code="removed")
    TOTPDevice.objects.filter(user=user).delete()
    user._kopnet_has_second_factor = False


def remember_in_session(request, device):
    """This session gave the device's code: the admin lets it in without asking again."""
    otp_login(request, device)


def forget_in_session(request):
    """The session's mark that it gave the removed device's code."""
    request.user.otp_device = None
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def secret_text(device):
    """The secret as an authenticator app takes it typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def qr_code_svg(device):
    """The otpauth:// address as an inline SVG, drawn here: the secret goes to no
    other server, and the page needs no image from elsewhere (no style attribute
    either: only SVG's own presentation attributes)."""
    code = segno.make(device.config_url, error="m")
    return mark_safe(code.svg_inline(scale=5, dark="#000", light="#fff"))
