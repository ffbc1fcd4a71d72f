"""What every locked service shares: taking the row, refusing a stale version,
writing only what changed, and the verification stamp.

The services themselves live in the apps (registry/services.py,
partnerships/services.py); each is one transaction of this shape:

    record = lock(Model.objects, pk)            # SELECT … FOR UPDATE
    policy.require(user, "verify", record)      # who may
    require_version(record, version)             # the version the person saw
    …re-check the state under the lock, change fields…
    save_changes(record, ["field", …], by=user)  # UPDATE of those fields only
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kopnet.models import Verification


def lock(queryset, pk):
    """The row `pk` of `queryset`, locked until the transaction ends; 404 when absent.

    Callers run inside transaction.atomic (the services are decorated with it).
    """
    try:
        return queryset.select_for_update(of=("self",)).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(_("No such record.")) from error


class StaleVersion(ValidationError):
    """The record changed after the person opened it."""


def parse_version(value):
    """A version sent by a form: a positive integer, or None when none was sent."""
    if value in (None, ""):
        return None
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("This form is damaged: reload the page.")) from None
    if version < 1:
        raise ValidationError(_("This form is damaged: reload the page."))
    return version


def require_version(record, version, message=None):
    """Refuse when the record is no longer at the version the person saw.

    `version` None means the caller saw no version (a command, a first
    registration): nothing to compare.
    """
    version = parse_version(version)
    if version is not None and version != record.version:
        raise StaleVersion(
            message
            or _("%(record)s was changed after you opened it: review it again.") % {"record": record},
            code="stale",
        )


def changed_since(record, version):
    """The names (verbose, translated) of the fields that differ between the version
    a person opened, as its history kept it, and the record now."""
    before = record.history.filter(version=version).order_by("-history_date", "-history_id").first()
    if before is None:
        return []
    return [
        str(field.verbose_name)
        for field in record._meta.concrete_fields
        if field.editable and not field.primary_key and getattr(before, field.attname) != getattr(record, field.attname)
    ]


def save_changes(record, fields, *, by=None, reason=None):
    """Write `fields` (and the version, and updated_at) of a locked record.

    Only these columns are written, so a concurrent change to another column of
    the same row, made under the same lock discipline, is never overwritten.
    """
    record.version += 1
    if by is not None:
        record._history_user = by
    if reason:
        record._change_reason = reason
    record.save(update_fields=[*fields, "version", "updated_at"])


VERIFICATION_FIELDS = ("verification", "verification_by", "verification_at", "verification_note")


def stamp_verification(record, state, by, note=""):
    """Set the verification state, who and when (not saved)."""
    record.verification = state
    record.verification_by = by
    record.verification_at = timezone.now() if by is not None else None
    record.verification_note = note if state == Verification.REJECTED else ""


def verify_record(record, *, curator, version=None):
    """Verify a locked registry record (cooperative, partner)."""
    require_version(record, version)
    if record.verification == Verification.VERIFIED:
        raise ValidationError(_("%(record)s is already verified.") % {"record": record}, code="already")
    stamp_verification(record, Verification.VERIFIED, curator)
    save_changes(record, VERIFICATION_FIELDS, by=curator, reason="verified")
    return record


def reject_record(record, *, curator, reason, version=None):
    """Reject a locked record with a reason the official reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"verification_note": _("A rejection needs a reason.")})
    require_version(record, version)
    if record.verification == Verification.REJECTED:
        raise ValidationError(_("%(record)s is already rejected.") % {"record": record}, code="already")
    stamp_verification(record, Verification.REJECTED, curator, reason)
    save_changes(record, VERIFICATION_FIELDS, by=curator, reason="rejected")
    return record


def back_to_pending(record):
    """The fields to write when an edit sends a record back to the curators ([] when pending)."""
    if record.verification == Verification.PENDING:
        return []
    stamp_verification(record, Verification.PENDING, None)
    return list(VERIFICATION_FIELDS)
