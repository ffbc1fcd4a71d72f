"""Project-wide forms: the Bootstrap look every public form shares, and the account forms."""

import datetime
import re

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin

from kopnet import two_factor


def written_text(value):
    """A value as the template engine prints {{ value }}: localized, then escaped."""
    return conditional_escape(localize(value))


def written_attributes(attrs):
    """What django/forms/widgets/attrs.html writes: ` name="value"`, a bare name for
    True, nothing for False."""
    return "".join(
        f" {written_text(name)}" if value is True else f' {written_text(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastTextarea(forms.Textarea):
    """A Textarea that writes the same HTML as Django's textarea.html, without a
    template: the dashboard has a decline form per waiting partnership, and their
    textareas' two templates each were a quarter of its time. The context is still
    Django's get_context(); tests/test_fast_widgets.py compares the markup."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        text = written_text(widget["value"]) if widget["value"] else ""
        return mark_safe(f'<textarea name="{written_text(widget["name"])}"{written_attributes(widget["attrs"])}>\n{text}</textarea>')


class KeyedFormFields:
    """The fields of many copies of one unbound form, as _form_fields.html writes them,
    for copies that differ only in the key their ids carry (auto_id "…-<key>-%s").

    The dashboard has a decline form for each partnership and each change waiting
    for an answer: the template is rendered once, for a stand-in key, and each copy
    is that HTML with its own key in the stand-in's place. A form with data (sent
    back with its errors) goes through the template itself.
    tests/test_fast_widgets.py compares the copies with the template's own HTML."""

    STAND_IN = "kn-stand-in-key"
    KEY = re.compile(r"[-a-zA-Z0-9_]+")  # written into ids as it is: nothing to escape

    def __init__(self, make_form, template_name="_form_fields.html"):
        self.make_form = make_form  # key -> the unbound form
        self.template_name = template_name
        self._html = None

    def html(self, key):
        key = str(key)
        if not self.KEY.fullmatch(key):
            return self.render(self.make_form(key))
        if self._html is None:
            # In the language active now, as the page is: one stamp per request.
            self._html = self.render(self.make_form(self.STAND_IN))
        return mark_safe(self._html.replace(self.STAND_IN, key))

    def render(self, form):
        return render_to_string(self.template_name, {"form": form})


class VersionedFormMixin:
    """An edit form that carries the version of the record it was opened on.

    The service compares it under the row's lock and refuses a stale edit
    (kopnet.services.require_version); the form only carries it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=1, initial=getattr(instance, "version", None)
        )

    @property
    def opened_version(self):
        return self.cleaned_data.get("version") if hasattr(self, "cleaned_data") else None

    def refuse_stale(self, error, record, changed):
        """Show why the edit was refused and what changed meanwhile, and carry the
        current version: sending the form again, once reviewed, is a new decision."""
        self.add_error(None, error)
        if changed:
            self.add_error(None, _("Changed meanwhile: %(fields)s.") % {"fields": ", ".join(changed)})
        data = self.data.copy()
        data[self.add_prefix("version")] = record.version
        self.data = data


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on the fields with errors.

    Django already adds aria-invalid and links each error to its field
    (aria-describedby); Bootstrap needs these classes to show the error next to it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"  # each box; the template lays them out as Bootstrap checks
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class SignupForm(BootstrapFormMixin, auth_forms.UserCreationForm):
    """A new account: username, email (for password resets) and the password twice."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send password reset links here, and news of partnerships that name your cooperative."),
    )

    class Meta(auth_forms.UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        # No "already exists" here: that would tell anyone which addresses have an
        # account. The sign-up view mails the address's owner instead.
        return get_user_model().objects.normalize_email(self.cleaned_data["email"])

    def account_with_email(self):
        # One account per address, so that a password reset reaches exactly one account.
        return get_user_model().objects.filter(email__iexact=self.cleaned_data["email"]).first()


# Django's message names the field by its verbose name ("Please enter a correct
# %(username)s…"), and its Indonesian already says "nama pengguna" before it: "Masukkan
# nama pengguna nama pengguna dan sandi". Ours names it once, in both languages.
INVALID_LOGIN = _("Please enter a correct username and password. Note that both fields may be case-sensitive.")


# Said in KopNet's words (and languages) rather than django-otp's.
OTP_ERRORS = {
    "token_required": _("This account has a second factor: enter the code your authenticator app shows."),
    "invalid_token": _("That code is wrong or has expired. Enter the code your authenticator app shows now."),
    "n_failed_attempts": _("Too many wrong codes: wait a minute, then enter the code your app shows."),
    "verification_not_allowed": _("Too many wrong codes: wait a minute, then enter the code your app shows."),
}


class LoginForm(OTPAuthenticationFormMixin, BootstrapFormMixin, auth_forms.AuthenticationForm):
    """The one sign-in form, the site's and the admin's (/admin/login/ sends here):
    username and password, and the code of an account with a second factor
    (kopnet.two_factor: staff accounts that set one up).

    The code's field is always there (whether an account has a second factor is
    not told before its password is right); an account without one leaves it
    empty. A right code marks the session as having given it (django-otp's
    user_logged_in handler), which the admin asks of such an account. A missing or
    wrong code counts as a failed sign-in for django-axes, as a wrong password
    does: a guesser who has the password still stops after AXES_FAILURE_LIMIT tries.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        help_text=_("Only if you set up a second factor."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {**auth_forms.AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}
    otp_error_messages = {**OTPAuthenticationFormMixin.otp_error_messages, **OTP_ERRORS}

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor.has_second_factor(user):
            try:
                self.clean_otp(user)
            except forms.ValidationError:
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


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


CODE_WIDGET_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}


def check_code(device, code):
    """A code from the app against `device` (django-otp's throttling counts every
    wrong one); a ValidationError that says why when it is refused."""
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        raise forms.ValidationError(_("Too many wrong codes: wait a minute, then enter the code your app shows."))
    if not device.verify_token(code.replace(" ", "")):
        raise forms.ValidationError(
            _("That code is wrong or has expired. Enter the code your authenticator app shows now.")
        )


class SecondFactorConfirmForm(BootstrapFormMixin, forms.Form):
    """The first code of a new device: proves that the app holds its secret."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"), max_length=16, widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS)
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        check_code(self.device, self.cleaned_data["otp_token"])
        return self.cleaned_data["otp_token"]


class SecondFactorRemoveForm(BootstrapFormMixin, forms.Form):
    """Removing the second factor takes a current code; the password is enough only
    in a session that already gave a code. Otherwise anyone holding the password
    alone could sign in on the site's page, remove the second factor here and enter
    the admin with the password: the one thing a second factor is for."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("Or your password"), required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, device, password_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.device = user, device
        if not password_allowed:
            del self.fields["password"]

    def clean(self):
        cleaned = super().clean()
        code, password = cleaned.get("otp_token"), cleaned.get("password")
        if code:
            try:
                check_code(self.device, code)
            except forms.ValidationError as error:
                self.add_error("otp_token", error)
        elif password:
            if not self.user.check_password(password):
                self.add_error("password", _("That is not your password."))
        elif "password" in self.fields:
            raise forms.ValidationError(_("Enter a code from your authenticator app, or your password."))
        else:
            self.add_error("otp_token", _("Enter the code your authenticator app shows."))
        return cleaned


# The first day a date of the registry can mean: its organisations and partnerships
# began after Indonesia's first cooperatives.
FIRST_DAY = datetime.date(1900, 1, 1)


class DayField(forms.DateField):
    """A day of the registry's past, written as YYYY-MM-DD (what a date input sends):
    not in the future, not before FIRST_DAY, nor before `earliest` when given (a
    record's founding, with `earliest_message` saying so). A wrong day is an error at
    the field (the page answers 400), never a 500."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD, for example 2024-03-01.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_earliest(None, "")

    def set_earliest(self, day, message):
        """Refuse days before `day` with `message`; the date picker offers none either."""
        self.earliest, self.earliest_message = day, message
        self.widget.attrs["min"] = (day or FIRST_DAY).isoformat()

    def widget_attrs(self, widget):
        # The picker offers the days the field takes; the field still refuses a typed or forged one.
        return {**super().widget_attrs(widget), "max": timezone.localdate().isoformat()}

    def __deepcopy__(self, memo):
        # Each form copies its class's fields: today is the day it is made, not the server's first.
        copy = super().__deepcopy__(memo)
        copy.widget.attrs["max"] = timezone.localdate().isoformat()
        return copy

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future: choose today or an earlier day."), code="future")
        if value < FIRST_DAY:
            raise forms.ValidationError(
                _("The registry holds nothing before %(day)s.") % {"day": date_format(FIRST_DAY)}, code="too_early"
            )
        if self.earliest is not None and value < self.earliest:
            raise forms.ValidationError(self.earliest_message, code="before_founding")


# The furthest a token may expire: a year, then its owner makes a new one.
TOKEN_LONGEST = datetime.timedelta(days=366)


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    """A new personal API token: what it is for, whether it writes, until when."""

    name = forms.CharField(label=_("What it is for"), max_length=100, help_text=_("For example: the union's data team."))
    can_write = forms.BooleanField(
        label=_("Read-write"),
        required=False,
        help_text=_("To register and edit partnerships through the API. Leave it off to read only."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("Empty: it works until you revoke it."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, for example 2024-03-01.")},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if "\x00" in name:
            raise forms.ValidationError(_("Enter text without control characters."), code="invalid")
        return name

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        today = timezone.localdate()
        if day is not None and not today < day <= today + TOKEN_LONGEST:
            raise forms.ValidationError(
                _("Choose a day after today and within a year."), code="out_of_range"
            )
        return day

    def expires_at(self):
        """The end of the chosen day, in the site's time zone (None: no expiry)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
