"""Who calls the API: a person's token (kopnet/tokens.py) in the Authorization
header, `Token <key>` or `Bearer <key>`; or a signed-in browser's session (with its
CSRF check on writes). A wrong, expired or revoked token is a 401 that says so: a
client that sent a key wants to know it no longer opens anything."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from kopnet.models import ApiToken
from kopnet.tokens import token_for_key

SCHEMES = ("token", "bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _space, key = header.strip().partition(" ")
        if scheme.lower() not in SCHEMES:
            return None
        token = token_for_key(key.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token opens nothing: it is wrong, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Token realm="api"'


class TokenScope(permissions.BasePermission):
    """A read-only token reads: any write with it is refused."""

    message = _("This token only reads: make a read-write token on your account page to write.")

    def has_permission(self, request, view):
        token = request.auth
        return request.method in permissions.SAFE_METHODS or not isinstance(token, ApiToken) or token.can_write
