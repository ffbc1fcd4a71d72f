"""KopNet's admin site (admin.site, kopnet.apps.KopnetAdminConfig): Django's, with a
sign-in that asks for the code of a staff account's second factor
(kopnet.two_factor), and a door that stays shut to a session that did not give it."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin

from kopnet import two_factor

# Said in KopNet's words (and languages) rather than django-otp's.
OTP_ERRORS = {
    "token_required": _("This account has a second factor: enter the code your authenticator app shows."),
    "invalid_token": _("That code is wrong or has expired. Enter the code your authenticator app shows now."),
    "n_failed_attempts": _("Too many wrong codes: wait a minute, then enter the code your app shows."),
    "verification_not_allowed": _("Too many wrong codes: wait a minute, then enter the code your app shows."),
}


class AdminLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """Username and password, and the code for an account with a second factor.

    The field is always there (whether an account has a second factor is not told
    before its password is right); an account without one leaves it empty. A wrong
    code counts as a failed sign-in for django-axes, as a wrong password does: a
    guesser who has the password still stops after AXES_FAILURE_LIMIT tries.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        help_text=_("Only if you set up a second factor."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {**OTPAuthenticationFormMixin.otp_error_messages, **OTP_ERRORS}
    # Django's names the field through %(username)s after its Indonesian already says
    # "nama pengguna" (kopnet.forms.INVALID_LOGIN says why): ours names it once.
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct username and password for a staff account. "
            "Note that both fields may be case-sensitive."
        ),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor.has_second_factor(user):
            try:
                self.clean_otp(user)
            except ValidationError:
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": cleaned.get("username")},
                    request=self.request,
                )
                raise
        return cleaned

    def _chosen_device(self, user):
        # One device per account: no list to choose from.
        return two_factor.confirmed_device(user)

    def _update_form(self, user):
        pass  # no device list to fill, and the password is typed again


class KopnetAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    login_template = "admin/kopnet/login.html"

    def has_permission(self, request):
        return super().has_permission(request) and two_factor.admin_allows(request.user)

    def login(self, request, extra_context=None):
        """A staff account the admin turns away for want of a second factor is led
        to set one up, and comes back where it was going."""
        if request.method == "GET" and two_factor.must_set_up(request.user):
            destination = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(destination, {request.get_host()}, request.is_secure()):
                destination = reverse("admin:index", current_app=self.name)
            messages.warning(request, gettext("The admin asks for a second factor: set one up to continue."))
            return redirect(f"{reverse('second_factor')}?{urlencode({'next': destination})}")
        return super().login(request, extra_context)
