from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse


def accounts(request):
    """Where the account links of every page go: sign in (settings.LOGIN_URL), sign
    up, the official's dashboard (settings.LOGIN_REDIRECT_URL) and sign out (a POST form)."""
    return {
        "login_url": resolve_url(settings.LOGIN_URL),
        "signup_url": reverse("signup"),
        "logout_url": reverse("logout"),
        "dashboard_url": resolve_url(settings.LOGIN_REDIRECT_URL),
    }
