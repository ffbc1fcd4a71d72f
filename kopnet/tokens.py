"""Personal API tokens (kopnet.models.ApiToken): made, found by key, revoked.

A key is "kn_" + 8 characters (its prefix, stored and shown) + "_" + 43 random
characters; only its SHA-256 digest is stored, so a copy of the database opens no
account. A key has 256 bits of randomness: a fast digest is as safe as a slow one
and costs nothing per request. Revoking is a locked service like every state
change; the time a token was last used is written at most once a minute a token
(a conditional UPDATE, which two requests cannot both apply).
"""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from kopnet import policy
from kopnet.models import ApiToken

PREFIX_LENGTH = 8
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name, can_write=False, expires_at=None):
    """A new token of `user`; (token, key): the key is shown once and kept nowhere."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    key = f"kn_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user=user, name=name, prefix=prefix, digest=digest(key), can_write=can_write, expires_at=expires_at)
    token.created_at = timezone.now()
    token.full_clean(exclude=["user", "digest", "prefix"])
    token.save()
    return token, key


def token_for_key(key):
    """The usable token this key opens, or None (no such token, expired, revoked)."""
    parts = key.split("_", 2) if isinstance(key, str) else []
    if len(parts) != 3 or parts[0] != "kn" or len(parts[1]) != PREFIX_LENGTH or "\x00" in key:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not constant_time_compare(token.digest, digest(key)):
        return None
    if not token.usable() or not token.user.is_active:
        return None
    now = timezone.now()
    before = now - LAST_USED_EVERY
    if token.last_used_at is None or token.last_used_at < before:
        unused = Q(last_used_at__isnull=True) | Q(last_used_at__lt=before)
        ApiToken.objects.filter(unused, pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def token_revoke(*, user, token_id):
    """Revoke a token: its owner, or a curator. A revoked token stays, to read who
    revoked it and when."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or not (token.user_id == user.pk or policy.is_curator(user, ApiToken)):
        raise ValidationError(_("There is no such token."), code="missing")
    if token.revoked_at is not None:
        raise ValidationError(_("This token was already revoked."), code="revoked")
    token.revoked_at, token.revoked_by = timezone.now(), user
    token.save(update_fields=["revoked_at", "revoked_by"])
    return token
