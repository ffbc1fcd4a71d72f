"""A record's history as a curator reads it, on the admin's history page
(RegistryAdmin, templates/simple_history/object_history_list.html).

django-simple-history keeps a row for every save; its own page shows the stored
values (`pending → verified`, a province's id, a date in ISO). Here each change
is written with the field's label and the values as the pages write them: a
choice's label, a related record's name, dates and numbers in the reader's
language; the reason a service gave (history_change_reason, a code such as
"verified") becomes a sentence; and the histories of rows that belong to the
record (a partnership's parties and documents: RelatedHistory) are merged into
its page in time order.

The names are read once a page, one query for each kind of related record,
whatever the number of rows: no query per row.
"""

import contextlib
import contextvars
import datetime
import decimal
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record
from simple_history.utils import get_m2m_field_name, get_m2m_reverse_field_name

# Columns every save changes: what they hold is machinery, not content.
MACHINERY_FIELDS = frozenset({"id", "version", "updated_at", "created_at"})
# A long text is cut in the list (the record's page shows it whole).
SHOWN_CHARACTERS = 300
EMPTY = "—"

# The codes the services write as history_change_reason (kopnet.services,
# kopnet.imports, the apps' services, the demo loader), as sentences. A reason
# not listed here (free text) is shown as it was written.
REASONS = {
    "imported": _("Imported from a spreadsheet by a curator."),
    "verified": _("Verified by a curator."),
    "rejected": _("Rejected by a curator."),
    "change proposed": _("An official proposed a change to the verified record; it waits for a curator."),
    "proposed change withdrawn": _("The official withdrew the proposed change."),
    "proposed change verified": _("A curator verified the proposed change and published it."),
    "seed_demo": _("Created with the demonstration data."),
}

ACTIONS = {
    "+": _("Created"),
    "~": _("Changed"),
    "-": _("Deleted"),
}


def describe_reasons(reasons):
    """An app's own reason codes ({code: sentence}), added as its admin loads."""
    REASONS.update(reasons)


# A change made through the API: its reason code carries this mark (kopnet.history
# .through_api() around the service call), and its history says so in words.
API_MARK = " [api]"
THROUGH_API = _("Through the API.")
written_through = contextvars.ContextVar("kopnet_written_through", default="")


@contextlib.contextmanager
def through_api():
    """Every history row written inside is marked as a change through the API."""
    reset = written_through.set("api")
    try:
        yield
    finally:
        written_through.reset(reset)


@receiver(pre_create_historical_record)
def mark_the_channel(sender, history_instance, **kwargs):
    if written_through.get() == "api":
        reason = history_instance.history_change_reason or ""
        if not reason.endswith(API_MARK):
            history_instance.history_change_reason = (reason + API_MARK).strip()


def reason_in_words(code):
    if not code:
        return ""
    if code.endswith(API_MARK.strip()):
        base = code[: -len(API_MARK.strip())].strip()
        said = reason_in_words(base)
        return f"{said} {THROUGH_API}".strip()
    known = REASONS.get(code)
    return str(known) if known is not None else code


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One line of a history page: who did what when, and why."""

    date: datetime.datetime
    user: str
    event: str
    reason: str = ""
    changes: list = field(default_factory=list)
    # The read-only page of this version of the record (its own rows only).
    url: str = ""
    # Whether the line is about a row that belongs to the record (a party, a document).
    related: bool = False
    # Ties in time keep the order they were written in.
    order: int = 0


@dataclass(frozen=True)
class RelatedHistory:
    """Rows of another model that belong to the record and whose own history is
    shown on the record's page: `link` is their foreign key to the record;
    `name_fields` the fields whose first filled value names the row (a foreign
    key's name, a title); `added`, `changed` and `removed` the lines' wording,
    with %(name)s; `hidden` fields whose change says nothing to a reader."""

    model: type
    link: str
    name_fields: tuple
    added: str
    changed: str
    removed: str
    hidden: tuple = ()


class Names:
    """The names of related records, read in one query for each model."""

    def __init__(self):
        self.wanted = defaultdict(set)
        self.known = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted[model].add(pk)

    def read(self):
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            found = model._base_manager.in_bulk(pks)
            for pk in pks:
                obj = found.get(pk)
                if obj is None:
                    name = gettext("#%(id)s (deleted)") % {"id": pk}
                elif model is user_model:
                    name = obj.get_username()
                else:
                    name = str(obj)
                self.known[(model, pk)] = name
        self.wanted.clear()

    def __call__(self, model, pk):
        return self.known.get((model, pk), f"#{pk}")


def choice_labels(model_field):
    """{stored value: label} of a field with choices (the labels translate as they are read)."""
    return {value: label for value, label in model_field.flatchoices}


class HistoryReader:
    """The history of records of one model as Entry lines."""

    def __init__(self, model, hidden=()):
        self.model = model
        self.history_model = model.history.model
        self.fields = [
            model_field
            for model_field in self.history_model.tracked_fields
            if model_field.name not in MACHINERY_FIELDS and model_field.name not in hidden
        ]
        self.m2m_fields = list(getattr(self.history_model, "_history_m2m_fields", []))
        self._choices = {}

    # Reading the stored values ---------------------------------------------

    def m2m_values(self, records):
        """{(history_id, field name): frozenset of related pks}, one query a field."""
        values = {}
        ids = [record.history_id for record in records]
        if not ids:
            return values
        for m2m_field in self.m2m_fields:
            rows = apps.get_model(self.model._meta.app_label, f"{self.history_model.__name__}_{m2m_field.name}")
            column = get_m2m_reverse_field_name(m2m_field)
            related = defaultdict(set)
            for history_id, pk in rows.objects.filter(history_id__in=ids).values_list("history_id", f"{column}_id"):
                related[history_id].add(pk)
            for history_id in ids:
                values[(history_id, m2m_field.name)] = frozenset(related.get(history_id, ()))
        return values

    def differences(self, record, before, m2m):
        """[(field, old, new)] of the stored values that changed from `before` to `record`."""
        found = []
        for model_field in self.fields:
            old, new = getattr(before, model_field.attname), getattr(record, model_field.attname)
            if old != new and not (old in (None, "") and new in (None, "")):
                found.append((model_field, old, new))
        for m2m_field in self.m2m_fields:
            old = m2m.get((before.history_id, m2m_field.name), frozenset())
            new = m2m.get((record.history_id, m2m_field.name), frozenset())
            if old != new:
                found.append((m2m_field, old, new))
        return found

    def want_names(self, names, differences):
        for model_field, old, new in differences:
            if model_field.many_to_many:
                for pk in (*old, *new):
                    names.want(model_field.related_model, pk)
            elif model_field.is_relation:
                names.want(model_field.related_model, old)
                names.want(model_field.related_model, new)

    # Writing them as the pages do ------------------------------------------

    def shown(self, model_field, value, names):
        """A stored value as a reader reads it, in the active language."""
        if model_field.many_to_many:
            return ", ".join(sorted(names(model_field.related_model, pk) for pk in value)) or EMPTY
        if value is None or value == "":
            return EMPTY
        if model_field.is_relation:
            return names(model_field.related_model, value)
        if model_field.choices:
            labels = self._choices.setdefault(model_field.name, choice_labels(model_field))
            return str(labels.get(value, value))
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return date_format(value, "DATE_FORMAT")
        if isinstance(value, decimal.Decimal):
            return number_format(value, decimal_pos=0 if value == value.to_integral_value() else 2, force_grouping=True)
        if isinstance(value, int):
            return number_format(value, force_grouping=True)
        if isinstance(model_field, models.FileField):
            return str(value).rsplit("/", 1)[-1]
        return Truncator(str(value)).chars(SHOWN_CHARACTERS)

    def changes(self, differences, names):
        return [
            Change(
                capfirst(str(model_field.verbose_name)),
                self.shown(model_field, old, names),
                self.shown(model_field, new, names),
            )
            for model_field, old, new in differences
        ]


def user_name(record):
    if not record.history_user_id:
        return ""
    try:
        return record.history_user.get_username()
    except get_user_model().DoesNotExist:  # the account was deleted since
        return gettext("#%(id)s (deleted)") % {"id": record.history_user_id}


def record_entries(reader, records, before_last, names, url=None):
    """The lines of a record's own history: `records` newest first (a page), and
    `before_last` the version before the oldest of them (None when it is the first).
    `url(record)` is the read-only page of a version."""
    chain = [*records, *([before_last] if before_last is not None else [])]
    m2m = reader.m2m_values(chain)
    diffs = []
    for index, record in enumerate(records):
        before = chain[index + 1] if index + 1 < len(chain) else None
        told = before is not None and record.history_type != "-"
        difference = reader.differences(record, before, m2m) if told else []
        reader.want_names(names, difference)
        diffs.append(difference)

    def build():
        return [
            Entry(
                date=record.history_date,
                user=user_name(record),
                event=str(ACTIONS.get(record.history_type, "")),
                reason=reason_in_words(record.history_change_reason),
                changes=reader.changes(difference, names),
                url=url(record) if url else "",
                order=len(records) - index,
            )
            for index, (record, difference) in enumerate(zip(records, diffs))
        ]

    return build


def related_entries(spec, owner_pk, newest, oldest, names):
    """The lines of the rows of `spec` that belong to the record `owner_pk`, with
    a date in (oldest, newest] (None: no bound). A row's change is told against
    its version before, read too even when it is older than the span."""
    reader = HistoryReader(spec.model, hidden=(spec.link, *spec.hidden))
    rows = spec.model.history.filter(**{f"{spec.link}_id": owner_pk}).select_related("history_user")
    if newest is not None:
        rows = rows.filter(history_date__lte=newest)
    rows = list(rows.order_by("id", "history_date", "history_id"))  # each row's versions, oldest first
    m2m = reader.m2m_values(rows)
    name_fields = [reader.history_model._meta.get_field(name) for name in spec.name_fields]
    lines = []
    previous = {}
    for record in rows:
        before = previous.get(record.id)
        previous[record.id] = record
        if oldest is not None and record.history_date <= oldest:
            continue
        told = before is not None and record.history_type == "~"
        difference = reader.differences(record, before, m2m) if told else []
        if record.history_type == "~" and not difference:
            continue  # a save that changed nothing a reader sees
        reader.want_names(names, difference)
        for name_field in name_fields:
            if name_field.is_relation:
                names.want(name_field.related_model, getattr(record, name_field.attname))
        lines.append((record, difference))
    wording = {"+": spec.added, "~": spec.changed, "-": spec.removed}

    def name_of(record):
        for name_field in name_fields:
            value = getattr(record, name_field.attname)
            if value not in (None, ""):
                return reader.shown(name_field, value, names)
        return EMPTY

    def build():
        return [
            Entry(
                date=record.history_date,
                user=user_name(record),
                event=str(wording[record.history_type]) % {"name": name_of(record)},
                reason=reason_in_words(record.history_change_reason),
                changes=reader.changes(difference, names),
                related=True,
                order=index,
            )
            for index, (record, difference) in enumerate(lines)
        ]

    return build


def history_entries(model, records, before_last, *, related=(), owner_pk=None, newest=None, oldest=None, url=None):
    """The lines of one page of a record's history: `records` its historical rows,
    newest first, and `before_last` the version before the oldest of them (None
    when that is the first). The rows of each RelatedHistory (of the record
    `owner_pk`) dated in (oldest, newest] are merged in: `newest` None on the first
    page, `oldest` None on the last, and each page's span ends where the next
    begins, so that every related line is on exactly one page."""
    names = Names()
    builders = [record_entries(HistoryReader(model), records, before_last, names, url)]
    builders += [related_entries(spec, owner_pk, newest, oldest, names) for spec in related]
    names.read()
    entries = [entry for build in builders for entry in build()]
    # Newest first; at the same instant, the record's own line before its rows'
    # (a partnership is saved before its parties), later rows first.
    entries.sort(key=lambda entry: (entry.date, not entry.related, entry.order), reverse=True)
    return entries
