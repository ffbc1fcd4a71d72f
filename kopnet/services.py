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

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kopnet import policy
from kopnet.models import Revision, RevisionState, Verification
from kopnet.notifications import tell_followers_of_change


def lock(queryset, pk):
    """The row `pk` of `queryset`, locked until the transaction ends; 404 when absent.

    Callers run inside transaction.atomic (the services are decorated with it).
    """
    try:
        return queryset.select_for_update(of=("self",)).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(_("No such record.")) from error


class StaleVersion(ValidationError):
    """The record changed after the person opened it. `changed` names the fields
    that differ from the version they opened, when a service looked
    (require_opened_version)."""

    changed = ()


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


def require_opened_version(record, version):
    """require_version() for an edit form: a refusal also names, in its `changed`,
    the fields that differ from the version the person opened."""
    try:
        require_version(record, version)
    except StaleVersion as error:
        error.changed = changed_since(record, parse_version(version))
        raise


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


@transaction.atomic
def curator_save(*, curator, record, fields, version=None, reason=None):
    """Save a curator's edit of a record (a cooperative, a partner, a partnership):
    the admin's change form and the spreadsheet imports both write through here.

    `record` carries the edited values, already validated by the caller's form or
    import (the admin's form validates under this same lock, taken in its clean());
    `fields` names what the curator changed (a form's changed_data, the cells of a
    file that differ); `version` is the one the form was opened on, or the one the
    import read. Under the row's lock a stale version is refused (StaleVersion,
    naming what changed), and of `fields` only the columns that differ from the
    stored row are written: a column the curator did not change keeps whatever
    another writer put there. Many-to-many names in `fields` are the caller's to
    set afterwards (form.save_m2m(), the import's own step), in the same transaction.

    The version moves on even when no column differs: related rows (sectors,
    memberships, parties) change with the same save, and an edit form or an
    official's pending change opened before it must be refused. That pending
    change stays pending, now stale: revision_verify() refuses it and the curator
    rejects it, so that the official proposes it again on what the curator wrote.

    A new record (no pk) is created as it is. Returns the saved record, with its
    new version and written values also set on `record`.
    """
    model = type(record)
    if record.pk is None:
        policy.require(curator, "verify", record)
        record._history_user = curator
        if reason:
            record._change_reason = reason
        record.save()
        return record
    stored = lock(model._default_manager, record.pk)
    policy.require(curator, "verify", stored)
    require_opened_version(stored, version)
    columns = {field.name: field for field in model._meta.concrete_fields if field.editable and not field.primary_key}
    changed = [
        name
        for name in dict.fromkeys(fields)
        if name in columns and getattr(stored, columns[name].attname) != getattr(record, columns[name].attname)
    ]
    for name in changed:
        setattr(stored, columns[name].attname, getattr(record, columns[name].attname))
    derived = stored.derived_fields(changed) if hasattr(stored, "derived_fields") else []
    save_changes(stored, [*changed, *derived], by=curator, reason=reason)
    if stored.verification == Verification.VERIFIED:
        tell_followers_of_change(stored, changed)
    for name in [*changed, *derived, "version", "updated_at"]:
        attname = model._meta.get_field(name).attname
        setattr(record, attname, getattr(stored, attname))
    return stored


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


# --- pending changes to verified records ----------------------------------------------


def revisions_of(record):
    """The record's revisions, found by its content type's natural key (joined): the
    same one query whether ContentType's cache is warm or not."""
    meta = record._meta.concrete_model._meta
    return Revision.objects.filter(
        content_type__app_label=meta.app_label, content_type__model=meta.model_name, object_id=record.pk
    )


def pending_revision(record, lock_it=False):
    """The record's revision waiting for a curator, or None."""
    revisions = revisions_of(record).filter(state=RevisionState.PENDING)
    if lock_it:
        revisions = revisions.select_for_update(of=("self",))
    return revisions.first()


def pending_revision_ids(model, ids):
    """Which of these records of `model` have a change waiting for a curator."""
    return pending_revision_ids_of({model: ids})[model]


def pending_revision_ids_of(ids_by_model):
    """{model: which of its records ids_by_model[model] names have a change waiting
    for a curator}, for several models in one query (none if no ids)."""
    found = {model: set() for model in ids_by_model}
    by_key = {(model._meta.app_label, model._meta.model_name): model for model, ids in ids_by_model.items() if ids}
    if not by_key:
        return found
    # By the content type's natural key, joined: one query, warm cache or not.
    which = Q()
    for (app_label, model_name), model in by_key.items():
        which |= Q(content_type__app_label=app_label, content_type__model=model_name, object_id__in=ids_by_model[model])
    revisions = Revision.objects.filter(which, state=RevisionState.PENDING).values_list(
        "content_type__app_label", "content_type__model", "object_id"
    )
    for app_label, model_name, object_id in revisions:
        found[by_key[app_label, model_name]].add(object_id)
    return found


def latest_revision(record):
    """The record's latest proposed change that was not withdrawn, or None."""
    return revisions_of(record).exclude(state=RevisionState.WITHDRAWN).first()


def revision_changes(stored, edited, fields, related=None):
    """{field name: new value as text} for the fields of `edited` that differ from
    `stored`, and {many-to-many name: sorted ids} for the related sets that do."""
    changes = {}
    for name in fields:
        field = stored._meta.get_field(name)
        if getattr(stored, field.attname) != getattr(edited, field.attname):
            value = getattr(edited, field.attname)
            changes[name] = None if value is None else field.value_to_string(edited)
    for name, objects in (related or {}).items():
        ids = sorted(obj.pk for obj in objects)
        if sorted(getattr(stored, name).values_list("pk", flat=True)) != ids:
            changes[name] = ids
    return changes


class RevisionKind:
    """What a model adds to the generic pending change: changes beyond its own fields
    and many-to-many sets (a partnership's parties and new documents), conditions for
    publishing it (the other parties' answers), and what publishing or dropping it does
    besides writing the fields. An app registers its kinds in its AppConfig.ready()."""

    def differences(self, revision, record):
        """More (label, published now, proposed) rows for the curator."""
        return []

    def check(self, revision, record):
        """Raise a ValidationError the curator reads when the change cannot be published."""

    def publish(self, revision, record, curator):
        """Write what the generic fields do not cover (the record is saved already)."""

    def discard(self, revision, record):
        """The change was rejected or withdrawn."""


_kinds = {}


def register_revision_kind(model, kind):
    _kinds[model] = kind


def revision_kind(model):
    return _kinds.get(model._meta.concrete_model, RevisionKind())


def revision_differences(revision, record=None):
    """Every (label, published now, proposed) row of a pending change."""
    record = record if record is not None else revision.record
    if record is None:
        return []
    return [*revision.differences(record), *revision_kind(type(record)).differences(revision, record)]


def revision_propose(stored, changes, *, user):
    """Keep `changes` to a locked, verified record as its pending revision (replacing
    an earlier one); no changes withdraw it. The record's own values stay as the
    curators verified them. Returns the revision or None."""
    revision = pending_revision(stored, lock_it=True)
    if revision is not None and not changes:
        revision.state = RevisionState.WITHDRAWN
        revision.save(update_fields=["state"])
        revision_kind(type(stored)).discard(revision, stored)
    # The edit form of the record now shows other values: its version moves on.
    save_changes(stored, [], by=user, reason="change proposed" if changes else "proposed change withdrawn")
    if not changes:
        return None
    if revision is None:
        revision = Revision(content_type=ContentType.objects.get_for_model(stored), object_id=stored.pk)
    revision.changes = changes
    revision.base_version = stored.version
    revision.proposed_by = user
    revision.proposed_at = timezone.now()
    revision.save()
    return revision


def locked_revision(pk):
    """The revision and its record, both locked: the record first, as every other
    writer of the record (an edit proposing a change) takes them in that order."""
    try:
        found = Revision.objects.select_related("content_type").get(pk=pk)
    except (Revision.DoesNotExist, ValueError, TypeError) as error:
        raise Http404(_("No such record.")) from error
    record = lock(found.content_type.model_class()._default_manager, found.object_id)
    revision = lock(Revision.objects.select_related("content_type"), pk)
    return revision, record


def require_pending(revision):
    if revision.state != RevisionState.PENDING:
        raise ValidationError(
            _("This change was already decided: it is now %(state)s.") % {"state": revision.get_state_display().lower()},
            code="stale",
        )


def require_seen(revision, seen):
    """Refuse a decision on a change that was replaced after the curator read it
    (`seen`: the base_version of the change they read)."""
    if parse_version(seen) != revision.base_version:
        raise ValidationError(
            _("This change was replaced after you opened it: read it again."), code="stale"
        )


@transaction.atomic
def revision_verify(*, curator, pk, seen):
    """Publish a pending change, as the curator read it: write it to the record,
    which stays verified."""
    revision, record = locked_revision(pk)
    policy.require(curator, "verify", record)
    require_pending(revision)
    require_seen(revision, seen)
    if record.version != revision.base_version:
        raise ValidationError(
            _("%(record)s was changed after this change was proposed: reject it, and the official proposes it again.")
            % {"record": record},
            code="stale",
        )
    kind = revision_kind(type(record))
    kind.check(revision, record)
    related = revision.apply_to(record)
    fields = [name for name in revision.field_changes() if name not in related]
    record.full_clean()
    fields += record.derived_fields(fields) if hasattr(record, "derived_fields") else []
    stamp_verification(record, Verification.VERIFIED, curator)
    save_changes(record, [*fields, *VERIFICATION_FIELDS], by=curator, reason="proposed change verified")
    for name, ids in related.items():
        getattr(record, name).set(ids)
    kind.publish(revision, record, curator)
    tell_followers_of_change(record, revision.changes)
    revision.state = RevisionState.VERIFIED
    revision.decided_by, revision.decided_at = curator, timezone.now()
    revision.save(update_fields=["state", "decided_by", "decided_at"])
    return revision


@transaction.atomic
def revision_reject(*, curator, pk, reason, seen=None):
    """Refuse a pending change with a reason the official reads; the record keeps its
    values. From the list (`seen` None) the curator rejects whatever it holds."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A rejection needs a reason.")})
    revision, record = locked_revision(pk)
    policy.require(curator, "verify", record)
    require_pending(revision)
    if seen is not None:
        require_seen(revision, seen)
    revision.state = RevisionState.REJECTED
    revision.reason = reason
    revision.decided_by, revision.decided_at = curator, timezone.now()
    revision.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    revision_kind(type(record)).discard(revision, record)
    return revision
