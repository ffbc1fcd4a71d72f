"""What changed in the public registry, in order (/api/v1/changes/).

Built from the history django-simple-history keeps of every save of a cooperative, a
partner, a partnership and a membership: each history row is compared with the record's row
before it, as a visitor would see the two (kopnet.policy: verified records only), and
becomes one change —

    created    the record appeared already verified
    verified   it became public (verified for the first time, or again)
    updated    a public record's shown fields changed (`fields` names them)
    ended      ... and its status became an ending one (completed, stopped, dissolved),
               or a membership its end date
    merged     it was merged into another record (`into`: that record's address)
    withdrawn  it stopped being public (rejected or deleted)

— or nothing, when a visitor would see no difference (a pending record's edits, an
official's change waiting for a curator, the machinery columns).

Order and cursor: rows in (history_date, source, history_id) order; the cursor is that
triple of the last row read, so a client resumes exactly after it from any cursor it
kept. Rows younger than KOPNET_CHANGES_SETTLE_SECONDS are not given yet: a
transaction that saved earlier but commits later would otherwise slip in behind a
cursor already handed out. Each page costs two queries per source (its rows, the rows
before them) and one per many-to-many field: never one per row.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from simple_history.utils import get_m2m_reverse_field_name

from api import serializers
from kopnet import links, policy
from kopnet.history import MACHINERY_FIELDS
from partnerships.models import Partnership, PartnershipStatus
from registry.models import Cooperative, CooperativeStatus, Membership, Partner

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MICROSECOND = datetime.timedelta(microseconds=1)
VISITOR = AnonymousUser()
CURSOR = re.compile(r"(\d{1,17})-(\d)-(\d{1,18})")


@dataclass(frozen=True)
class Source:
    """A kind of public record whose history the feed reads; its addresses and shown
    fields are its API serializer's."""

    rank: int  # its place among the sources: the second part of a position
    kind: str
    model: type
    serializer: type
    ending: frozenset = frozenset()  # the values of end_column that end it (none: any value)
    many: tuple = ()  # its many-to-many fields whose history is kept
    end_column: str = ""  # the column whose change can end it
    related: tuple = ()  # the records the access policy reads beside its own (a membership's cooperatives)

    def ends(self, row, before):
        """Whether this history row ended the record (its end column took an ending value)."""
        value = getattr(row, self.end_column, None) if self.end_column else None
        if value is None or value == getattr(before, self.end_column, None):
            return False
        return not self.ending or value in self.ending

    @property
    def key(self):
        return self.serializer.key

    @property
    def api_route(self):
        return self.serializer.api_route

    @property
    def page_route(self):
        return self.serializer.page_route

    @functools.cached_property
    def kept_columns(self):
        """The attnames of the model's columns its history keeps."""
        kept = {field.attname for field in self.model.history.model._meta.concrete_fields}
        return [field.attname for field in self.model._meta.concrete_fields if field.attname in kept]

    @functools.cached_property
    def shown(self):
        """{API name: attribute} of the serializer's fields that are the model's own
        columns kept in its history (not machinery), or its many-to-many fields."""
        columns = {f.name: f.attname for f in self.model.history.model._meta.concrete_fields}
        columns.update({attname: attname for attname in columns.values()})
        columns.update({name: name for name in self.many})
        shown = {}
        for name, api_field in self.serializer().fields.items():
            column = columns.get(api_field.source.split(".")[0])  # country.code: the country
            if column and column.removesuffix("_id") not in MACHINERY_FIELDS:
                shown[name] = column
        return shown


@functools.cache
def all_sources():
    return (
        Source(0, "cooperative", Cooperative, serializers.CooperativeSerializer,
               frozenset({CooperativeStatus.DIBUBARKAN}), ("sectors",), "status"),
        Source(1, "partner", Partner, serializers.PartnerSerializer),
        Source(2, "partnership", Partnership, serializers.PartnershipSerializer,
               frozenset({PartnershipStatus.SELESAI, PartnershipStatus.DIHENTIKAN}), ("objectives", "fields"), "status"),
        # Public while a visitor sees both its cooperatives (registry.policy), as they are now.
        Source(3, "membership", Membership, serializers.MembershipSerializer,
               end_column="end_date", related=("member", "federation")),
    )  # fmt: skip


@dataclass(frozen=True, order=True)
class Position:
    """Where a history row stands in the feed."""

    at: datetime.datetime
    rank: int
    history_id: int

    def cursor(self):
        return f"{(self.at - EPOCH) // MICROSECOND}-{self.rank}-{self.history_id}"

    @classmethod
    def parse(cls, cursor):
        """The position a cursor names, or None when it is not one the feed gave."""
        match = CURSOR.fullmatch(cursor or "")
        if match is None or int(match[2]) >= len(all_sources()):
            return None
        try:
            at = EPOCH + int(match[1]) * MICROSECOND
        except OverflowError:
            return None
        return cls(at, int(match[2]), int(match[3]))


@dataclass
class Change:
    position: Position
    source: Source
    row: object
    change: str
    fields: list = field(default_factory=list)
    into: str | None = None


def is_public(source, row, linked):
    """Whether a visitor could open the record as this history row holds it (kopnet.policy)."""
    if row is None or row.history_type == "-":
        return False
    record = as_record(source, row, linked)
    return record is not None and policy.may(VISITOR, "view", record)


def as_record(source, row, linked):
    """The record as a history row holds it, without a query (simple_history's
    `.instance` reads the fields its history leaves out from the database), with the
    records of `source.related` from `linked` (None when one is gone)."""
    record = source.model(**{attname: getattr(row, attname) for attname in source.kept_columns})
    for name in source.related:
        other = linked.get((name, getattr(row, f"{name}_id")))
        if other is None:
            return None
        setattr(record, name, other)
    return record


def linked_records(source, rows):
    """{(field, id): record} of the records of `source.related` the rows name: a query a field."""
    linked = {}
    for name in source.related:
        field = source.model._meta.get_field(name)
        ids = {getattr(row, field.attname) for row in rows} - {None}
        linked.update({(name, record.pk): record for record in field.related_model.objects.filter(pk__in=ids)})
    return linked


def after(source, position):
    """The history rows of a source that come after `position`."""
    if position is None:
        return Q()
    later = Q(history_date__gt=position.at)
    if source.rank < position.rank:
        return later
    if source.rank > position.rank:
        return Q(history_date__gte=position.at)
    # The same row set as "later, or at the same moment with a larger id", written so
    # that the index on history_date starts at the position instead of scanning to it.
    return Q(history_date__gte=position.at) & (later | Q(history_id__gt=position.history_id))


def read(position, limit):
    """(the changes after `position`, the position of the last row read — the next
    cursor — or the one given when none, whether more rows are ready)."""
    settled = timezone.now() - datetime.timedelta(seconds=settings.KOPNET_CHANGES_SETTLE_SECONDS)
    found = []
    for source in all_sources():
        history = source.model.history
        before = history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by("-history_id")
        rows = (
            history.filter(after(source, position), history_date__lte=settled)
            .annotate(previous_id=Subquery(before.values("history_id")[:1]))
            .order_by("history_date", "history_id")[: limit + 1]
        )
        found += [(Position(row.history_date, source.rank, row.history_id), source, row) for row in rows]
    found.sort(key=lambda item: item[0])
    more = len(found) > limit
    found = found[:limit]
    changes = []
    for source in all_sources():
        mine = [(at, row) for at, from_source, row in found if from_source is source]
        changes += compare(source, mine)
    changes.sort(key=lambda change: change.position)
    return changes, (found[-1][0] if found else position), more


def compare(source, rows):
    """The changes a visitor would see in these rows of one source."""
    if not rows:
        return []
    history = source.model.history
    previous = {row.history_id: row for row in history.filter(history_id__in=[row.previous_id for _at, row in rows])}
    everything = [row for _at, row in rows] + list(previous.values())
    related = many_values(source, everything)
    linked = linked_records(source, everything)
    survivors = survivor_keys(source, [row for _at, row in rows])
    changes = []
    for at, row in rows:
        before = previous.get(row.previous_id)
        change = classify(source, row, before, related, linked, survivors)
        if change is not None:
            changes.append(Change(at, source, row, *change))
    return changes


def classify(source, row, before, related, linked, survivors):
    """(change, fields, into) of one history row, or None when a visitor sees nothing."""
    now, then = is_public(source, row, linked), is_public(source, before, linked)
    if not now:
        if not then:
            return None
        into = getattr(row, "merged_into_id", None)
        if into is not None and into in survivors:
            return "merged", [], links.url_of(source.api_route, survivors[into])
        return "withdrawn", [], None
    if not then:
        return ("created" if before is None else "verified"), [], None
    fields = [
        name
        for name, column in source.shown.items()
        if (related[(row.history_id, column)] != related[(before.history_id, column)]
            if column in source.many else getattr(row, column) != getattr(before, column))
    ]  # fmt: skip
    if not fields:
        return None
    return ("ended" if source.ends(row, before) else "updated"), fields, None


def many_values(source, rows):
    """{(history_id, field): frozenset of related ids} for the rows' many-to-many fields."""
    values = {(row.history_id, name): frozenset() for row in rows for name in source.many}
    ids = [row.history_id for row in rows]
    for name in source.many:
        through = source.model.history.model._meta.get_field(f"historical{source.model._meta.model_name}_{name}")
        target = get_m2m_reverse_field_name(source.model._meta.get_field(name)) + "_id"
        kept = {}
        for history_id, value in through.related_model.objects.filter(history_id__in=ids).values_list("history_id", target):
            kept.setdefault(history_id, set()).add(value)
        values.update({(history_id, name): frozenset(held) for history_id, held in kept.items()})
    return values


def survivor_keys(source, rows):
    """{id: key} of the records the rows were merged into."""
    merged = {getattr(row, "merged_into_id", None) for row in rows} - {None}
    if not merged:
        return {}
    return dict(source.model.objects.filter(pk__in=merged).values_list("pk", source.key))
