"""Notifications: each change that concerns someone, told to them on their dashboard
and by email, in their language, linking to the record.

notify() is called by the services inside the transaction of the change: the rows
(kopnet.models.Notification) and the emails (the outbox, kopnet/mail.py) commit or
roll back with it, and an email that cannot be sent now is retried by the mail
worker: nothing is lost. A person's language is the one they last chose on the site
while signed in (remember_language(), from the language switch and at sign-in);
Indonesian until then. Each person may turn the email of a kind off
(set_email_off()); the dashboard still lists it.

Following (follow(), unfollow()): anyone signed in may follow a cooperative, a
partner or a partnership; followers_of() names them for the services, which tell
them of the record's verified changes. kopnet knows no app's models: a followed
record is named by its content type and key.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from kopnet.models import Follow, Notification, NotificationKind, NotificationSettings

# Notifications the dashboard lists.
LATEST = 10
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def settings_of(users):
    """{user id: NotificationSettings or None} for these users, in one query."""
    rows = NotificationSettings.objects.filter(user__in=[user.pk for user in users])
    found = {row.user_id: row for row in rows}
    return {user.pk: found.get(user.pk) for user in users}


def notify(users, kind, subject, body, url, **values):
    """Tell each of `users` (once each) of a change: `subject` and `body` are lazy
    messages with %(name)s placeholders filled from `values` (each turned to text in
    the recipient's language: a lazy label too), `url` the record's path. Returns the
    notifications made. Call inside the change's transaction."""
    people = list({user.pk: user for user in users if user is not None and user.is_active}.values())
    if not people:
        return []
    chosen = settings_of(people)
    notifications, emails = [], []
    for person in people:
        preferences = chosen[person.pk]
        language = preferences.language if preferences and preferences.language in LANGUAGES else "id"
        with translation.override(language):
            filled = {name: str(value) for name, value in values.items()}
            title, text = str(subject) % filled, str(body) % filled
        notifications.append(Notification(user=person, kind=kind, subject=title, body=text, url=url))
        if person.email and not (preferences and kind in preferences.email_off):
            emails.append((f"KopNet: {title}", f"{text}\n\n{settings.SITE_URL.rstrip('/')}{url}\n", None, [person.email]))
    Notification.objects.bulk_create(notifications)
    if emails:
        send_mass_mail(emails)
    return notifications


def latest_for(user, count=LATEST):
    """The user's latest notifications, newest first, and how many are unread."""
    mine = Notification.objects.filter(user=user)
    return list(mine.order_by("-created_at", "-pk")[:count]), mine.filter(read_at__isnull=True).count()


@transaction.atomic
def open_notification(*, user, pk):
    """Mark the user's notification read (once) and return it; None if it is not theirs."""
    notification = Notification.objects.select_for_update().filter(user=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, user):
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def locked_settings(user):
    """The user's settings row, made if missing, locked: two writers take turns."""
    NotificationSettings.objects.get_or_create(user=user)
    return NotificationSettings.objects.select_for_update().get(user=user)


@transaction.atomic
def set_email_off(*, user, kinds):
    """The kinds the user wants no email for (the others are emailed)."""
    known = {kind.value for kind in NotificationKind}
    preferences = locked_settings(user)
    preferences.email_off = sorted({str(kind) for kind in kinds} & known)
    preferences.save(update_fields=["email_off"])
    return preferences


@transaction.atomic
def remember_language(*, user, language):
    """What language KopNet writes to the user in: the one they chose on the site."""
    if language not in LANGUAGES:
        return None
    preferences = locked_settings(user)
    if preferences.language != language:
        preferences.language = language
        preferences.save(update_fields=["language"])
    return preferences


@receiver(user_logged_in)
def remember_language_at_sign_in(sender, request, user, **kwargs):
    """The language someone signs in with is the one they read KopNet in."""
    language = getattr(request, "LANGUAGE_CODE", None) if request is not None else None
    if language:
        remember_language(user=user, language=language)


# --- Following -----------------------------------------------------------------------


def follow_key(record):
    return ContentType.objects.get_for_model(record, for_concrete_model=True), record.pk


def is_following(user, record):
    """One query, whatever the content types cache holds (a page's query count stays put)."""
    if not user.is_authenticated:
        return False
    meta = record._meta.concrete_model._meta
    return Follow.objects.filter(
        user=user, content_type__app_label=meta.app_label, content_type__model=meta.model_name, object_id=record.pk
    ).exists()


def follow(*, user, record):
    """Follow a record (the caller checked the user may see it); following twice, or
    two requests at once, leaves one follow."""
    content_type, pk = follow_key(record)
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, content_type=content_type, object_id=pk)
    except IntegrityError:  # the other request made it between our read and our write
        pass


@transaction.atomic
def unfollow(*, user, record):
    content_type, pk = follow_key(record)
    Follow.objects.filter(user=user, content_type=content_type, object_id=pk).delete()


def followers_of(*records):
    """The users who follow any of these records."""
    from django.contrib.auth import get_user_model

    keys = {}
    for record in records:
        content_type, pk = follow_key(record)
        keys.setdefault(content_type.pk, set()).add(pk)
    if not keys:
        return []
    follows = Follow.objects.none()
    for content_type_id, pks in keys.items():
        follows = follows | Follow.objects.filter(content_type_id=content_type_id, object_id__in=pks)
    return list(get_user_model().objects.filter(pk__in=follows.values("user_id")))


# What may be followed, by the word its address uses: {kind: (model, lookup field,
# its page's route)}, registered by the apps as they load (kopnet knows none of their models).
FOLLOWABLE = {}


def followable(kind, model, lookup, route):
    FOLLOWABLE[kind] = (model, lookup, route)


def follow_address(record):
    """(kind, key) of a record's follow address; None if it cannot be followed."""
    for kind, (model, lookup, _route) in FOLLOWABLE.items():
        if isinstance(record, model):
            return kind, getattr(record, lookup)
    return None


FOLLOWED_CHANGED = (
    gettext_lazy("%(name)s changed"),
    gettext_lazy("A change to %(name)s, which you follow, was verified and is public. Changed: %(fields)s."),
)


def field_names(model, names):
    """The labels of these fields of `model` (a related set: its model's plural), lazy:
    each recipient reads them in their own language."""
    labels = []
    # In the model's order, whatever order the change kept them in (a JSON object's
    # keys come back from PostgreSQL sorted by length).
    order = {field.name: number for number, field in enumerate(model._meta.get_fields())}
    for name in sorted(names, key=lambda name: order.get(name, len(order))):
        try:
            field = model._meta.get_field(name)
        except LookupError:
            continue
        labels.append(field.verbose_name if field.concrete else field.related_model._meta.verbose_name_plural)
    return labels


def tell_followers_of_change(record, names):
    """Tell the people who follow `record` that a verified change to its fields
    `names` is public (a published pending change, a curator's edit). Records that
    cannot be followed, and a change of nothing, tell no one."""
    address = follow_address(record)
    labels = field_names(type(record), names)
    if address is None or not labels:
        return []
    kind, key = address
    fields = format_lazy(", ".join(["{}"] * len(labels)), *labels)
    page = reverse(FOLLOWABLE[kind][2], args=[key])
    return notify(followers_of(record), NotificationKind.FOLLOWED, *FOLLOWED_CHANGED, page, name=str(record), fields=fields)
