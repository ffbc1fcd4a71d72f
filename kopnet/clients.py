"""Who is asking: the client's address, behind as many trusted proxies as configured,
and the answer to a client locked out after too many wrong passwords (django-axes)."""

from django.conf import settings
from django.shortcuts import render


def without_credentials(request):
    """Whether a request carries no credentials at all (no Authorization header, no
    session cookie): a visitor, known without loading a session or a user."""
    return "HTTP_AUTHORIZATION" not in request.META and settings.SESSION_COOKIE_NAME not in request.COOKIES


def anonymous(request):
    """Whether nobody is signed in: asks for the user only when credentials came."""
    return without_credentials(request) or not request.user.is_authenticated


def client_address(request):
    """The address the outermost trusted proxy saw, or the connection's own.

    With KOPNET_TRUSTED_PROXIES = 0 (the default) X-Forwarded-For is ignored: anyone
    can send it, and an attacker would spread their failures over made-up addresses.
    With n proxies, each appending the address it saw, the client is the n-th entry
    from the right (deploy/nginx replaces the header with the one address it saw).
    """
    proxies = settings.KOPNET_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer after too many failures: a page in the reader's language,
    429 with Retry-After (the cool-off)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": seconds // 60, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
