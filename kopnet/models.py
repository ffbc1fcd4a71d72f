"""Abstract models shared by the registry and the partnerships apps."""

import contextlib
import functools

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import FieldError, ValidationError
from django.core.signals import setting_changed
from django.db import DatabaseError, IntegrityError, models, router, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.dispatch import receiver
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ChoiceDisplayMixin:
    """get_FOO_display() from each field's labels, translated once per language.

    Django's builds a dict of the field's choices on every call, hashing each lazily
    translated label, which translates it: a list of 50 cooperatives spent nearly
    half of its table's rendering there (three labels a row). The labels are kept
    translated, per language, the first time that language asks, instead of
    translating a lazy label at every call. Each call still answers in the reader's
    language (tests/test_choice_display.py compares both)."""

    def _get_FIELD_display(self, field):
        labels = choice_labels(field, get_language())
        if labels is None:
            return super()._get_FIELD_display(field)
        value = getattr(self, field.attname)
        key = make_hashable(value)
        return labels[key] if key in labels else force_str(value, strings_only=True)


@functools.cache
def choice_labels(field, language):
    """{value: label in `language`} of a field's choices when every label is lazily
    translated (the TextChoices); None for choices written in the language of the
    moment (countries). Called while `language` is active."""
    choices = list(field.flatchoices)
    if not all(isinstance(label, Promise) for _value, label in choices):
        return None
    return {make_hashable(value): str(label) for value, label in choices}


@receiver(setting_changed)
def forget_choice_labels(setting, **kwargs):
    """The catalogues (and so the labels) change with these settings (tests)."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        choice_labels.cache_clear()


class CleanTextMixin:
    """Trims text fields and refuses NUL bytes before any other validation.

    Every writer that calls full_clean() (forms, admin, imports, services) gets the
    same normalisation. PostgreSQL refuses NUL bytes that SQLite stores, so they are
    refused here, at the edge, with a message instead of a database error.
    """

    def clean_fields(self, exclude=None):
        errors = {}
        for field in self._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            if exclude and field.name in exclude:
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                errors[field.name] = [_("This field may not contain NUL characters.")]
                continue
            setattr(self, field.attname, value.strip())
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = {**error.update_error_dict({}), **errors}
        if errors:
            raise ValidationError(errors)


# Path segments that pages use beside the slugs (/koperasi/baru/).
RESERVED_SLUGS = {"baru"}


class SluggedModel(models.Model):
    """A unique slug made from the name when none is given."""

    slug = models.SlugField(_("slug"), max_length=220, unique=True, blank=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude=exclude)
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This slug is reserved for a page of the site; choose another.")})

    # How often a save retries with the next free slug when another transaction
    # took the same one meanwhile (two records of one name registered at once).
    SLUG_ATTEMPTS = 5

    def save(self, *args, **kwargs):
        if self.slug:
            return super().save(*args, **kwargs)
        for attempt in range(self.SLUG_ATTEMPTS):
            self.slug = self.unique_slug(self.name)
            try:
                # A savepoint: the failed INSERT must not poison the caller's transaction.
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                # The other writer has committed by now (the unique index made us wait
                # for it), so the next unique_slug() sees its slug; any other
                # violation is not ours to retry.
                taken = type(self)._default_manager.filter(slug=self.slug).exists()
                self.slug = ""
                if not taken or attempt == self.SLUG_ATTEMPTS - 1:
                    raise

    @classmethod
    def unique_slug(cls, name):
        base = slugify(name)[:200].strip("-") or cls._meta.model_name
        taken = set(
            cls._default_manager.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        taken |= RESERVED_SLUGS
        slug, number = base, 2
        while slug in taken:
            slug = f"{base}-{number}"
            number += 1
        return slug


class OneQueryChecks:
    """validate_constraints() asking the database about every check constraint at once.

    Django asks about each CheckConstraint on its own, in a savepoint: three statements
    a check, 39 of a cooperative's 52 when an official's edit went through its service
    (and again in the form before it). Here the checks are one SELECT of one boolean
    each, in one savepoint, read as Django reads them (false is a violation, NULL is
    not; a check on a field left out is skipped); every other constraint is validated
    by Django as before. tests/test_checks.py compares the errors with Django's own.
    """

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, constraints in self.get_constraints():
            checks = [constraint for constraint in constraints if isinstance(constraint, models.CheckConstraint)]
            broken = self._broken_checks(model_class, checks, exclude, using)
            for constraint in constraints:
                try:
                    if constraint in broken:
                        raise ValidationError(
                            constraint.get_violation_error_message(), code=constraint.violation_error_code
                        )
                    if constraint not in checks:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _broken_checks(self, model_class, checks, exclude, using):
        """The check constraints among `checks` that this instance's values break."""
        query = Query(None)
        for name, value in self._get_field_expression_map(meta=model_class._meta, exclude=exclude).items():
            query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
        asked = []
        for constraint in checks:
            holds = ExpressionWrapper(Q(constraint.condition), output_field=BooleanField())
            try:
                query.add_annotation(Coalesce(holds, True, output_field=BooleanField()), f"_check_{len(asked)}")
            except FieldError:  # it names a field left out: Django skips it too
                continue
            asked.append(constraint)
        if not asked:
            return []
        connection = transaction.get_connection(using)
        try:
            with transaction.atomic(using=using) if connection.in_atomic_block else contextlib.nullcontext():
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError:  # as Django does, each check again on its own
            return [constraint for constraint in asked if not _holds(constraint, model_class, self, exclude, using)]
        return [constraint for constraint, holds in zip(asked, row) if not holds]


def _holds(constraint, model_class, instance, exclude, using):
    try:
        constraint.validate(model_class, instance, exclude=exclude, using=using)
    except ValidationError:
        return False
    return True


class Verification(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class VerifiableModel(OneQueryChecks, ChoiceDisplayMixin, models.Model):
    """A record that Dekopin's curators verify or reject, remembering who and when."""

    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.PENDING
    )
    verification_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified or rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    verification_at = models.DateTimeField(
        _("verified or rejected at"), null=True, blank=True, editable=False
    )
    verification_note = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Raised by every service that changes the record (kopnet.services.save_changes):
    # an edit form carries the version it was opened on, and a service refuses
    # to act on a version the person did not see.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verification__in=Verification.values),
                name="%(app_label)s_%(class)s_verification_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(verification=Verification.REJECTED) | ~models.Q(verification_note=""),
                name="%(app_label)s_%(class)s_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]

    def clean(self):
        super().clean()
        if self.verification == Verification.REJECTED and not (self.verification_note or "").strip():
            raise ValidationError({"verification_note": _("A rejection needs a reason.")})

    @property
    def is_verified(self):
        return self.verification == Verification.VERIFIED


class CuratedTerm(CleanTextMixin, models.Model):
    """An entry of a curated list (sectors, objectives, fields), named in both languages."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name (Indonesian)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the active language."""
        return self.label_of(self.name, self.name_en)

    @staticmethod
    def label_of(name, name_en):
        """The name in the active language, from the two names (for rows read without models)."""
        if name_en and (get_language() or "").startswith("en"):
            return name_en
        return name


class DataVersion(models.Model):
    """One row whose token changes whenever a table the public pages show changes.

    Database triggers (kopnet/migrations/0001_data_version.py) change the token in
    the writing transaction itself, whatever wrote: a form, the admin, an import, a
    bulk update, seed_scale or SQL by hand. Cached pages and counts are keyed by
    the token, so a write makes every earlier entry unreachable the moment it
    commits. The token is random, never a counter: a rolled-back write cannot make
    an old token come back.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return self.token


class PageVersion(models.Model):
    """The version of one page, or of a part many pages show, by key.

    A profile shows one record and what surrounds it: a cooperative's page its
    partnerships, the organisations they join, its federations and members. A write
    to one partnership must not empty 250,000 profiles, so each page is keyed by
    the tokens of its own keys (kopnet.cache.cached_for_visitors), and
    database triggers change, in the writing transaction, the tokens of every page
    that shows what the write changed: the record's own page and those that name it
    (kopnet/migrations/0006_page_versions.py has the builders; the registry's and
    partnerships' migrations the triggers). The keys:

        c<id>  a cooperative's page        p<id>  a partner's page
        k<id>  a partnership's page        s<id>  the suggestions of a province
        f      the federations: trees and suggestions of higher tiers
        lc     the list of cooperatives  lp  of partners  l  of partnerships
        h      the home page's summary of the registry
        r      what every page shows: provinces, sectors, objectives, fields,
               and any bulk reload (a TRUNCATE; seed_scale changes it)

    A key that no write touched yet has no row (token None). Tokens are random, as
    the data version's: a rolled-back write cannot bring an old one back.
    """

    key = models.CharField(max_length=24, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "page version"

    def __str__(self):
        return f"{self.key}: {self.token}"


class RevisionState(models.TextChoices):
    PENDING = "pending", _("Waiting for a curator")
    VERIFIED = "verified", _("Verified and published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Revision(OneQueryChecks, models.Model):
    """A change to a verified record that waits for a curator.

    The record itself keeps its verified values, which is what the public sees,
    until a curator verifies the revision (kopnet.services.revision_verify): then
    the changes are written to it. `changes` maps field names to their new values as
    text (Field.value_to_string; many-to-many fields to lists of ids). One pending
    revision a record: a later edit replaces it.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("kind of record"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    # The record's version once the revision was proposed: a change to the record
    # after that (a curator's edit) makes the revision stale.
    base_version = models.PositiveIntegerField(_("record version"))
    changes = models.JSONField(_("changes"))
    state = models.CharField(
        _("state"), max_length=10, choices=RevisionState.choices, default=RevisionState.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.SET_NULL, null=True,
        related_name="+",
    )  # fmt: skip
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason for rejection"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        indexes = [
            models.Index(fields=["content_type", "object_id", "state"], name="revision_record"),
            # The curators' work queue (the admin's index): the few waiting, oldest first.
            models.Index(fields=["proposed_at", "id"], condition=Q(state="pending"), name="revision_pending_oldest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=RevisionState.values), name="revision_state_valid"),
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(state=RevisionState.PENDING),
                name="revision_one_pending_per_record",
            ),
            models.CheckConstraint(
                condition=~Q(state=RevisionState.REJECTED) | ~Q(reason=""),
                name="revision_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    def field_changes(self):
        """The changes of the record's own fields and many-to-many sets; other keys
        (a partnership's parties, its new documents) belong to its RevisionKind."""
        model = self.content_type.model_class()
        own = {field.name for field in model._meta.get_fields() if field.concrete}
        return {name: value for name, value in self.changes.items() if name in own}

    def changed_labels(self):
        """The names of what the change touches (fields, or a related set such as a
        partnership's parties), without a query."""
        model = self.content_type.model_class()
        return [field_label(model._meta.get_field(name)) for name in self.changes]

    def differences(self, record=None):
        """(label, now, proposed) for each changed field, as readers see the values.

        The related records both columns name are read once for each related model
        (and each many-to-many field's present set once), however many fields changed."""
        record = record if record is not None else self.record
        changed = [(record._meta.get_field(name), value) for name, value in self.field_changes().items()]
        wanted = {}
        for field, value in changed:
            if field.many_to_many:
                wanted.setdefault(field.related_model, set()).update(value)
            elif field.is_relation:
                for pk in (getattr(record, field.attname), proposed_value(field, value)):
                    if pk not in (None, ""):
                        wanted.setdefault(field.related_model, set()).add(pk)
        # In each model's own order, which is how a many-to-many set reads.
        related = {model: list(model._default_manager.filter(pk__in=pks)) for model, pks in wanted.items()}
        rows = []
        for field, value in changed:
            if field.many_to_many:
                now = ", ".join(str(obj) for obj in getattr(record, field.name).all())
                ids = set(value)
                proposed = ", ".join(str(obj) for obj in related[field.related_model] if obj.pk in ids)
            else:
                found = {obj.pk: obj for obj in related.get(field.related_model, ())}
                now = shown_value(field, getattr(record, field.attname), found)
                proposed = shown_value(field, proposed_value(field, value), found)
            rows.append((str(field.verbose_name), now, proposed))
        return rows

    def apply_to(self, record):
        """Set the proposed values of the plain fields on `record` (not saved); returns
        {many-to-many name: ids} for the caller to set."""
        related = {}
        for name, value in self.field_changes().items():
            field = record._meta.get_field(name)
            if field.many_to_many:
                related[name] = value
            else:
                setattr(record, field.attname, proposed_value(field, value))
        return related


def proposed_value(field, value):
    """A value of `changes` (text) as the field holds it."""
    return field.to_python(value) if value is not None else None


def field_label(field):
    """A field's name, or for a related set (a partnership's parties) its model's plural."""
    if field.concrete:
        return str(field.verbose_name)
    return str(field.related_model._meta.verbose_name_plural)


def shown_value(field, value, related=None):
    """`value` of `field` as readers see it; a foreign key's record is looked up in
    `related` ({pk: record}) when given, else read."""
    if value in (None, ""):
        return "-"
    if field.is_relation:
        if related is not None:
            obj = related.get(value)
        else:
            obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


class OutboxMessage(models.Model):
    """An email waiting to be sent (kopnet/mail.py): written by the queue's mail
    backend in the transaction of the change that causes it, so that a change rolled
    back sends nothing and a change committed loses no mail when the mail server is
    down; `manage.py send_queued_mail` delivers it, retrying with backoff."""

    created_at = models.DateTimeField(default=timezone.now)
    subject = models.TextField()
    body = models.TextField()
    from_email = models.TextField()
    # Lists of addresses, the extra headers and the alternatives ([content, mimetype]).
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    reply_to = models.JSONField(default=list)
    headers = models.JSONField(default=dict)
    alternatives = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set when the attempts ran out: the message stays for a curator to read, unsent.
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_due",
            )
        ]

    def __str__(self):
        return self.subject
class VerifiedEmail(models.Model):
    """An account's address proven by the link sent to it: the account may then ask
    to act for a cooperative. It counts while the account's email is the one proven
    (an address changed in the admin needs proving again)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="verified_email"
    )
    email = models.EmailField(_("email"), max_length=254, blank=True)
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        verbose_name = _("verified email address")
        verbose_name_plural = _("verified email addresses")

    def __str__(self):
        return self.email

    @classmethod
    def holds(cls, user):
        """Whether `user` has proven the address their account has now."""
        if not getattr(user, "is_authenticated", False):
            return False
        return cls.objects.filter(user_id=user.pk, email__iexact=user.email).exists()

    @classmethod
    def mark(cls, user):
        cls.objects.update_or_create(user=user, defaults={"email": user.email, "verified_at": timezone.now()})


class NotificationKind(models.TextChoices):
    """What a notification is about: each user may turn the email of a kind off."""

    ANSWER_ASKED = "answer_asked", _("A partnership or a change to one waits for your cooperative's answer")
    PARTY_ANSWERED = "party_answered", _("A cooperative confirmed or declined a partnership of yours")
    PARTNERSHIP_DECIDED = "partnership_decided", _("A partnership of yours was verified or rejected")
    REPRESENTATION_DECIDED = "representation_decided", _("Your request to represent a cooperative was decided")
    COOPERATIVE_DECIDED = "cooperative_decided", _("Your cooperative's profile was verified or rejected")
    MEMBERSHIP_PROPOSED = "membership_proposed", _("A cooperative proposed to join a federation you act for")
    MEMBERSHIP_DECIDED = "membership_decided", _("A proposal to join a federation was confirmed, refused or withdrawn")
    FOLLOWED = "followed", _("A record you follow changed")


class Notification(models.Model):
    """One change told to one person (kopnet.notifications.notify): on their dashboard,
    and by email unless they turned that kind off. Written in the recipient's language
    when it is made, in the transaction of the change; read_at when they opened it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    subject = models.TextField()
    body = models.TextField(blank=True)
    # The record's page (a path on this site).
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_latest")]

    def __str__(self):
        return self.subject


class NotificationSettings(models.Model):
    """A person's language for what KopNet writes to them, and the kinds of
    notification they want no email for (they stay on the dashboard)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    language = models.CharField(max_length=8, default="id")
    email_off = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"{self.user}"


class Follow(models.Model):
    """Someone follows a record (a cooperative, a partner, a partnership) and is told
    of its verified changes (kopnet.notifications.followers)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_record")]

    def __str__(self):
        return f"{self.user} → {self.content_type_id}:{self.object_id}"


class ApiToken(models.Model):
    """A person's key to the API (kopnet/tokens.py): shown once when made, kept only as
    its SHA-256 digest; read-only unless made read-write; usable until it expires or
    is revoked (by its owner, or by a curator in the admin)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, to tell it from the others."))
    # The key's first characters, shown to tell tokens apart and to find one by its key.
    prefix = models.CharField(_("begins with"), max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    can_write = models.BooleanField(_("read-write"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), on_delete=models.SET_NULL, null=True, blank=True,
        editable=False, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_created",
                violation_error_message=_("A token expires after it is made."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def usable(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
