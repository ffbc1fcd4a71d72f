import functools
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django import forms
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from django.views import defaults
from django.views.decorators.debug import sensitive_post_parameters

from kopnet import accounts, notifications, tokens, two_factor
from kopnet.clients import client_address
from kopnet.forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SecondFactorConfirmForm,
    SecondFactorRemoveForm,
    SetPasswordForm,
    SignupForm,
)
from kopnet.models import ApiToken, NotificationKind, VerifiedEmail
from kopnet.ratelimits import posted_email, rate_limited
from kopnet.uploads import UploadTooLarge


def database_answers():
    """Whether the database answers a trivial query now. A connection that failed is
    closed first (CONN_HEALTH_CHECKS does the same at the next request's first query):
    the question is about the server, not about a connection it dropped on restart."""
    if connection.errors_occurred and not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def connection_lost():
    """Whether this request's database connection failed to open or was dropped: the
    database went away, even if it answers again by now (a restart that ended while
    the error was handled)."""
    return connection.connection is None or bool(getattr(connection.connection, "closed", False))


def healthz(request):
    """200 when the database answers, 503 when it does not; a tiny body either way."""
    if not database_answers():
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def about(request):
    """What KopNet is, who curates it, how records are verified, how to cite it and
    its data's licence. No data, so no cache: the suggested citation carries today's
    date."""
    return render(request, "about.html", {"site_url": settings.SITE_URL + reverse("home")})


# While the database restarts: how long a client is asked to wait before trying again.
UNAVAILABLE_RETRY_AFTER = 5


def bad_request(request, exception):
    """Django's 400 page, but 413 with its own words for an upload over the limits."""
    if isinstance(exception, UploadTooLarge):
        body = loader.render_to_string("413.html")
        return HttpResponse(body, status=413)
    return defaults.bad_request(request, exception)


def server_error(request):
    """Django's 500 page, unless the error came from a database that does not answer
    (a restart, a failover): then 503 with Retry-After, which says "come back in a
    moment", and which proxies and clients may retry. Another database error with the
    database up (a bug, a broken query) stays a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError) and (connection_lost() or not database_answers()):
        # Rendered without a request context, as the 500 page: nothing may need the database.
        body = loader.render_to_string("503.html")
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response
    return defaults.server_error(request)


# --- accounts -------------------------------------------------------------------


class InvalidFormIs400:
    """A form sent back with errors answers 400, as every other bad input does."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


@rate_limited("signup", "KOPNET_RATE_SIGNUP")
@sensitive_post_parameters("password1", "password2")
def signup(request):
    """A new account, not signed in until it is used: the answer is the same whether
    the address already has an account or not (no account enumeration). A new account
    gets a link that proves its address; an address that has one gets a notice."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            owner = form.account_with_email()
            if owner is not None:
                make_password(form.cleaned_data["password1"])  # as long as a new account takes
                accounts.send_signup_attempt_notice(owner.email)
            else:
                accounts.send_verify_link(form.save())
            return redirect("signup_done")
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    return render(request, "accounts/signup_done.html")


def email_verify(request, token):
    """The link from the sign-up mail: the address is proven; a bad link answers 400."""
    try:
        user = accounts.verify_email(token)
    except ValidationError as error:
        return render(request, "accounts/email_verify_failed.html", {"error": error.messages[0]}, status=400)
    messages.success(request, _("Your email address %(email)s is confirmed.") % {"email": user.email})
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return redirect("login")


@login_required
def email_status(request):
    """Whether the account's address is proven; a POST sends the link again."""
    verified = VerifiedEmail.holds(request.user)
    if request.method == "POST":
        if verified:
            messages.info(request, _("Your email address is already confirmed."))
        elif not request.user.email:
            messages.error(request, _("Your account has no email address. Ask Dekopin's curators to add one."))
        else:
            accounts.send_verify_link(request.user)
            messages.success(
                request, _("We sent a new link to %(email)s. Open it to confirm the address.") % {"email": request.user.email}
            )
        return redirect("email_status")
    return render(request, "accounts/email_status.html", {"verified": verified})


def verified_email_required(view):
    """For pages where an account asks to act for a cooperative: until its address is
    proven, the account is sent to the page that says so and resends the link."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not VerifiedEmail.holds(request.user):
            messages.warning(
                request,
                _("Confirm your email address first: open the link we sent you, or ask for a new one below."),
            )
            return redirect("email_status")
        return view(request, *args, **kwargs)

    return wrapper


STEP_CHANGED = _lazy("Your second factor changed meanwhile, in another window: nothing was done. Here it is as it is now.")


@login_required
@sensitive_post_parameters("password", "otp_token")
def second_factor(request):
    """A staff account's second factor: set up (the secret as text and as a QR code,
    confirmed by a first code), or removed. Officials sign in on the site only and
    have no admin to protect: the page does not exist for them."""
    if not request.user.is_staff:
        raise Http404
    data = request.POST if request.method == "POST" else None
    device = two_factor.confirmed_device(request.user)
    if data is not None and data.get("step") != ("remove" if device is not None else "set_up"):
        # A form of the other step: another window set the second factor up or removed it meanwhile.
        return second_factor_changed(request, ValidationError(STEP_CHANGED))
    if device is not None:
        return second_factor_remove(request, device, data)
    return second_factor_setup(request, data)


def second_factor_setup(request, data):
    pending = two_factor.pending_device(request.user)
    form = SecondFactorConfirmForm(data, device=pending)
    destination = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(destination, {request.get_host()}, request.is_secure()):
        destination = ""
    if form.is_bound and form.is_valid():
        try:
            two_factor.confirm(request.user, pending)
        except ValidationError as error:
            return second_factor_changed(request, error)
        two_factor.remember_in_session(request, pending)
        messages.success(request, _("Your second factor is set up. The admin will ask for its code when you sign in."))
        return redirect(destination or "second_factor")
    context = {
        "form": form,
        "secret": two_factor.secret_text(pending),
        "qr_code": two_factor.qr_code_svg(pending),
        "next": destination,
    }
    return render(request, "accounts/second_factor_setup.html", context, status=400 if form.is_bound else 200)


def second_factor_remove(request, device, data):
    form = SecondFactorRemoveForm(
        data, user=request.user, device=device, password_allowed=two_factor.session_verified(request.user)
    )
    if form.is_bound and form.is_valid():
        try:
            two_factor.remove(request.user, device)
        except ValidationError as error:
            return second_factor_changed(request, error)
        two_factor.forget_in_session(request)
        messages.success(request, _("Your second factor is removed."))
        return redirect("second_factor")
    return render(request, "accounts/second_factor.html", {"form": form, "device": device}, status=400 if form.is_bound else 200)


def second_factor_changed(request, error):
    """Another window changed the second factor after this page was opened: the page
    as it is now, saying why nothing was done (409)."""
    messages.error(request, error.messages[0])
    device = two_factor.confirmed_device(request.user)
    response = second_factor_remove(request, device, None) if device else second_factor_setup(request, None)
    response.status_code = 409
    return response


class LoginView(InvalidFormIs400, auth_views.LoginView):
    """The one sign-in page: the site's, and the admin's (/admin/login/ sends here
    with ?next= back to the admin). A signed-in person is sent on where they were
    going, unless that is the admin and the admin would not let this session in
    (an official's account, or a staff account whose second factor this session
    has not given): the form is shown again, to sign in as a curator or with the
    code, rather than sent round between the two pages."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.admin_refuses(request):
            self.redirect_authenticated_user = False
        return super().dispatch(request, *args, **kwargs)

    def admin_refuses(self, request):
        """Whether `next` is the admin, which this session may not open."""
        from django.contrib import admin

        return self.get_redirect_url().startswith(reverse("admin:index")) and not admin.site.has_permission(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["admin_refuses"] = self.request.user.is_authenticated and not self.redirect_authenticated_user
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Signed in as %(name)s.") % {"name": form.get_user().get_username()})
        return response


class LogoutView(auth_views.LogoutView):
    """Sign out by POST only (Django refuses GET with 405), then say so."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


class PasswordChangeView(InvalidFormIs400, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# Per address, and per email address asked for: one address gets at most so many
# reset mails an hour, from however many clients.
@method_decorator(
    rate_limited("password_reset", "KOPNET_RATE_PASSWORD_RESET", keys=(client_address, posted_email)), name="dispatch"
)
class PasswordResetView(InvalidFormIs400, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # The link goes to SITE_URL, never to the host and port the request named
        # (anyone may send a reset request with Host: their own server).
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(InvalidFormIs400, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Notifications -------------------------------------------------------------------


class NotificationSettingsForm(forms.Form):
    """Which kinds of notification come by email too (all, until turned off)."""

    email = forms.MultipleChoiceField(
        label=_lazy("Email me when"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        help_text=_lazy("Every notification also waits on your dashboard, whether it comes by email or not."),
    )


@login_required
def notification_settings(request):
    """The kinds of notification the user wants by email (a form of checkboxes)."""
    chosen = notifications.settings_of([request.user])[request.user.pk]
    email_off = set(chosen.email_off) if chosen else set()
    initial = {"email": [kind.value for kind in NotificationKind if kind.value not in email_off]}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            wanted = set(form.cleaned_data["email"])
            notifications.set_email_off(user=request.user, kinds=[kind.value for kind in NotificationKind if kind.value not in wanted])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_settings")
        return render(request, "accounts/notification_settings.html", {"form": form}, status=400)
    return render(request, "accounts/notification_settings.html", {"form": form})


@login_required
def api_tokens(request):
    """A person's API tokens: made here (the key shown once, on the answer to the
    form, never stored, never cached), listed with their use, revoked."""
    form = ApiTokenForm(request.POST or None)
    made = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token, key = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                can_write=form.cleaned_data["can_write"],
                expires_at=form.expires_at(),
            )
            made = {"token": token, "key": key}
            form = ApiTokenForm()
        else:
            status = 400
    context = {"form": form, "made": made, "tokens": ApiToken.objects.filter(user=request.user)}
    response = render(request, "accounts/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def api_token_revoke(request, pk):
    try:
        token = tokens.token_revoke(user=request.user, token_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The token %(name)s is revoked: it opens nothing any more.") % {"name": token.name})
    return redirect("api_tokens")


@login_required
def notification_open(request, pk):
    """A notification's link: marks it read and goes to its record."""
    notification = notifications.open_notification(user=request.user, pk=pk)
    if notification is None:
        raise Http404(_("There is no such notification."))
    return redirect(notification.url)


def set_language(request):
    """Django's language switch; a signed-in user's choice is also the language
    KopNet writes to them in (notifications, emails)."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        notifications.remember_language(user=request.user, language=language)
    return response


@login_required
@require_POST
def follow(request, kind, key):
    """Follow (or, with action=unfollow, stop following) a record the user may see;
    any other answers 404, as its page does."""
    if kind not in notifications.FOLLOWABLE:
        raise Http404
    model, lookup, route = notifications.FOLLOWABLE[kind]
    record = model.objects.visible_to(request.user).filter(**{lookup: key}).first()
    if record is None:
        raise Http404(_("There is no such record."))
    if request.POST.get("action") == "unfollow":
        notifications.unfollow(user=request.user, record=record)
        messages.success(request, _("You no longer follow %(name)s.") % {"name": record})
    else:
        notifications.follow(user=request.user, record=record)
        messages.success(request, _("You follow %(name)s: you will be told of its verified changes.") % {"name": record})
    return redirect(route, getattr(record, lookup))
