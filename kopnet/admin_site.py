"""KopNet's admin site (admin.site, kopnet.apps.KopnetAdminConfig): Django's, with a
sign-in that asks for the code of a staff account's second factor
(kopnet.two_factor), a door that stays shut to a session that did not give it, and
on its index the curators' work queue (QueueSection: each app adds its own)."""

from collections.abc import Callable
from dataclasses import dataclass
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

    # The curators' work queue on the index ------------------------------------

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queue_sections = []

    def add_to_queue(self, section):
        """A kind of work waiting for curators, shown on the index (QueueSection).
        Each app's admin adds its own, as it registers its models: kopnet knows
        none of the apps above it."""
        self.queue_sections.append(section)
        self.queue_sections.sort(key=lambda known: known.order)

    def curator_queue(self, request):
        """What waits for this curator: for each kind they may see, the count and
        the oldest few, two queries a kind whatever the rows."""
        return [queued for section in self.queue_sections if (queued := section.read(request, self.name)) is not None]

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "curator_queue": self.curator_queue(request)}
        return super().index(request, extra_context)


# How many of the oldest waiting records each kind of work names on the index.
QUEUE_SHOWN = 5


@dataclass(frozen=True)
class QueueSection:
    """One kind of work waiting for curators.

    `waiting()` returns the waiting rows (cheap to count: a filter a partial index
    holds); `age_field` orders them oldest first; `related` are the foreign keys
    `describe(row)` reads, joined to the oldest only (the count joins nothing);
    `filters` are the changelist's query parameters that list the same rows.
    """

    order: int
    label: str
    model: type
    waiting: Callable
    age_field: str
    filters: dict
    describe: Callable = str
    related: tuple = ()
    help_text: str = ""

    def read(self, request, site_name):
        opts = self.model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and not request.user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            return None
        rows = self.waiting()
        count = rows.order_by().count()  # one COUNT over the waiting rows only
        oldest = list(rows.select_related(*self.related).order_by(self.age_field, "pk")[:QUEUE_SHOWN])  # always asked: a constant number of queries
        prefix = f"{site_name}:{opts.app_label}_{opts.model_name}"
        return {
            "label": self.label,
            "help_text": self.help_text,
            "count": count,
            "url": f"{reverse(f'{prefix}_changelist')}?{urlencode(self.filters)}",
            "oldest": [
                {
                    "name": self.describe(row),
                    "since": getattr(row, self.age_field),
                    "url": reverse(f"{prefix}_change", args=[row.pk]),
                }
                for row in oldest
            ],
        }
