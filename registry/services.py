"""Officials' writes in the registry: asking to represent a cooperative, registering a
new one, and keeping its profile current. Views call these; the rules on a single
record stay in the models' clean() and constraints."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kopnet.models import Verification
from registry.models import Cooperative, Representation, RepresentationState

# What makes a cooperative the one the curators checked: changing any of these on a
# verified cooperative sends it back to them.
IDENTITY_FIELDS = ("name", "tier", "nik", "legal_number")


def representation_request(*, user, cooperative):
    """Ask to represent a verified cooperative; one open request or approval per person."""
    existing = Representation.objects.open().filter(user=user, cooperative=cooperative).first()
    if existing is not None:
        if existing.state == RepresentationState.APPROVED:
            raise ValidationError(_("You already represent %(name)s.") % {"name": cooperative.name})
        raise ValidationError(
            _("You already asked to represent %(name)s: Dekopin's curators will decide.") % {"name": cooperative.name}
        )
    if not cooperative.is_verified:
        raise ValidationError(_("Only verified cooperatives can be chosen here."))
    try:
        with transaction.atomic():
            return Representation.objects.create(user=user, cooperative=cooperative)
    except IntegrityError as error:  # the same request sent twice at once
        raise ValidationError(
            _("You already asked to represent %(name)s: Dekopin's curators will decide.") % {"name": cooperative.name}
        ) from error


@transaction.atomic
def cooperative_register(*, user, cooperative, sectors=()):
    """Register a new cooperative, pending verification, and ask to represent it.

    `cooperative` is unsaved. Its creator sees it at once (a requested
    representation counts for visibility); visitors see it once verified.
    """
    cooperative.verification = Verification.PENDING
    cooperative.verification_by = None
    cooperative.verification_at = None
    cooperative.verification_note = ""
    cooperative.full_clean()
    cooperative._history_user = user
    cooperative.save()
    cooperative.sectors.set(sectors)
    Representation.objects.create(user=user, cooperative=cooperative, state=RepresentationState.REQUESTED)
    return cooperative


def may_edit_cooperative(user, cooperative):
    return Cooperative.objects.represented_by(user).filter(pk=cooperative.pk).exists()


def identity_changes(cooperative):
    """The identity fields whose value differs from the stored one."""
    stored = Cooperative.objects.filter(pk=cooperative.pk).values(*IDENTITY_FIELDS).get()
    return [name for name in IDENTITY_FIELDS if getattr(cooperative, name) != stored[name]]


@transaction.atomic
def cooperative_update(*, user, cooperative, sectors):
    """Save an official's edit of their cooperative's profile.

    A change to a verified cooperative's identity (name, tier, NIK Koperasi, legal
    entity number) returns it to pending verification. Returns True when it did.
    """
    if not may_edit_cooperative(user, cooperative):
        raise ValidationError(_("Only the officials of this cooperative may edit its profile."))
    cooperative.full_clean()
    back_to_pending = cooperative.verification == Verification.VERIFIED and bool(identity_changes(cooperative))
    if back_to_pending:
        cooperative.verification = Verification.PENDING
        cooperative.verification_by = None
        cooperative.verification_at = None
        cooperative.verification_note = ""
        cooperative._change_reason = "identity changed: back to verification"
    cooperative._history_user = user
    cooperative.save()
    cooperative.sectors.set(sectors)
    return back_to_pending
