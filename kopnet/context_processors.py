from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse


def accounts(request):
    """Where the sign-in and sign-out links of the base template go.

    Sign-in follows settings.LOGIN_URL. Sign-out uses a site-wide "logout" view
    once one is routed, and the admin's (staff only) until then.
    """
    try:
        logout_url = reverse("logout")
    except NoReverseMatch:
        logout_url = reverse("admin:logout")
    return {"login_url": resolve_url(settings.LOGIN_URL), "logout_url": logout_url}
