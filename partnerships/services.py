"""Writes that touch more than one model: registering, editing, confirming and
verifying partnerships. Views and the admin call these; the rules stay in the
models' clean() and constraints."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kopnet.models import Verification
from partnerships.models import Category, Confirmation, Partnership, PartyRole, derive_from_parties, officials_of
from registry.models import Cooperative

MIN_PARTIES = 2


def check_parties(parties, initiator):
    """The party rules that span rows: at least two, each once, the initiator among them."""
    if len(parties) < MIN_PARTIES:
        raise ValidationError(_("A partnership has at least two parties."))
    keys = [(party.cooperative_id, party.partner_id) for party in parties]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Each organisation appears only once among the parties."))
    if initiator.pk not in {party.cooperative_id for party in parties}:
        raise ValidationError(_("The initiating cooperative must be one of the parties."))
    for party in parties:
        party.clean()


def apply_derived(partnership, parties):
    """Set category and international from the parties; require a direction between cooperatives."""
    category, international, _suggested = derive_from_parties(parties)
    partnership.category, partnership.international = category, international
    if category == Category.ANTAR_KOPERASI and not partnership.direction:
        raise ValidationError(
            {"direction": _("A partnership between cooperatives is vertical or horizontal: choose one.")}
        )


@transaction.atomic
def partnership_register(*, user, partnership, parties, objectives=(), fields=(), documents=()):
    """Register a new partnership for one of the user's cooperatives.

    `partnership` is unsaved with its initiator set; `parties` are unsaved
    PartnershipParty objects (without partnership) including the initiator's;
    `documents` are unsaved PartnershipDocument objects (without partnership).
    The initiator's party is confirmed at once; the other cooperatives' officials
    are told by email.
    """
    initiator = partnership.initiator
    if not Cooperative.objects.represented_by(user).filter(pk=initiator.pk).exists():
        raise ValidationError(_("You do not act for this cooperative."))
    check_parties(parties, initiator)
    apply_derived(partnership, parties)
    partnership.created_by = user
    partnership.verification = Verification.PENDING
    partnership.full_clean(exclude=["reference"])
    partnership.save()
    direction = partnership.direction
    partnership.objectives.set(objectives)
    partnership.fields.set(fields)
    now = timezone.now()
    for party in parties:
        party.partnership = partnership
        if party.cooperative_id == initiator.pk:
            party.confirmation = Confirmation.CONFIRMED
            party.confirmed_by, party.confirmed_at = user, now
            if party.role == PartyRole.MEMBER:
                party.role = PartyRole.INITIATOR
        party.save()
    keep_direction(partnership, direction)
    for document in documents:
        document.partnership = partnership
        document.uploaded_by = user
        document.full_clean()
        document.save()
    transaction.on_commit(lambda: notify_parties(partnership, exclude_cooperative=initiator.pk))
    return partnership


@transaction.atomic
def partnership_update(*, user, partnership, parties, objectives, fields, documents=()):
    """Edit a partnership: only officials of the initiating cooperative.

    A verified partnership goes back to pending verification; parties that are
    new since the last version wait for their own confirmation.
    """
    if not may_edit(user, partnership):
        raise ValidationError(_("Only officials of the initiating cooperative may edit this partnership."))
    check_parties(parties, partnership.initiator)
    apply_derived(partnership, parties)
    partnership.full_clean(exclude=["reference"])
    if partnership.verification != Verification.PENDING:
        partnership.verification = Verification.PENDING
        partnership.verification_by = None
        partnership.verification_at = None
        partnership.verification_note = ""
    partnership.save()
    direction = partnership.direction
    partnership.objectives.set(objectives)
    partnership.fields.set(fields)
    kept = {party.pk for party in parties if party.pk}
    for party in partnership.parties.exclude(pk__in=kept):
        party.delete()
    newcomers = []
    for party in parties:
        party.partnership = partnership
        if not party.pk:
            newcomers.append(party)
        party.save()
    keep_direction(partnership, direction)
    for document in documents:
        document.partnership = partnership
        document.uploaded_by = user
        document.full_clean()
        document.save()
    new_cooperatives = {party.cooperative_id for party in newcomers if party.cooperative_id}
    if new_cooperatives:
        transaction.on_commit(lambda: notify_parties(partnership, only_cooperatives=new_cooperatives))
    return partnership


def keep_direction(partnership, direction):
    """Restore the direction validated by apply_derived after the parties are saved.

    Each party save recomputes the derived fields (refresh_derived), and a passing
    state (only cooperatives saved so far) fills in a missing direction: a business
    partnership registered without one would keep that guess.
    """
    if partnership.direction != direction:
        Partnership.objects.filter(pk=partnership.pk).update(direction=direction)
        partnership.direction = direction


def may_edit(user, partnership):
    return Cooperative.objects.represented_by(user).filter(pk=partnership.initiator_id).exists()


@transaction.atomic
def party_confirm(*, user, party):
    _check_answering(user, party)
    party.confirmation = Confirmation.CONFIRMED
    party.confirmed_by, party.confirmed_at = user, timezone.now()
    party.decline_reason = ""
    party.save()
    return party


@transaction.atomic
def party_decline(*, user, party, reason):
    _check_answering(user, party)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Say why you decline.")})
    party.confirmation = Confirmation.DECLINED
    party.confirmed_by, party.confirmed_at = user, timezone.now()
    party.decline_reason = reason
    party.full_clean()
    party.save()
    return party


def _check_answering(user, party):
    if not party.cooperative_id or not Cooperative.objects.represented_by(user).filter(pk=party.cooperative_id).exists():
        raise ValidationError(_("You do not act for this party."))
    if party.confirmation != Confirmation.PENDING:
        raise ValidationError(_("This party has already answered."))


def unconfirmed_cooperative_parties(partnership):
    return partnership.parties.filter(cooperative__isnull=False).exclude(confirmation=Confirmation.CONFIRMED)


@transaction.atomic
def partnership_verify(*, curator, partnership, override_note=""):
    """Verify, refused while a cooperative party has not confirmed unless the
    curator records why (an override note)."""
    override_note = (override_note or "").strip()
    if unconfirmed_cooperative_parties(partnership).exists() and not override_note:
        raise ValidationError(
            _("%(reference)s: a cooperative party has not confirmed; record an override note to verify anyway.")
            % {"reference": partnership.reference}
        )
    partnership.verification_override = override_note
    partnership.verify(curator)
    # Partners have no accounts: the curator checks them at verification, and
    # that check is their confirmation.
    now = timezone.now()
    for party in partnership.parties.filter(partner__isnull=False, confirmation=Confirmation.PENDING):
        party.confirmation = Confirmation.CONFIRMED
        party.confirmed_by, party.confirmed_at = curator, now
        party.save()
    return partnership


def notify_parties(partnership, exclude_cooperative=None, only_cooperatives=None):
    """Email the officials of cooperative parties that must confirm."""
    parties = partnership.parties.filter(cooperative__isnull=False, confirmation=Confirmation.PENDING)
    if exclude_cooperative:
        parties = parties.exclude(cooperative_id=exclude_cooperative)
    if only_cooperatives is not None:
        parties = parties.filter(cooperative_id__in=only_cooperatives)
    recipients = sorted(
        {email for email in officials_of(parties.values("cooperative_id")).values_list("email", flat=True) if email}
    )
    if not recipients:
        return 0
    with translation.override("id"):
        subject = _("KopNet: confirm partnership %(reference)s") % {"reference": partnership.reference}
        body = _(
            "%(initiator)s registered the partnership \"%(title)s\" (%(reference)s) naming your cooperative.\n"
            "Please confirm or decline it on your dashboard: %(url)s\n"
        ) % {
            "initiator": partnership.initiator.name,
            "title": partnership.title,
            "reference": partnership.reference,
            "url": settings.SITE_URL + reverse("partnerships:dashboard"),
        }
    return send_mass_mail([(subject, body, None, [email]) for email in recipients])

